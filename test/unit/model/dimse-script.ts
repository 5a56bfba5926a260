/**
 * Test helper: writes a session of several associations as wire events, the
 * way a capture would deliver them — A-ASSOCIATE-RQ/AC, DIMSE messages as
 * P-DATA-TF PDUs (command, then an optional data set), release, close — with
 * a clock in milliseconds that the script moves on explicitly. Every
 * association proposes the same contexts (below) and the acceptor accepts
 * them all. For the correlator's tests: readable flows, no validation.
 */
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { encodeAAssociateAc, encodeAAssociateRj, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { commandSet, el, encodeDataSet, IMPLICIT_LE, type Value } from '../dimse/encode.ts';

const IMPLICIT = '1.2.840.10008.1.2';
/** Study Root Q/R MOVE, GET, FIND (PS3.4 C.6.2) and CT Image Storage, on contexts 1, 3, 5, 7. */
export const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const CT = '1.2.840.10008.5.1.4.1.1.2';
/** Storage Commitment Push Model (PS3.4 J) and Modality Performed Procedure Step (PS3.4 F.7), on contexts 9 and 11. */
export const COMMIT = '1.2.840.10008.1.20.1';
export const MPPS = '1.2.840.10008.3.1.2.3.3';
const CONTEXTS = [MOVE, GET, FIND, CT, COMMIT, MPPS].map((abstractSyntax, i) => ({ id: 2 * i + 1, abstractSyntax, transferSyntaxes: [IMPLICIT] }));
const PC: Record<string, number> = { [MOVE]: 1, [GET]: 3, [FIND]: 5, [CT]: 7, [COMMIT]: 9, [MPPS]: 11 };

type Side = 'requestor' | 'acceptor';
type Cmd = [number, string, Value][];

/** A DIMSE message to send: its command elements, its SOP class (for the context) and an optional data set. */
export interface Message {
  sopClass: string;
  command: Cmd;
  dataSet?: Uint8Array;
}

const identifier = (level: string) => encodeDataSet([el(0x00080052, 'CS', level)], IMPLICIT_LE);
const HAS_DATA = [0x0800, 'US', [0x0000]] as [number, string, Value];
const NO_DATA = [0x0800, 'US', [0x0101]] as [number, string, Value];

export const msg = {
  moveRq: (id: number, destination: string): Message => ({
    sopClass: MOVE,
    command: [[0x0002, 'UI', MOVE], [0x0100, 'US', [0x0021]], [0x0110, 'US', [id]], [0x0600, 'AE', destination], [0x0700, 'US', [0]], HAS_DATA],
    dataSet: identifier('STUDY'),
  }),
  moveRsp: (respondsTo: number, status: number, counters: [number | null, number, number, number]): Message => ({
    sopClass: MOVE,
    command: [
      [0x0002, 'UI', MOVE], [0x0100, 'US', [0x8021]], [0x0120, 'US', [respondsTo]], NO_DATA, [0x0900, 'US', [status]],
      ...(counters[0] === null ? [] : ([[0x1020, 'US', [counters[0]]]] as Cmd)),
      [0x1021, 'US', [counters[1]]], [0x1022, 'US', [counters[2]]], [0x1023, 'US', [counters[3]]],
    ],
  }),
  getRq: (id: number): Message => ({
    sopClass: GET,
    command: [[0x0002, 'UI', GET], [0x0100, 'US', [0x0010]], [0x0110, 'US', [id]], [0x0700, 'US', [0]], HAS_DATA],
    dataSet: identifier('STUDY'),
  }),
  getRsp: (respondsTo: number, status: number, counters: [number | null, number, number, number]): Message => ({
    sopClass: GET,
    command: [
      [0x0002, 'UI', GET], [0x0100, 'US', [0x8010]], [0x0120, 'US', [respondsTo]], NO_DATA, [0x0900, 'US', [status]],
      ...(counters[0] === null ? [] : ([[0x1020, 'US', [counters[0]]]] as Cmd)),
      [0x1021, 'US', [counters[1]]], [0x1022, 'US', [counters[2]]], [0x1023, 'US', [counters[3]]],
    ],
  }),
  findRq: (id: number): Message => ({
    sopClass: FIND,
    command: [[0x0002, 'UI', FIND], [0x0100, 'US', [0x0020]], [0x0110, 'US', [id]], [0x0700, 'US', [0]], HAS_DATA],
    dataSet: identifier('STUDY'),
  }),
  findRsp: (respondsTo: number, status: number): Message => ({
    sopClass: FIND,
    command: [[0x0002, 'UI', FIND], [0x0100, 'US', [0x8020]], [0x0120, 'US', [respondsTo]], NO_DATA, [0x0900, 'US', [status]]],
  }),
  /** N-ACTION-RQ Request Storage Commitment (Action Type 1, PS3.4 J.3.2) of one instance, Transaction UID `uid`. */
  commitRq: (id: number, uid: string): Message => ({
    sopClass: COMMIT,
    command: [[0x0003, 'UI', COMMIT], [0x0100, 'US', [0x0130]], [0x0110, 'US', [id]], HAS_DATA, [0x1001, 'UI', '1.2.840.10008.1.20.1.1'], [0x1008, 'US', [1]]],
    dataSet: encodeDataSet([el(0x00081195, 'UI', uid)], IMPLICIT_LE),
  }),
  /** N-EVENT-REPORT-RQ of the result (Event Type 1: all committed, PS3.4 J.3.3), Transaction UID `uid`. */
  commitReport: (id: number, uid: string): Message => ({
    sopClass: COMMIT,
    command: [[0x0002, 'UI', COMMIT], [0x0100, 'US', [0x0100]], [0x0110, 'US', [id]], HAS_DATA, [0x1000, 'UI', '1.2.840.10008.1.20.1.1'], [0x1002, 'US', [1]]],
    dataSet: encodeDataSet([el(0x00081195, 'UI', uid)], IMPLICIT_LE),
  }),
  /** N-CREATE-RQ of an MPPS instance `uid` (PS3.4 F.7.2.1). */
  mppsCreate: (id: number, uid: string): Message => ({
    sopClass: MPPS,
    command: [[0x0002, 'UI', MPPS], [0x0100, 'US', [0x0140]], [0x0110, 'US', [id]], HAS_DATA, [0x1000, 'UI', uid]],
    dataSet: encodeDataSet([el(0x00400252, 'CS', 'IN PROGRESS')], IMPLICIT_LE),
  }),
  /** N-SET-RQ of MPPS instance `uid` to COMPLETED (PS3.4 F.7.2.2). */
  mppsSet: (id: number, uid: string): Message => ({
    sopClass: MPPS,
    command: [[0x0003, 'UI', MPPS], [0x0100, 'US', [0x0120]], [0x0110, 'US', [id]], HAS_DATA, [0x1001, 'UI', uid]],
    dataSet: encodeDataSet([el(0x00400252, 'CS', 'COMPLETED')], IMPLICIT_LE),
  }),
  /** C-CANCEL-RQ (PS3.7 §9.3.2.3 ff.): no Message ID, (0000,0120) names the request; on the request's context. */
  cancelRq: (respondsTo: number, sopClass: string): Message => ({
    sopClass,
    command: [[0x0100, 'US', [0x0fff]], [0x0120, 'US', [respondsTo]], NO_DATA],
  }),
  /** C-STORE-RQ, with Move Originator AE Title / Message ID when `originator` is given (PS3.7 Table 9.3-1). */
  storeRq: (id: number, sopInstance: string, originator?: [string | null, number | null]): Message => ({
    sopClass: CT,
    command: [
      [0x0002, 'UI', CT], [0x0100, 'US', [0x0001]], [0x0110, 'US', [id]], [0x0700, 'US', [0]], HAS_DATA, [0x1000, 'UI', sopInstance],
      ...(originator && originator[0] !== null ? ([[0x1030, 'AE', originator[0]]] as Cmd) : []),
      ...(originator && originator[1] !== null ? ([[0x1031, 'US', [originator[1]]]] as Cmd) : []),
    ],
    dataSet: encodeDataSet([el(0x00080018, 'UI', sopInstance)], IMPLICIT_LE),
  }),
  storeRsp: (respondsTo: number, sopInstance: string): Message => ({
    sopClass: CT,
    command: [[0x0002, 'UI', CT], [0x0100, 'US', [0x8001]], [0x0120, 'US', [respondsTo]], NO_DATA, [0x0900, 'US', [0]], [0x1000, 'UI', sopInstance]],
  }),
};

/** One association of the script, by its connection number. */
export interface Assoc {
  conn: number;
}

export class DimseScript {
  readonly events: WireEvent[] = [];
  /** The clock, in ms; every event takes the current time, then the clock moves on by 1 ms. */
  now = 1_700_000_000_000;
  private conns = 0;

  /** Moves the clock on by `ms`. */
  wait(ms: number): this {
    this.now += ms;
    return this;
  }

  private tick(): number {
    const t = this.now;
    this.now += 1;
    return t;
  }

  /** Opens a connection and sets up an association `calling` → `called`; the requestor's port is made up, the acceptor's is `port`. */
  associate(calling: string, called: string, port = 104, hosts = { requestor: '127.0.0.1', acceptor: '127.0.0.1' }): Assoc {
    const conn = ++this.conns;
    this.events.push({ kind: 'open', conn, time: this.tick(), requestor: { host: hosts.requestor, port: 50000 + conn }, acceptor: { host: hosts.acceptor, port } });
    this.data(conn, 'requestor', encodeAAssociateRq({ callingAeTitle: calling, calledAeTitle: called, presentationContexts: CONTEXTS, userInformation: { maxLength: 16384 } }));
    this.data(conn, 'acceptor', encodeAAssociateAc({ callingAeTitle: calling, calledAeTitle: called, presentationContexts: CONTEXTS.map((c) => ({ id: c.id, result: 0, transferSyntax: IMPLICIT })), userInformation: { maxLength: 16384 } }));
    return { conn };
  }

  /** An A-ASSOCIATE-RQ `calling` → `called` at `port` answered with A-ASSOCIATE-RJ `result/source/reason`, then both FINs. */
  reject(calling: string, called: string, port: number, rj: [number, number, number]): Assoc {
    const conn = ++this.conns;
    this.events.push({ kind: 'open', conn, time: this.tick(), requestor: { host: '127.0.0.1', port: 50000 + conn }, acceptor: { host: '127.0.0.1', port } });
    this.data(conn, 'requestor', encodeAAssociateRq({ callingAeTitle: calling, calledAeTitle: called, presentationContexts: CONTEXTS, userInformation: { maxLength: 16384 } }));
    this.data(conn, 'acceptor', encodeAAssociateRj({ result: rj[0], source: rj[1], reason: rj[2] }));
    this.events.push({ kind: 'close', conn, time: this.tick(), from: 'acceptor', how: 'fin' });
    this.events.push({ kind: 'close', conn, time: this.tick(), from: 'requestor', how: 'fin' });
    return { conn };
  }

  /** A TCP connection to `port` that was refused (no association, no AE titles). */
  refuse(port: number): Assoc {
    const conn = ++this.conns;
    this.events.push({ kind: 'refused', conn, time: this.tick(), requestor: { host: '127.0.0.1', port: 50000 + conn }, acceptor: { host: '127.0.0.1', port }, reason: 'ECONNREFUSED' });
    return { conn };
  }

  /** Sends a DIMSE message from `side`. */
  send(a: Assoc, side: Side, m: Message): this {
    const pc = PC[m.sopClass];
    this.data(a.conn, side, encodePDataTf([{ presentationContextId: pc, isCommand: true, isLast: true, value: commandSet(m.command) }]));
    if (m.dataSet) this.data(a.conn, side, encodePDataTf([{ presentationContextId: pc, isCommand: false, isLast: true, value: m.dataSet }]));
    return this;
  }

  /** A-RELEASE-RQ/RP and both FINs. */
  release(a: Assoc): this {
    this.data(a.conn, 'requestor', encodeAReleaseRq());
    this.data(a.conn, 'acceptor', encodeAReleaseRp());
    this.events.push({ kind: 'close', conn: a.conn, time: this.tick(), from: 'requestor', how: 'fin' });
    this.events.push({ kind: 'close', conn: a.conn, time: this.tick(), from: 'acceptor', how: 'fin' });
    return this;
  }

  private data(conn: number, from: Side, bytes: Uint8Array): void {
    this.events.push({ kind: 'data', conn, time: this.tick(), from, bytes });
  }
}
