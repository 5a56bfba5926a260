/**
 * The interop harness checks itself: the DCMTK log parser on real excerpts of
 * DCMTK 3.6.7 `-d` output, the tshark tree reader on a packet shaped like
 * tshark 4.0's JSON, and the comparison and expectations on facts with one
 * field changed (a cross-check that cannot fail proves nothing).
 */
import { describe, expect, it } from 'vitest';
import { crossCheckDcmtk, crossCheckTshark } from './harness/compare.ts';
import { parseDcmtkLog } from './harness/dcmtk-log.ts';
import { expectEcho, expectMoveUnknownDestination } from './harness/expectations.ts';
import { emptyMessage, type AssociationFacts } from './harness/facts.ts';
import { streamsFromPackets, type TsharkStream } from './harness/tshark.ts';

const MOVE_LOG = `I: Requesting Association
I: Association Accepted (Max Send PDV: 16372)
I: Sending Move Request
D: ===================== OUTGOING DIMSE MESSAGE ====================
D: Message Type                  : C-MOVE RQ
D: Presentation Context ID       : 3
D: Message ID                    : 1
D: Affected SOP Class UID        : MOVEStudyRootQueryRetrieveInformationModel
D: Data Set                      : present
D: Priority                      : medium
D: Move Destination              : NOWHERE
D: ======================= END DIMSE MESSAGE =======================
W: Move response with error status (Refused: MoveDestinationUnknown)
I: Received Final Move Response
D: ===================== INCOMING DIMSE MESSAGE ====================
D: Message Type                  : C-MOVE RSP
D: Message ID Being Responded To : 1
D: Affected SOP Class UID        : MOVEStudyRootQueryRetrieveInformationModel
D: Remaining Suboperations       : none
D: Completed Suboperations       : 0
D: Failed Suboperations          : 0
D: Warning Suboperations         : 0
D: Data Set                      : none
D: DIMSE Status                  : 0xa801: Refused: Move Destination unknown
D: ======================= END DIMSE MESSAGE =======================
I: Releasing Association
`;

const REJECT_LOG = `I: Requesting Association
D: Constructing Associate RQ PDU
F: Association Rejected:
F: Result: Rejected Permanent, Source: Service User
F: Reason: Called AE Title Not Recognized
`;

function moveUnknownFacts(): AssociationFacts {
  const rq = { ...emptyMessage('C-MOVE-RQ', 'requestor'), messageId: 1, moveDestination: 'NOWHERE' };
  const rsp = { ...emptyMessage('C-MOVE-RSP', 'acceptor'), respondsTo: 1, status: '0xA801', completed: 0, failed: 0, warning: 0 };
  return {
    requestorPort: 50000,
    acceptorPort: 104,
    callingAe: 'SCU',
    calledAe: 'QRSCP',
    pdus: [
      { type: 'A-ASSOCIATE-RQ', side: 'requestor' },
      { type: 'A-ASSOCIATE-AC', side: 'acceptor' },
      { type: 'P-DATA-TF', side: 'requestor' },
      { type: 'P-DATA-TF', side: 'requestor' },
      { type: 'P-DATA-TF', side: 'acceptor' },
      { type: 'A-RELEASE-RQ', side: 'requestor' },
      { type: 'A-RELEASE-RP', side: 'acceptor' },
    ],
    messages: [rq, rsp],
    reject: null,
    abort: null,
  };
}

const asStream = (f: AssociationFacts, trouble: string[] = []): TsharkStream => ({ ...f, stream: 0, sawSyn: true, trouble });
const ctx = { qrPort: 104, storePort: 105, decoder: 'test' };

describe('DCMTK -d log parser', () => {
  it('reads the DIMSE dumps of movescu with their counters and status', () => {
    const [a] = parseDcmtkLog(MOVE_LOG, 'requestor');
    expect(a.messages).toEqual([
      { command: 'C-MOVE-RQ', side: 'requestor', messageId: 1, moveDestination: 'NOWHERE' },
      { command: 'C-MOVE-RSP', side: 'acceptor', respondsTo: 1, status: '0xA801', remaining: null, completed: 0, failed: 0, warning: 0 },
    ]);
    expect(a.released).toBe(true);
  });

  it('maps the reject words back to PS3.8 Table 9-21 numbers', () => {
    const [a] = parseDcmtkLog(REJECT_LOG, 'requestor');
    expect(a.reject).toMatchObject({ result: 1, source: 1, reason: 7 });
  });

  it('sides follow the role of the logging tool', () => {
    const [a] = parseDcmtkLog(MOVE_LOG, 'acceptor');
    expect(a.messages.map((m) => m.side)).toEqual(['acceptor', 'requestor']);
  });
});

describe('tshark JSON reader', () => {
  const tcp = (src: number, dst: number, syn: boolean) => ({
    'tcp.srcport': String(src),
    'tcp.dstport': String(dst),
    'tcp.stream': '0',
    'tcp.flags_tree': { 'tcp.flags.syn': syn ? '1' : '0', 'tcp.flags.ack': syn ? '0' : '1' },
  });
  const el = (tag: number, key: string, value: string) => ({ 'dicom.tag': `0x${tag.toString(16).padStart(8, '0')}`, [key]: value });
  const packets = [
    { _source: { layers: { frame: { 'frame.number': '1' }, tcp: tcp(50000, 104, true) } } },
    {
      _source: {
        layers: {
          frame: { 'frame.number': '4' },
          tcp: tcp(104, 50000, false),
          dicom: {
            'dicom.pdu.type': '0x04',
            'PDV, C-MOVE-RSP ID=1': {
              'dicom.pdv.ctx': '3',
              'dicom.pdv.flags': '0x03',
              '(0000,0100) Command Field': el(0x100, 'dicom.tag.value.16u', '32801'),
              '(0000,0120) Message ID Being Responded To': el(0x120, 'dicom.tag.value.16u', '1'),
              '(0000,0900) Status': el(0x900, 'dicom.tag.value.16u', '43009'),
              '(0000,1021) Completed': el(0x1021, 'dicom.tag.value.16u', '0'),
            },
          },
        },
      },
    },
  ];

  it('finds the requestor from the SYN and reads a command set', () => {
    const [s] = streamsFromPackets(packets, [104]);
    expect([s.requestorPort, s.acceptorPort, s.sawSyn]).toEqual([50000, 104, true]);
    expect(s.pdus).toEqual([{ type: 'P-DATA-TF', side: 'acceptor' }]);
    expect(s.messages[0]).toMatchObject({ command: 'C-MOVE-RSP', respondsTo: 1, status: '0xA801', completed: 0, remaining: null });
  });
});

describe('comparison', () => {
  it('agrees with itself', () => {
    const f = moveUnknownFacts();
    expect(crossCheckTshark([f], [asStream(f)])).toMatchObject({ mismatches: [], uncertain: [], compared: ['50000→104'] });
  });

  it('names a changed status, a missing PDU and a missing association', () => {
    const mine = moveUnknownFacts();
    const theirs = moveUnknownFacts();
    theirs.messages[1] = { ...theirs.messages[1], status: '0x0000' };
    theirs.pdus = theirs.pdus.slice(0, -1);
    const other = { ...moveUnknownFacts(), requestorPort: 50001 };
    const res = crossCheckTshark([mine], [asStream(theirs), asStream(other)]);
    expect(res.mismatches.join('\n')).toMatch(/acceptor message 1 \(C-MOVE-RSP\) status: pacscope "0xA801" ≠ tshark "0x0000"/);
    expect(res.mismatches.join('\n')).toMatch(/PDUs sent by the acceptor/);
    expect(res.mismatches.join('\n')).toMatch(/50001→104: tshark decoded it/);
  });

  it('reports differences on a retransmitting stream as uncertain, skips a malformed one', () => {
    const mine = moveUnknownFacts();
    const theirs = moveUnknownFacts();
    theirs.messages[0] = { ...theirs.messages[0], moveDestination: 'ELSEWHERE' };
    expect(crossCheckTshark([mine], [asStream(theirs, ['frame 9: tcp.analysis.retransmission'])])).toMatchObject({ mismatches: [], uncertain: [expect.stringMatching(/moveDestination/)] });
    expect(crossCheckTshark([mine], [asStream(theirs, ['frame 9: _ws.malformed'])])).toMatchObject({ mismatches: [], notCompared: [expect.stringMatching(/malformed/)] });
  });

  it('checks only what DCMTK printed, but all of it', () => {
    const [log] = parseDcmtkLog(MOVE_LOG, 'requestor');
    expect(crossCheckDcmtk('x', { name: 'p', facts: moveUnknownFacts() }, log)).toEqual([]);
    const wrong = moveUnknownFacts();
    wrong.messages[1] = { ...wrong.messages[1], failed: 1 };
    expect(crossCheckDcmtk('x', { name: 'p', facts: wrong }, log)).toEqual([expect.stringMatching(/failed: p 1 ≠ DCMTK 0/)]);
  });
});

describe('expectations', () => {
  it('accept the flow they describe and reject another', () => {
    expect(() => expectMoveUnknownDestination([moveUnknownFacts()], ctx, 'NOWHERE')).not.toThrow();
    expect(() => expectEcho([moveUnknownFacts()], ctx)).toThrow();
    const noFinal = moveUnknownFacts();
    noFinal.messages = noFinal.messages.slice(0, 1);
    expect(() => expectMoveUnknownDestination([noFinal], ctx, 'NOWHERE')).toThrow();
  });
});
