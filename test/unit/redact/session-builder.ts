/**
 * Test helper: DICOM sessions as wire events, with what the redaction tests
 * vary — transfer syntax per presentation context, each side's maximum PDU
 * length (messages are fragmented to fit the receiver's, PS3.8 Annex D.1),
 * user identity, and how the bytes are cut into reads. Data sets are built
 * with test/unit/dimse/encode.ts in the context's encoding.
 */
import { deflateRawSync } from 'node:zlib';
import type { Endpoint, WireEvent } from '../../../shared/capture/wire-event.ts';
import { concatBytes, encodeAAssociateAc, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf, type UserInformationSpec } from '../../../shared/pdu/encode.ts';
import { commandSet, encodeDataSet, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, type Element, type Enc, type Value } from '../dimse/encode.ts';

export const TS = Object.freeze({
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  big: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const);
export type TsName = keyof typeof TS;

export const SOP = Object.freeze({
  find: '1.2.840.10008.5.1.4.1.2.2.1',
  move: '1.2.840.10008.5.1.4.1.2.2.2',
  get: '1.2.840.10008.5.1.4.1.2.2.3',
  ct: '1.2.840.10008.5.1.4.1.1.2',
  mr: '1.2.840.10008.5.1.4.1.1.4',
} as const);

export function encodingOf(ts: TsName): Enc {
  return ts === 'implicit' ? IMPLICIT_LE : ts === 'big' ? EXPLICIT_BE : EXPLICIT_LE;
}

/** A data set in the encoding of a transfer syntax (deflated: Explicit VR LE, then raw DEFLATE, PS3.5 A.5). */
export function dataSet(elements: Element[], ts: TsName): Uint8Array {
  const bytes = encodeDataSet(elements, encodingOf(ts));
  return ts === 'deflated' ? new Uint8Array(deflateRawSync(bytes)) : bytes;
}

type Side = 'requestor' | 'acceptor';
export type Cmd = [number, string, Value][];

export interface AssocSpec {
  calling: string;
  called: string;
  /** SOP class → transfer syntax of its context (ids 1, 3, 5, … in this order). */
  contexts: [string, TsName][];
  maxPdu?: { requestor: number; acceptor: number };
  userIdentity?: UserInformationSpec['userIdentityRq'];
  userIdentityAc?: string;
  requestor?: Endpoint;
  acceptor?: Endpoint;
}

export interface Assoc {
  conn: number;
  spec: AssocSpec;
  contextOf: (sop: string) => number;
  tsOf: (sop: string) => TsName;
}

export class SessionBuilder {
  readonly events: WireEvent[] = [];
  now = Date.UTC(2024, 0, 15, 10, 0, 0);
  private conns = 0;

  /** `readBytes`: each PDU stream is cut into reads of at most this many bytes (as a socket gives them). */
  constructor(private readonly readBytes = 1 << 30) {}

  private tick(): number {
    return (this.now += 1.5);
  }

  associate(spec: AssocSpec): Assoc {
    const conn = ++this.conns;
    const requestor = spec.requestor ?? { host: '192.168.1.20', port: 40000 + conn };
    const acceptor = spec.acceptor ?? { host: '192.168.1.10', port: 104 };
    this.events.push({ kind: 'open', conn, time: this.tick(), requestor, acceptor });
    const max = spec.maxPdu ?? { requestor: 16384, acceptor: 16384 };
    const pcs = spec.contexts.map(([sop, ts], i) => ({ id: 2 * i + 1, abstractSyntax: sop, transferSyntaxes: [TS[ts]] }));
    this.data(conn, 'requestor', encodeAAssociateRq({ callingAeTitle: spec.calling, calledAeTitle: spec.called, presentationContexts: pcs, userInformation: { maxLength: max.requestor, implementationClassUid: '1.2.3.4.5', implementationVersionName: 'TEST', userIdentityRq: spec.userIdentity } }));
    this.data(conn, 'acceptor', encodeAAssociateAc({ callingAeTitle: spec.calling, calledAeTitle: spec.called, presentationContexts: pcs.map((p) => ({ id: p.id, result: 0, transferSyntax: p.transferSyntaxes[0] })), userInformation: { maxLength: max.acceptor, implementationClassUid: '1.2.3.4.6', userIdentityAc: spec.userIdentityAc === undefined ? undefined : { serverResponse: spec.userIdentityAc } } }));
    const index = (sop: string) => {
      const i = spec.contexts.findIndex(([s]) => s === sop);
      if (i < 0) throw new Error(`no context for ${sop}`);
      return i;
    };
    return { conn, spec, contextOf: (sop) => 2 * index(sop) + 1, tsOf: (sop) => spec.contexts[index(sop)][1] };
  }

  /** A DIMSE message from `side`: command (group length added) and optional data set, fragmented to fit the receiver's maximum. */
  send(a: Assoc, side: Side, sop: string, command: Cmd, dataSetBytes?: Uint8Array): this {
    const pc = a.contextOf(sop);
    const max = a.spec.maxPdu ?? { requestor: 16384, acceptor: 16384 };
    const receiverMax = side === 'requestor' ? max.acceptor : max.requestor;
    this.data(a.conn, side, this.fragments(pc, true, commandSet(command), receiverMax));
    if (dataSetBytes) this.data(a.conn, side, this.fragments(pc, false, dataSetBytes, receiverMax));
    return this;
  }

  /** P-DATA-TF PDUs of one PDV each, no larger than `max` (0: unlimited). */
  private fragments(pc: number, isCommand: boolean, value: Uint8Array, max: number): Uint8Array {
    const room = max > 0 ? max - 6 : Math.max(value.length, 1);
    const pdus: Uint8Array[] = [];
    let i = 0;
    do {
      const part = value.subarray(i, i + room);
      i += part.length;
      pdus.push(encodePDataTf([{ presentationContextId: pc, isCommand, isLast: i >= value.length, value: part }]));
    } while (i < value.length);
    return concatBytes(pdus);
  }

  release(a: Assoc): this {
    this.data(a.conn, 'requestor', encodeAReleaseRq());
    this.data(a.conn, 'acceptor', encodeAReleaseRp());
    this.events.push({ kind: 'close', conn: a.conn, time: this.tick(), from: 'requestor', how: 'fin' });
    this.events.push({ kind: 'close', conn: a.conn, time: this.tick(), from: 'acceptor', how: 'fin' });
    return this;
  }

  refused(requestor: Endpoint, acceptor: Endpoint): this {
    this.events.push({ kind: 'refused', conn: ++this.conns, time: this.tick(), requestor, acceptor, reason: 'ECONNREFUSED 192.168.1.10:105' });
    return this;
  }

  data(conn: number, from: Side, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += this.readBytes) this.events.push({ kind: 'data', conn, time: this.tick(), from, bytes: bytes.subarray(i, i + this.readBytes) });
  }
}

/** Command sets of the messages the tests send (PS3.7 §9.3), group length added by `commandSet`. */
export const cmd = {
  findRq: (id: number): Cmd => [[0x0002, 'UI', SOP.find], [0x0100, 'US', [0x0020]], [0x0110, 'US', [id]], [0x0700, 'US', [0]], [0x0800, 'US', [0]]],
  findRsp: (to: number, status: number, withData: boolean): Cmd => [[0x0002, 'UI', SOP.find], [0x0100, 'US', [0x8020]], [0x0120, 'US', [to]], [0x0800, 'US', [withData ? 0 : 0x0101]], [0x0900, 'US', [status]]],
  moveRq: (id: number, dest: string): Cmd => [[0x0002, 'UI', SOP.move], [0x0100, 'US', [0x0021]], [0x0110, 'US', [id]], [0x0600, 'AE', dest], [0x0700, 'US', [0]], [0x0800, 'US', [0]]],
  moveRsp: (to: number, status: number, c: [number | null, number, number, number]): Cmd => [
    [0x0002, 'UI', SOP.move], [0x0100, 'US', [0x8021]], [0x0120, 'US', [to]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [status]],
    ...(c[0] === null ? [] : ([[0x1020, 'US', [c[0]]]] as Cmd)), [0x1021, 'US', [c[1]]], [0x1022, 'US', [c[2]]], [0x1023, 'US', [c[3]]],
  ],
  storeRq: (id: number, sop: string, uid: string, originator?: [string, number]): Cmd => [
    [0x0002, 'UI', sop], [0x0100, 'US', [0x0001]], [0x0110, 'US', [id]], [0x0700, 'US', [0]], [0x0800, 'US', [0]], [0x1000, 'UI', uid],
    ...(originator ? ([[0x1030, 'AE', originator[0]], [0x1031, 'US', [originator[1]]]] as Cmd) : []),
  ],
  storeRsp: (to: number, sop: string, uid: string, status = 0): Cmd => [[0x0002, 'UI', sop], [0x0100, 'US', [0x8001]], [0x0120, 'US', [to]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [status]], [0x1000, 'UI', uid]],
};
