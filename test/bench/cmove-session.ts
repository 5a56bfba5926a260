/**
 * A synthetic but faithful C-MOVE session for the UI benchmark, as wire
 * events: association a1 (MOVESCU → PACSCOPE, Study Root MOVE) carries the
 * C-MOVE-RQ, a pending C-MOVE-RSP every `pendingEvery` sub-operations and the
 * final response; association a2 (PACSCOPE → STORESCP, the sub-association)
 * carries `instances` C-STORE-RQs (small CT data sets, with the Move
 * Originator AE and Message ID) each answered by a C-STORE-RSP. Both are
 * released. Bytes are the real PDUs (shared/pdu/encode.ts) and command sets
 * (test/unit/dimse/encode.ts); no sockets are involved.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { concatBytes, encodeAAssociateAc, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../shared/pdu/encode.ts';
import { commandSet, el, encodeDataSet, EXPLICIT_LE } from '../unit/dimse/encode.ts';

export interface CMoveSessionOptions {
  instances: number;
  /** A pending C-MOVE-RSP after every this many sub-operations. */
  pendingEvery: number;
  /** Wall-clock time of the first event (ms since the epoch). */
  startTime: number;
  /** Milliseconds between consecutive events. */
  stepMs: number;
}

const MOVE_STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.2';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE_UID = '1.2.840.10008.1.2.1';
const STUDY_UID = '2.25.4242.1';
const MAX_PDU = 16384;

const scu = { host: '127.0.0.1', port: 50001 };
const pacs = { host: '127.0.0.1', port: 11112 };
const pacsOut = { host: '127.0.0.1', port: 50002 };
const storeScp = { host: '127.0.0.1', port: 11113 };

/** One P-DATA-TF per PDV: the command sets and data sets here are far below the maximum PDU length. */
function pdata(pcid: number, isCommand: boolean, value: Uint8Array): Uint8Array {
  if (value.length > MAX_PDU - 6) throw new Error('cmove-session: a value does not fit one PDU');
  return encodePDataTf([{ presentationContextId: pcid, isCommand, isLast: true, value }]);
}

function moveRsp(status: number, remaining: number | null, completed: number): Uint8Array {
  return commandSet([
    [0x0002, 'UI', MOVE_STUDY_ROOT],
    [0x0100, 'US', [0x8021]],
    [0x0120, 'US', [1]],
    [0x0800, 'US', [0x0101]],
    [0x0900, 'US', [status]],
    ...(remaining === null ? [] : ([[0x1020, 'US', [remaining]]] as [number, string, number[]][])),
    [0x1021, 'US', [completed]],
    [0x1022, 'US', [0]],
    [0x1023, 'US', [0]],
  ]);
}

export function* cmoveWireEvents(o: CMoveSessionOptions): Generator<WireEvent> {
  let t = o.startTime;
  const time = () => (t += o.stepMs);
  const data = (conn: number, from: 'requestor' | 'acceptor', bytes: Uint8Array): WireEvent => ({ kind: 'data', conn, time: time(), from, bytes });
  const ui = { maxLength: MAX_PDU, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_BENCH' };

  // a1: the C-MOVE association.
  yield { kind: 'open', conn: 1, time: time(), requestor: scu, acceptor: pacs };
  yield data(1, 'requestor', encodeAAssociateRq({ callingAeTitle: 'MOVESCU', calledAeTitle: 'PACSCOPE', presentationContexts: [{ id: 1, abstractSyntax: MOVE_STUDY_ROOT, transferSyntaxes: [EXPLICIT_LE_UID] }], userInformation: ui }));
  yield data(1, 'acceptor', encodeAAssociateAc({ callingAeTitle: 'MOVESCU', calledAeTitle: 'PACSCOPE', presentationContexts: [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE_UID }], userInformation: ui }));
  const moveRq = commandSet([
    [0x0002, 'UI', MOVE_STUDY_ROOT],
    [0x0100, 'US', [0x0021]],
    [0x0110, 'US', [1]],
    [0x0600, 'AE', 'STORESCP'],
    [0x0700, 'US', [0]],
    [0x0800, 'US', [0x0000]],
  ]);
  const identifier = encodeDataSet([el(0x00080052, 'CS', 'STUDY'), el(0x0020000d, 'UI', STUDY_UID)], EXPLICIT_LE);
  yield data(1, 'requestor', concatBytes([pdata(1, true, moveRq), pdata(1, false, identifier)]));

  // a2: the sub-association the PACS opens to the move destination.
  yield { kind: 'open', conn: 2, time: time(), requestor: pacsOut, acceptor: storeScp };
  yield data(2, 'requestor', encodeAAssociateRq({ callingAeTitle: 'PACSCOPE', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE_UID] }], userInformation: ui }));
  yield data(2, 'acceptor', encodeAAssociateAc({ callingAeTitle: 'PACSCOPE', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE_UID }], userInformation: ui }));
  const pixels = new Uint8Array(256);
  for (let n = 1; n <= o.instances; n++) {
    const uid = `${STUDY_UID}.1.${n}`;
    const rq = commandSet([
      [0x0002, 'UI', CT],
      [0x0100, 'US', [0x0001]],
      [0x0110, 'US', [n]],
      [0x0700, 'US', [0]],
      [0x0800, 'US', [0x0000]],
      [0x1000, 'UI', uid],
      [0x1030, 'AE', 'MOVESCU'],
      [0x1031, 'US', [1]],
    ]);
    const dataSet = encodeDataSet(
      [
        el(0x00080016, 'UI', CT),
        el(0x00080018, 'UI', uid),
        el(0x00080060, 'CS', 'CT'),
        el(0x00100010, 'PN', 'BENCH^PATIENT'),
        el(0x00100020, 'LO', 'BENCH-1'),
        el(0x0020000d, 'UI', STUDY_UID),
        el(0x0020000e, 'UI', `${STUDY_UID}.1`),
        el(0x00200013, 'IS', String(n)),
        el(0x00280010, 'US', [8]),
        el(0x00280011, 'US', [16]),
        el(0x00280100, 'US', [16]),
        el(0x7fe00010, 'OW', pixels),
      ],
      EXPLICIT_LE,
    );
    yield data(2, 'requestor', concatBytes([pdata(1, true, rq), pdata(1, false, dataSet)]));
    const rsp = commandSet([
      [0x0002, 'UI', CT],
      [0x0100, 'US', [0x8001]],
      [0x0120, 'US', [n]],
      [0x0800, 'US', [0x0101]],
      [0x0900, 'US', [0x0000]],
      [0x1000, 'UI', uid],
    ]);
    yield data(2, 'acceptor', pdata(1, true, rsp));
    if (n % o.pendingEvery === 0 && n < o.instances) yield data(1, 'acceptor', pdata(1, true, moveRsp(0xff00, o.instances - n, n)));
  }
  yield data(2, 'requestor', encodeAReleaseRq());
  yield data(2, 'acceptor', encodeAReleaseRp());
  yield { kind: 'close', conn: 2, time: time(), from: 'requestor', how: 'fin' };
  yield { kind: 'close', conn: 2, time: time(), from: 'acceptor', how: 'fin' };

  yield data(1, 'acceptor', pdata(1, true, moveRsp(0x0000, null, o.instances)));
  yield data(1, 'requestor', encodeAReleaseRq());
  yield data(1, 'acceptor', encodeAReleaseRp());
  yield { kind: 'close', conn: 1, time: time(), from: 'requestor', how: 'fin' };
  yield { kind: 'close', conn: 1, time: time(), from: 'acceptor', how: 'fin' };
}

/** Messages the session holds: the C-MOVE-RQ, the pending and final responses, a C-STORE-RQ/RSP pair per instance. */
export function cmoveMessageCount(o: Pick<CMoveSessionOptions, 'instances' | 'pendingEvery'>): number {
  return 1 + Math.ceil(o.instances / o.pendingEvery) - 1 + 1 + 2 * o.instances;
}
