/**
 * The storage commitment linker (shared/model/linkers/storage-commitment.ts)
 * through the whole pipeline (wire events → decoder → summary): the report's
 * association is linked to its N-ACTION-RQ at its A-ASSOCIATE-RQ already (AE
 * titles reversed, the Push Model proposed, the report not come yet), then
 * confirmed or revised by the Transaction UID of its N-EVENT-REPORT-RQ; a
 * rejected attempt and a refused connection are linked as well; nothing is
 * linked without the evidence.
 */
import { describe, expect, it } from 'vitest';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../../shared/model/summary-builder.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { encodeAAssociateAc, encodeAAssociateRq } from '../../../shared/pdu/encode.ts';
import { commitmentFacts } from '../../../shared/dimse/storage-commitment.ts';
import { el, encodeDataSet, IMPLICIT_LE } from '../dimse/encode.ts';
import { COMMIT, DimseScript, msg, type Message } from './dimse-script.ts';

function run(script: DimseScript): Summary {
  const decoder = new SessionDecoder();
  const builder = new SummaryBuilder({ path: 'test', format: 'test' }, null);
  for (const ev of script.events) for (const d of decoder.push(ev)) builder.apply(d);
  for (const d of decoder.finish()) builder.apply(d);
  return builder.result();
}

const rsp = (respondsTo: number, commandField: number, status = 0): Message => ({
  sopClass: COMMIT,
  command: [[0x0002, 'UI', COMMIT], [0x0100, 'US', [commandField]], [0x0120, 'US', [respondsTo]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [status]]],
});

/** N-EVENT-REPORT-RQ of Event Type 2: one committed, one failed with 0x0112 (PS3.4 J.3.3). */
const failureReport = (id: number, uid: string): Message => ({
  sopClass: COMMIT,
  command: [[0x0002, 'UI', COMMIT], [0x0100, 'US', [0x0100]], [0x0110, 'US', [id]], [0x0800, 'US', [0]], [0x1000, 'UI', '1.2.840.10008.1.20.1.1'], [0x1002, 'US', [2]]],
  dataSet: encodeDataSet(
    [
      el(0x00081195, 'UI', uid),
      el(0x00081198, 'SQ', [[el(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), el(0x00081155, 'UI', '1.2.3.9'), el(0x00081197, 'US', [0x0112])]]),
      el(0x00081199, 'SQ', [[el(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), el(0x00081155, 'UI', '1.2.3.8')]]),
    ],
    IMPLICIT_LE,
  ),
});

/** An association proposing Verification only (not the Push Model). */
function echoOnly(s: DimseScript, calling: string, called: string): void {
  const conn = 100 + s.events.length;
  const ts = ['1.2.840.10008.1.2'];
  s.events.push({ kind: 'open', conn, time: s.now++, requestor: { host: '127.0.0.1', port: 40000 + conn }, acceptor: { host: '127.0.0.1', port: 4104 } });
  s.events.push({ kind: 'data', conn, time: s.now++, from: 'requestor', bytes: encodeAAssociateRq({ callingAeTitle: calling, calledAeTitle: called, presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ts }], userInformation: { maxLength: 16384 } }) });
  s.events.push({ kind: 'data', conn, time: s.now++, from: 'acceptor', bytes: encodeAAssociateAc({ callingAeTitle: calling, calledAeTitle: called, presentationContexts: [{ id: 1, result: 0, transferSyntax: ts[0] }], userInformation: { maxLength: 16384 } }) });
}

/** The modality's N-ACTION on a1, answered, released. */
function request(s: DimseScript, uid = '1.2.3.4.5', status = 0): void {
  const modality = s.associate('MODALITY', 'PACS');
  s.send(modality, 'requestor', msg.commitRq(1, uid));
  s.send(modality, 'acceptor', rsp(1, CommandField.NActionRsp, status));
  s.release(modality);
}

const ACTION = 0;

describe('storage commitment linker', () => {
  it('links the report association at its A-ASSOCIATE-RQ by AE titles and timing, then confirms it by Transaction UID', () => {
    const s = new DimseScript();
    request(s);
    s.wait(200);
    const back = s.associate('PACS', 'MODALITY', 4104);
    const early = run(s);
    expect(early.associations[1].cause).toEqual({ relation: 'storage-commitment', association: 'a1', message: ACTION, evidence: 'ae-title-and-time' });
    s.send(back, 'requestor', msg.commitReport(1, '1.2.3.4.5'));
    s.send(back, 'acceptor', rsp(1, CommandField.NEventReportRsp));
    s.release(back);
    const summary = run(s);
    expect(summary.errors).toEqual([]);
    expect(summary.associations[1].cause).toEqual({ relation: 'storage-commitment', association: 'a1', message: ACTION, evidence: 'transaction-uid' });
    const report = summary.messages.findIndex((m) => m.commandField === CommandField.NEventReportRq);
    expect(summary.messages[report].cause).toEqual({ relation: 'storage-commitment', message: ACTION });
  });

  it('a report on the same association links the message only', () => {
    const s = new DimseScript();
    const modality = s.associate('MODALITY', 'PACS');
    s.send(modality, 'requestor', msg.commitRq(1, '1.2.3.4.5'));
    s.send(modality, 'acceptor', rsp(1, CommandField.NActionRsp));
    s.send(modality, 'acceptor', msg.commitReport(1, '1.2.3.4.5'));
    s.send(modality, 'requestor', rsp(1, CommandField.NEventReportRsp));
    s.release(modality);
    const summary = run(s);
    expect(summary.associations[0].cause).toBeNull();
    expect(summary.messages.map((m) => m.cause?.message ?? null)).toEqual([null, null, ACTION, ACTION]);
  });

  it('a rejected report association is drawn under its N-ACTION', () => {
    const s = new DimseScript();
    request(s);
    s.wait(50);
    s.reject('PACS', 'MODALITY', 4104, [1, 1, 7]);
    const summary = run(s);
    expect(summary.associations[1]).toMatchObject({ outcome: 'rejected', cause: { relation: 'storage-commitment', association: 'a1', message: ACTION, evidence: 'ae-title-and-time' } });
  });

  it('a refused connection shortly after an accepted N-ACTION is its report attempt (time only); not after a refused N-ACTION, not much later', () => {
    const s = new DimseScript();
    request(s);
    s.wait(100);
    s.refuse(4104);
    request(s, '1.2.3.4.6', 0x0110);
    s.wait(100);
    s.refuse(4104);
    const summary = run(s);
    expect(summary.associations[1]).toMatchObject({ outcome: 'refused', cause: { relation: 'storage-commitment', message: ACTION, evidence: 'time-only' } });
    // The first N-ACTION is still unreported but 30 s have not passed: the second refusal is linked to it, not to the refused request.
    expect(summary.associations[3].cause?.message).toBe(ACTION);

    const late = new DimseScript();
    request(late);
    late.wait(40_000);
    late.refuse(4104);
    expect(run(late).associations[1].cause).toBeNull();
  });

  it('no link without the evidence: other AE titles, no Push Model proposed, the report already in, another SOP class', () => {
    const s = new DimseScript();
    request(s);
    s.wait(10);
    s.associate('PACS', 'VIEWER', 4104); // not the requestor's AE
    echoOnly(s, 'PACS', 'MODALITY'); // proposes Verification only
    const back = s.associate('PACS', 'MODALITY', 4104);
    s.send(back, 'requestor', msg.commitReport(1, '1.2.3.4.5'));
    s.send(back, 'acceptor', rsp(1, CommandField.NEventReportRsp));
    s.release(back);
    s.associate('PACS', 'MODALITY', 4104); // after the report: nothing to report any more
    const summary = run(s);
    expect(summary.associations.map((a) => a.cause?.evidence ?? null)).toEqual([null, null, null, 'transaction-uid', null]);
  });

  it('revises a guess when the report names another transaction', () => {
    const s = new DimseScript();
    request(s, '1.2.3.1');
    request(s, '1.2.3.2');
    const back = s.associate('PACS', 'MODALITY', 4104);
    s.send(back, 'requestor', msg.commitReport(1, '1.2.3.2'));
    const summary = run(s);
    const actions = summary.messages.flatMap((m, i) => (m.commandField === CommandField.NActionRq ? [i] : []));
    expect(summary.associations[2].cause).toEqual({ relation: 'storage-commitment', association: 'a2', message: actions[1], evidence: 'transaction-uid' });
  });

  it('reads the facts of an Event Type 2 report: committed, failed with reasons', () => {
    const s = new DimseScript();
    request(s, '9.8.7');
    const back = s.associate('PACS', 'MODALITY', 4104);
    s.send(back, 'requestor', failureReport(1, '9.8.7'));
    const summary = run(s);
    const report = summary.messages.find((m) => m.commandField === CommandField.NEventReportRq)!;
    expect(report.eventTypeId).toBe(2);
    expect(commitmentFacts(report.identifier)).toEqual({
      transactionUid: '9.8.7',
      referenced: [{ sopClass: '1.2.840.10008.5.1.4.1.1.2', sopInstance: '1.2.3.8', failureReason: null }],
      failed: [{ sopClass: '1.2.840.10008.5.1.4.1.1.2', sopInstance: '1.2.3.9', failureReason: 0x0112 }],
    });
    expect(summary.associations[1].cause?.evidence).toBe('transaction-uid');
  });
});
