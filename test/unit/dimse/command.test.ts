import { describe, it, expect } from 'vitest';
import { decodeCommandSet } from '../../../shared/dimse/command.ts';
import { CommandField, commandName } from '../../../shared/dimse/command-fields.ts';
import { commandSet, hex } from './encode.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const STUDY_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const STUDY_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const CT_INSTANCE = '1.2.3.4.5.6.7.8.9';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';
const PRINTER = '1.2.840.10008.5.1.1.16';
const PRINTER_INSTANCE = '1.2.840.10008.5.1.1.17';
const FILM_SESSION = '1.2.840.10008.5.1.1.1';

function decode(bytes: Uint8Array) {
  const { message, problems } = decodeCommandSet(bytes, 100, 1);
  expect(problems).toEqual([]);
  expect(message).not.toBeNull();
  return message!;
}

describe('decodeCommandSet', () => {
  it('decodes a hand-written C-ECHO-RQ', () => {
    // C-ECHO-RQ, Implicit VR LE:
    //   (0000,0000) UL 56             group length
    //   (0000,0002) UI "1.2.840.10008.1.1\0"  Verification SOP Class
    //   (0000,0100) US 0x0030         C-ECHO-RQ
    //   (0000,0110) US 1              Message ID
    //   (0000,0800) US 0x0101         no data set
    const bytes = hex(`
      00 00 00 00 04 00 00 00 38 00 00 00
      00 00 02 00 12 00 00 00 31 2e 32 2e 38 34 30 2e 31 30 30 30 38 2e 31 2e 31 00
      00 00 00 01 02 00 00 00 30 00
      00 00 10 01 02 00 00 00 01 00
      00 00 00 08 02 00 00 00 01 01`);
    const m = decode(bytes);
    expect(m).toMatchObject({
      offset: 100,
      presentationContextId: 1,
      commandField: 0x0030,
      command: 'C-ECHO-RQ',
      isResponse: false,
      messageId: 1,
      affectedSopClass: VERIFICATION,
      dataSetType: 0x0101,
      hasDataSet: false,
      status: null,
      dataSet: null,
    });
    expect(m.commandElements.map((e) => [e.tag, e.keyword, e.vr, e.value, e.offset, e.length])).toEqual([
      ['(0000,0000)', 'CommandGroupLength', 'UL', 56, 0, 4],
      ['(0000,0002)', 'AffectedSOPClassUID', 'UI', VERIFICATION, 12, 18],
      ['(0000,0100)', 'CommandField', 'US', 0x0030, 38, 2],
      ['(0000,0110)', 'MessageID', 'US', 1, 48, 2],
      ['(0000,0800)', 'CommandDataSetType', 'US', 0x0101, 58, 2],
    ]);
  });

  it('decodes a C-ECHO-RSP with success', () => {
    // C-ECHO-RSP: responds to message 1, status 0x0000
    const m = decode(
      commandSet([
        [0x0002, 'UI', VERIFICATION],
        [0x0100, 'US', [0x8030]],
        [0x0120, 'US', [1]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0000]],
      ]),
    );
    expect(m).toMatchObject({ command: 'C-ECHO-RSP', isResponse: true, respondsTo: 1, messageId: null, status: 0, statusCategory: 'success', statusMeaning: 'Success' });
  });

  it('decodes a C-FIND-RQ with its priority and data set type', () => {
    // C-FIND-RQ: Study Root FIND, message 7, priority medium (0), identifier follows (0x0000)
    const m = decode(
      commandSet([
        [0x0002, 'UI', STUDY_FIND],
        [0x0100, 'US', [0x0020]],
        [0x0110, 'US', [7]],
        [0x0700, 'US', [0]],
        [0x0800, 'US', [0x0000]],
      ]),
    );
    expect(m).toMatchObject({ command: 'C-FIND-RQ', messageId: 7, priority: 0, dataSetType: 0, hasDataSet: true, affectedSopClass: STUDY_FIND });
  });

  it('decodes C-FIND-RSP pending (with identifier) and success (without)', () => {
    // C-FIND-RSP pending 0xFF00, identifier follows (0x0102)
    const pending = decode(
      commandSet([
        [0x0002, 'UI', STUDY_FIND],
        [0x0100, 'US', [0x8020]],
        [0x0120, 'US', [7]],
        [0x0800, 'US', [0x0102]],
        [0x0900, 'US', [0xff00]],
      ]),
    );
    expect(pending).toMatchObject({ command: 'C-FIND-RSP', hasDataSet: true, status: 0xff00, statusCategory: 'pending', statusMeaning: 'Pending: matches are continuing' });
    // C-FIND-RSP final success, no data set
    const done = decode(
      commandSet([
        [0x0002, 'UI', STUDY_FIND],
        [0x0100, 'US', [0x8020]],
        [0x0120, 'US', [7]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0000]],
      ]),
    );
    expect(done).toMatchObject({ hasDataSet: false, statusCategory: 'success', statusMeaning: 'Success: matching is complete' });
  });

  it('decodes a C-MOVE-RQ with its Move Destination', () => {
    // C-MOVE-RQ: Study Root MOVE, message 3, priority high (1), destination "STORESCP" (padded to even length? 8 chars, no pad)
    const m = decode(
      commandSet([
        [0x0002, 'UI', STUDY_MOVE],
        [0x0100, 'US', [0x0021]],
        [0x0110, 'US', [3]],
        [0x0600, 'AE', 'STORESCP '],
        [0x0700, 'US', [1]],
        [0x0800, 'US', [0x0000]],
      ]),
    );
    expect(m).toMatchObject({ command: 'C-MOVE-RQ', messageId: 3, moveDestination: 'STORESCP', priority: 1, hasDataSet: true });
    expect(m.commandElements.find((e) => e.keyword === 'MoveDestination')?.value).toBe('STORESCP');
  });

  it('decodes C-MOVE-RSP pending with the four sub-operation counters', () => {
    // C-MOVE-RSP pending 0xFF00: remaining 8, completed 2, failed 0, warning 0
    const m = decode(
      commandSet([
        [0x0002, 'UI', STUDY_MOVE],
        [0x0100, 'US', [0x8021]],
        [0x0120, 'US', [3]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0xff00]],
        [0x1020, 'US', [8]],
        [0x1021, 'US', [2]],
        [0x1022, 'US', [0]],
        [0x1023, 'US', [0]],
      ]),
    );
    expect(m).toMatchObject({ statusCategory: 'pending', remaining: 8, completed: 2, failed: 0, warning: 0, statusMeaning: 'Pending: sub-operations are continuing' });
  });

  it('decodes a final C-MOVE-RSP with failures (0xB000) and the Failed SOP Instance UID List data set', () => {
    // C-MOVE-RSP 0xB000: completed 9, failed 1, warning 0, data set follows (Failed SOP Instance UID List)
    const m = decode(
      commandSet([
        [0x0002, 'UI', STUDY_MOVE],
        [0x0100, 'US', [0x8021]],
        [0x0120, 'US', [3]],
        [0x0800, 'US', [0x0102]],
        [0x0900, 'US', [0xb000]],
        [0x1021, 'US', [9]],
        [0x1022, 'US', [1]],
        [0x1023, 'US', [0]],
      ]),
    );
    expect(m).toMatchObject({ status: 0xb000, statusCategory: 'warning', failed: 1, completed: 9, remaining: null, hasDataSet: true });
    expect(m.statusMeaning).toMatch(/one or more failures/);
  });

  it('decodes a C-MOVE-RSP 0xA801 refusal with an error comment', () => {
    // C-MOVE-RSP 0xA801, Error Comment "Unknown destination"
    const m = decode(
      commandSet([
        [0x0002, 'UI', STUDY_MOVE],
        [0x0100, 'US', [0x8021]],
        [0x0120, 'US', [3]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0xa801]],
        [0x0902, 'LO', 'Unknown destination'],
      ]),
    );
    expect(m).toMatchObject({ statusCategory: 'failure', statusMeaning: 'Refused: move destination unknown', errorComment: 'Unknown destination' });
  });

  it('decodes a C-GET-RQ and a C-GET-RSP', () => {
    // C-GET-RQ: Study Root GET, message 5, identifier follows
    const rq = decode(
      commandSet([
        [0x0002, 'UI', STUDY_GET],
        [0x0100, 'US', [0x0010]],
        [0x0110, 'US', [5]],
        [0x0700, 'US', [2]],
        [0x0800, 'US', [0x0000]],
      ]),
    );
    expect(rq).toMatchObject({ command: 'C-GET-RQ', priority: 2, hasDataSet: true });
    // C-GET-RSP: success, completed 4
    const rsp = decode(
      commandSet([
        [0x0002, 'UI', STUDY_GET],
        [0x0100, 'US', [0x8010]],
        [0x0120, 'US', [5]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0000]],
        [0x1020, 'US', [0]],
        [0x1021, 'US', [4]],
        [0x1022, 'US', [0]],
        [0x1023, 'US', [0]],
      ]),
    );
    expect(rsp).toMatchObject({ command: 'C-GET-RSP', isResponse: true, completed: 4, statusMeaning: 'Success: sub-operations complete, no failures' });
  });

  it('decodes a C-STORE-RQ with Move Originator AE Title and Message ID', () => {
    // C-STORE-RQ: CT Image Storage, instance CT_INSTANCE, message 11, priority 0,
    // Move Originator "FINDSCU" (padded with a space) / message 3, data set follows
    const m = decode(
      commandSet([
        [0x0002, 'UI', CT_STORAGE],
        [0x0100, 'US', [0x0001]],
        [0x0110, 'US', [11]],
        [0x0700, 'US', [0]],
        [0x0800, 'US', [0x0000]],
        [0x1000, 'UI', CT_INSTANCE],
        [0x1030, 'AE', 'FINDSCU'],
        [0x1031, 'US', [3]],
      ]),
    );
    expect(m).toMatchObject({
      command: 'C-STORE-RQ',
      affectedSopClass: CT_STORAGE,
      affectedSopInstance: CT_INSTANCE,
      moveOriginator: { ae: 'FINDSCU', messageId: 3 },
      hasDataSet: true,
    });
  });

  it('decodes a C-STORE-RSP with a warning', () => {
    // C-STORE-RSP 0xB000 coercion of data elements
    const m = decode(
      commandSet([
        [0x0002, 'UI', CT_STORAGE],
        [0x0100, 'US', [0x8001]],
        [0x0120, 'US', [11]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0xb000]],
        [0x1000, 'UI', CT_INSTANCE],
      ]),
    );
    expect(m).toMatchObject({ statusCategory: 'warning', statusMeaning: 'Warning: coercion of data elements', moveOriginator: null });
  });

  it('decodes a C-CANCEL-RQ', () => {
    // C-CANCEL-RQ: cancels message 7
    const m = decode(
      commandSet([
        [0x0100, 'US', [0x0fff]],
        [0x0120, 'US', [7]],
        [0x0800, 'US', [0x0101]],
      ]),
    );
    expect(m).toMatchObject({ command: 'C-CANCEL-RQ', isResponse: false, respondsTo: 7, hasDataSet: false });
  });

  it('decodes N-EVENT-REPORT RQ/RSP with the Event Type ID', () => {
    // N-EVENT-REPORT-RQ: Storage Commitment result, event type 1, data set follows
    const rq = decode(
      commandSet([
        [0x0002, 'UI', STORAGE_COMMITMENT],
        [0x0100, 'US', [0x0100]],
        [0x0110, 'US', [21]],
        [0x0800, 'US', [0x0000]],
        [0x1000, 'UI', STORAGE_COMMITMENT_INSTANCE],
        [0x1002, 'US', [1]],
      ]),
    );
    expect(rq).toMatchObject({ command: 'N-EVENT-REPORT-RQ', eventTypeId: 1, affectedSopInstance: STORAGE_COMMITMENT_INSTANCE });
    // N-EVENT-REPORT-RSP: success
    const rsp = decode(
      commandSet([
        [0x0002, 'UI', STORAGE_COMMITMENT],
        [0x0100, 'US', [0x8100]],
        [0x0120, 'US', [21]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0]],
        [0x1000, 'UI', STORAGE_COMMITMENT_INSTANCE],
        [0x1002, 'US', [1]],
      ]),
    );
    expect(rsp).toMatchObject({ command: 'N-EVENT-REPORT-RSP', statusCategory: 'success' });
  });

  it('decodes N-GET RQ/RSP with requested SOP class/instance and an attribute list', () => {
    // N-GET-RQ: Printer SOP instance, Attribute Identifier List (2110,0010) (2110,0020)
    const rq = decode(
      commandSet([
        [0x0003, 'UI', PRINTER],
        [0x0100, 'US', [0x0110]],
        [0x0110, 'US', [4]],
        [0x0800, 'US', [0x0101]],
        [0x1001, 'UI', PRINTER_INSTANCE],
        [0x1005, 'AT', [0x21100010, 0x21100020]],
      ]),
    );
    expect(rq).toMatchObject({ command: 'N-GET-RQ', requestedSopClass: PRINTER, requestedSopInstance: PRINTER_INSTANCE });
    expect(rq.commandElements.find((e) => e.keyword === 'AttributeIdentifierList')?.value).toEqual(['(2110,0010)', '(2110,0020)']);
    // N-GET-RSP: 0x0107 attribute list error (warning), with attributes
    const rsp = decode(
      commandSet([
        [0x0002, 'UI', PRINTER],
        [0x0100, 'US', [0x8110]],
        [0x0120, 'US', [4]],
        [0x0800, 'US', [0x0102]],
        [0x0900, 'US', [0x0107]],
        [0x1000, 'UI', PRINTER_INSTANCE],
      ]),
    );
    expect(rsp).toMatchObject({ command: 'N-GET-RSP', statusCategory: 'warning', statusMeaning: 'Warning: attribute list error' });
  });

  it('decodes N-SET RQ/RSP with Offending Element and Error ID', () => {
    // N-SET-RQ: MPPS instance, modification list follows
    const rq = decode(
      commandSet([
        [0x0003, 'UI', MPPS],
        [0x0100, 'US', [0x0120]],
        [0x0110, 'US', [9]],
        [0x0800, 'US', [0x0000]],
        [0x1001, 'UI', '1.2.3.4'],
      ]),
    );
    expect(rq).toMatchObject({ command: 'N-SET-RQ', requestedSopClass: MPPS, requestedSopInstance: '1.2.3.4', hasDataSet: true });
    // N-SET-RSP: 0x0106 invalid attribute value, offending (0040,0252), error id 42
    const rsp = decode(
      commandSet([
        [0x0002, 'UI', MPPS],
        [0x0100, 'US', [0x8120]],
        [0x0120, 'US', [9]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0106]],
        [0x0901, 'AT', [0x00400252]],
        [0x0903, 'US', [42]],
        [0x1000, 'UI', '1.2.3.4'],
      ]),
    );
    expect(rsp).toMatchObject({ statusCategory: 'failure', statusMeaning: 'Failure: invalid attribute value', offendingElements: ['(0040,0252)'], errorId: 42 });
  });

  it('decodes N-ACTION RQ/RSP with the Action Type ID', () => {
    // N-ACTION-RQ: Storage Commitment request, action type 1, data set follows
    const rq = decode(
      commandSet([
        [0x0003, 'UI', STORAGE_COMMITMENT],
        [0x0100, 'US', [0x0130]],
        [0x0110, 'US', [2]],
        [0x0800, 'US', [0x0000]],
        [0x1001, 'UI', STORAGE_COMMITMENT_INSTANCE],
        [0x1008, 'US', [1]],
      ]),
    );
    expect(rq).toMatchObject({ command: 'N-ACTION-RQ', actionTypeId: 1 });
    // N-ACTION-RSP: 0x0123 no such action
    const rsp = decode(
      commandSet([
        [0x0002, 'UI', STORAGE_COMMITMENT],
        [0x0100, 'US', [0x8130]],
        [0x0120, 'US', [2]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0123]],
        [0x1008, 'US', [1]],
      ]),
    );
    expect(rsp).toMatchObject({ command: 'N-ACTION-RSP', actionTypeId: 1, statusMeaning: 'Failure: no such action' });
  });

  it('decodes N-CREATE and N-DELETE RQ/RSP', () => {
    // N-CREATE-RQ: Basic Film Session, attribute list follows
    const create = decode(
      commandSet([
        [0x0002, 'UI', FILM_SESSION],
        [0x0100, 'US', [0x0140]],
        [0x0110, 'US', [12]],
        [0x0800, 'US', [0x0000]],
      ]),
    );
    expect(create).toMatchObject({ command: 'N-CREATE-RQ', hasDataSet: true });
    // N-CREATE-RSP: success, instance created
    const created = decode(
      commandSet([
        [0x0002, 'UI', FILM_SESSION],
        [0x0100, 'US', [0x8140]],
        [0x0120, 'US', [12]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0]],
        [0x1000, 'UI', '1.2.3.99'],
      ]),
    );
    expect(created).toMatchObject({ command: 'N-CREATE-RSP', affectedSopInstance: '1.2.3.99' });
    // N-DELETE-RQ / N-DELETE-RSP (0x0112 no such SOP instance)
    const del = decode(
      commandSet([
        [0x0003, 'UI', FILM_SESSION],
        [0x0100, 'US', [0x0150]],
        [0x0110, 'US', [13]],
        [0x0800, 'US', [0x0101]],
        [0x1001, 'UI', '1.2.3.99'],
      ]),
    );
    expect(del).toMatchObject({ command: 'N-DELETE-RQ', requestedSopInstance: '1.2.3.99' });
    const delRsp = decode(
      commandSet([
        [0x0100, 'US', [0x8150]],
        [0x0120, 'US', [13]],
        [0x0800, 'US', [0x0101]],
        [0x0900, 'US', [0x0112]],
      ]),
    );
    expect(delRsp).toMatchObject({ command: 'N-DELETE-RSP', statusMeaning: 'Failure: no such SOP instance' });
  });

  it('names every command of PS3.7 Annex E and unknown ones', () => {
    for (const code of Object.values(CommandField)) expect(commandName(code)).toMatch(/^[CN]-[A-Z-]+-(RQ|RSP)$/);
    expect(commandName(0x1234)).toBe('UNKNOWN-0x1234');
    const m = decode(commandSet([[0x0100, 'US', [0x1234]], [0x0800, 'US', [0x0101]]]));
    expect(m.command).toBe('UNKNOWN-0x1234');
  });

  it('keeps retired and unknown command elements', () => {
    // C-ECHO-RQ with retired Initiator (0000,0200) AE and an unknown (0000,7777) element
    const m = decode(
      commandSet([
        [0x0100, 'US', [0x0030]],
        [0x0110, 'US', [1]],
        [0x0200, 'AE', 'OLDAE '],
        [0x0800, 'US', [0x0101]],
        [0x7777, 'UN', new Uint8Array([1, 2])],
      ]),
    );
    expect(m.commandElements.find((e) => e.tag === '(0000,0200)')).toMatchObject({ keyword: 'Initiator', vr: 'AE', value: 'OLDAE' });
    expect(m.commandElements.find((e) => e.tag === '(0000,7777)')).toMatchObject({ keyword: '', vr: 'UN', value: '0102' });
  });
});

describe('decodeCommandSet on malformed input', () => {
  it('reports an element overrunning the command set', () => {
    // (0000,0100) US declares length 100 but only 2 bytes follow
    const bytes = hex('00 00 00 01 64 00 00 00 30 00');
    const { message, problems } = decodeCommandSet(bytes, 0, 1);
    expect(message).toBeNull();
    expect(problems[0]).toMatchObject({ offset: 0 });
    expect(problems[0].reason).toMatch(/overruns/);
    expect(problems.at(-1)?.reason).toMatch(/no Command Field/);
  });

  it('tolerates odd lengths, a wrong group length and a non-0000 group as the sender\'s non-conformance; reports a truncated header', () => {
    // group length says 4 bytes follow (wrong); C-ECHO-RQ with an odd-length AE (0000,0600) "ABC"
    const odd = hex(`
      00 00 00 00 04 00 00 00 04 00 00 00
      00 00 00 01 02 00 00 00 30 00
      00 00 00 06 03 00 00 00 41 42 43
      00 00 00 08 02 00 00 00 01 01`);
    const r1 = decodeCommandSet(odd, 0, 1);
    expect(r1.message?.command).toBe('C-ECHO-RQ');
    // Decoded on: the sender's deviations travel with the message, with the section each breaks (not decode problems).
    expect(r1.problems).toEqual([]);
    expect(r1.message?.moveDestination).toBe('ABC');
    expect(r1.message?.nonConformance.map((p) => [p.reason, p.section])).toEqual([
      [expect.stringMatching(/odd value length 3/), 'PS3.5 §7.1.1'],
      [expect.stringMatching(/Group Length/), 'PS3.7 §E.1'],
    ]);
    // a header cut after 5 bytes
    const cut = decodeCommandSet(hex('00 00 00 01 02 00 00 00 30 00  00 00 00 08 02'), 0, 1);
    expect(cut.problems[0]).toMatchObject({ offset: 10 });
    // a data element (0008,0052) inside a command set without a Command Field: nothing to hang it on
    const foreign = decodeCommandSet(hex('08 00 52 00 06 00 00 00 53 54 55 44 59 20'), 0, 1);
    expect(foreign.message).toBeNull();
    expect(foreign.problems[0].reason).toMatch(/not in group 0000/);
  });

  it('keeps data set elements a peer put into a command set (a Failed SOP Instance UID List in a C-MOVE-RSP), decoded and named', () => {
    const uids = '1.2.3.4\\1.2.3.5\0';
    const value = [...uids].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
    const len = uids.length.toString(16).padStart(2, '0');
    const r = decodeCommandSet(hex(`
      00 00 00 01 02 00 00 00 21 80
      00 00 20 01 02 00 00 00 01 00
      00 00 00 08 02 00 00 00 01 01
      00 00 00 09 02 00 00 00 00 c0
      00 00 21 10 02 00 00 00 01 00
      00 00 22 10 02 00 00 00 02 00
      08 00 58 00 ${len} 00 00 00 ${value}`), 0, 1);
    expect(r.problems).toEqual([]);
    expect(r.message?.command).toBe('C-MOVE-RSP');
    expect(r.message?.failed).toBe(2);
    expect(r.message?.commandSetDataElements).toEqual({ FailedSOPInstanceUIDList: ['1.2.3.4', '1.2.3.5'] });
    expect(r.message?.commandElements.at(-1)).toMatchObject({ tag: '(0008,0058)', keyword: 'FailedSOPInstanceUIDList', vr: 'UI' });
    expect(r.message?.nonConformance.map((p) => p.section)).toEqual(['PS3.7 §6.3.1']);
  });

  it('names wrong padding: a UI padded with a space, an AE padded with NUL (PS3.5 §6.2)', () => {
    const r = decodeCommandSet(hex(`
      00 00 02 00 04 00 00 00 31 2e 32 20
      00 00 00 01 02 00 00 00 21 00
      00 00 00 06 04 00 00 00 41 42 43 00
      00 00 00 08 02 00 00 00 01 01`), 0, 1);
    expect(r.message?.nonConformance.map((p) => p.reason)).toEqual([expect.stringMatching(/UI value padded with a space/), expect.stringMatching(/AE value padded with NUL/)]);
    expect(r.message?.affectedSopClass).toBe('1.2');
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(rand() * 80));
      for (let k = 0; k < bytes.length; k++) bytes[k] = rand() < 0.6 ? 0 : Math.floor(rand() * 256);
      expect(() => decodeCommandSet(bytes, 0, 1)).not.toThrow();
    }
  });
});
