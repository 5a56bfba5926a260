/**
 * Large files for the memory tests of issue 14 §5, written to disk in a
 * stream (never held whole): a recording of many short C-ECHO associations,
 * and a pcapng of C-STORE associations whose capture dropped segments (as
 * dumpcap does when the disk falls behind).
 */
import { createWriteStream } from 'node:fs';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { encodeHeader, encodeRecord } from '../../../shared/capture/recording/encode.ts';
import { concatBytes, encodeAAssociateAc, encodeAAssociateRq, encodeAReleaseRp, encodeAReleaseRq, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { commandSet } from '../dimse/encode.ts';
import { ACK, linkFrame, PSH, SYN, FIN, tcpPacket } from './capture-builder.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const CT = '1.2.840.10008.5.1.4.1.1.2';

/** Writes chunks to `path`, waiting for the stream when it is full. */
class FileSink {
  private readonly stream;
  private parts: Uint8Array[] = [];
  private size = 0;
  bytes = 0;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  async write(b: Uint8Array): Promise<void> {
    this.parts.push(b);
    this.size += b.length;
    this.bytes += b.length;
    if (this.size >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    const chunk = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** The PDUs of one C-ECHO association (PS3.7 §9.1.5), requestor and acceptor steps in order. */
export function echoDialog(messageId = 1): { from: 'requestor' | 'acceptor'; bytes: Uint8Array }[] {
  const ui = { maxLength: 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_TEST' };
  const rq = encodeAAssociateRq({ callingAeTitle: 'ECHOSCU', calledAeTitle: 'ANY-SCP', presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }], userInformation: ui });
  const ac = encodeAAssociateAc({ callingAeTitle: 'ECHOSCU', calledAeTitle: 'ANY-SCP', presentationContexts: [{ id: 1, result: 0, transferSyntax: IMPLICIT_LE }], userInformation: ui });
  const echoRq = commandSet([
    [0x0002, 'UI', VERIFICATION],
    [0x0100, 'US', [0x0030]],
    [0x0110, 'US', [messageId]],
    [0x0800, 'US', [0x0101]],
  ]);
  const echoRsp = commandSet([
    [0x0002, 'UI', VERIFICATION],
    [0x0100, 'US', [0x8030]],
    [0x0120, 'US', [messageId]],
    [0x0800, 'US', [0x0101]],
    [0x0900, 'US', [0x0000]],
  ]);
  return [
    { from: 'requestor', bytes: rq },
    { from: 'acceptor', bytes: ac },
    { from: 'requestor', bytes: encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: echoRq }]) },
    { from: 'acceptor', bytes: encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: echoRsp }]) },
    { from: 'requestor', bytes: encodeAReleaseRq() },
    { from: 'acceptor', bytes: encodeAReleaseRp() },
  ];
}

/** The wire events of C-ECHO association number `conn` (1-based), starting at `t0`. */
export function echoConnection(conn: number, t0: number): WireEvent[] {
  const requestor = { host: `10.${(conn >> 16) & 0xff}.${(conn >> 8) & 0xff}.${conn & 0xff}`, port: 40000 + (conn % 20000) };
  const acceptor = { host: '10.200.0.1', port: 104 };
  let t = t0;
  const events: WireEvent[] = [{ kind: 'open', conn, time: t, requestor, acceptor }];
  for (const step of echoDialog()) events.push({ kind: 'data', conn, time: (t += 0.2), from: step.from, bytes: step.bytes });
  events.push({ kind: 'close', conn, time: (t += 0.1), from: 'requestor', how: 'fin' }, { kind: 'close', conn, time: (t += 0.1), from: 'acceptor', how: 'fin' });
  return events;
}

/** A recording of `connections` short C-ECHO associations, one after another (a few overlapping). Returns the file size. */
export async function writeManyEchoesRecording(path: string, connections: number): Promise<number> {
  const out = new FileSink(path);
  await out.write(encodeHeader({ tool: { name: 'pacscope', version: 'test' }, startTime: Date.UTC(2026, 0, 5, 8), source: { kind: 'test', description: `${connections} C-ECHO associations` }, metadata: {} }));
  const t0 = Date.UTC(2026, 0, 5, 8);
  for (let c = 1; c <= connections; c++) for (const e of echoConnection(c, t0 + c * 2)) await out.write(encodeRecord(e));
  await out.close();
  return out.bytes;
}

function pcapngBlock(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, out.length, true);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, true);
  return out;
}

function enhancedPacket(timeMs: number, frame: Uint8Array): Uint8Array {
  const units = Math.round(timeMs * 1000);
  const body = new Uint8Array(20 + frame.length);
  const v = new DataView(body.buffer);
  v.setUint32(4, Math.floor(units / 4294967296), true);
  v.setUint32(8, units % 4294967296, true);
  v.setUint32(12, frame.length, true);
  v.setUint32(16, frame.length, true);
  body.set(frame, 20);
  return pcapngBlock(6, body);
}

export interface LossyStoreOptions {
  /** Associations, one after another on new ports. */
  associations: number;
  /** C-STOREs per association, and each data set's size. */
  instances: number;
  dataSetBytes: number;
  /** One data segment in this many is missing from the capture (0: none). */
  dropEvery: number;
  /** Associations open at once (their segments interleaved), default 4. */
  concurrent?: number;
  /** Only the requestor's packets were captured (asymmetric routing): no acknowledgment ever tells a hole was lost. */
  oneWay?: boolean;
}

/** One direction of a TCP connection being cut into 1448-byte segments. */
interface Flow {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  seq: number;
  /** The other direction (whose bytes this one acknowledges). */
  peer?: Flow;
}

/**
 * A pcapng (Ethernet, IPv4) of C-STORE associations of `dataSetBytes` each,
 * `concurrent` at a time with their packets interleaved, where one data
 * segment in `dropEvery` was not captured. Returns the file size and how
 * many segments were dropped.
 */
export async function writeLossyStorePcapng(path: string, o: LossyStoreOptions): Promise<{ bytes: number; dropped: number }> {
  const out = new FileSink(path);
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, true);
  sv.setUint16(4, 1, true);
  sv.setInt32(8, -1, true);
  sv.setInt32(12, -1, true);
  await out.write(pcapngBlock(0x0a0d0d0a, shb));
  const idb = new Uint8Array(8);
  new DataView(idb.buffer).setUint16(0, 1, true);
  await out.write(pcapngBlock(1, idb));

  const ui = { maxLength: 16384, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_TEST' };
  const rq = encodeAAssociateRq({ callingAeTitle: 'STORESCU', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, abstractSyntax: CT, transferSyntaxes: [IMPLICIT_LE] }], userInformation: ui });
  const ac = encodeAAssociateAc({ callingAeTitle: 'STORESCU', calledAeTitle: 'STORESCP', presentationContexts: [{ id: 1, result: 0, transferSyntax: IMPLICIT_LE }], userInformation: ui });
  // The data set: Pixel Data (7FE0,0010) alone, implicit VR little endian (PS3.5 §7.1.3): tag, 32-bit length, value.
  const pixels = new Uint8Array(8 + (o.dataSetBytes & ~1));
  new DataView(pixels.buffer).setUint16(0, 0x7fe0, true);
  new DataView(pixels.buffer).setUint16(2, 0x0010, true);
  new DataView(pixels.buffer).setUint32(4, pixels.length - 8, true);
  for (let i = 8; i < pixels.length; i++) pixels[i] = (i * 13) & 0xff;
  const store = (n: number): Uint8Array => {
    const command = commandSet([
      [0x0002, 'UI', CT],
      [0x0100, 'US', [0x0001]],
      [0x0110, 'US', [n]],
      [0x0700, 'US', [0]],
      [0x0800, 'US', [0x0000]],
      [0x1000, 'UI', `1.2.826.0.1.3680043.10.2.${n}`],
    ]);
    const pdus = [encodePDataTf([{ presentationContextId: 1, isCommand: true, isLast: true, value: command }])];
    const max = 16384 - 6;
    for (let i = 0; i < pixels.length; i += max) pdus.push(encodePDataTf([{ presentationContextId: 1, isCommand: false, isLast: i + max >= pixels.length, value: pixels.subarray(i, i + max) }]));
    return concatBytes(pdus);
  };
  const storeRsp = (n: number): Uint8Array =>
    encodePDataTf([
      {
        presentationContextId: 1,
        isCommand: true,
        isLast: true,
        value: commandSet([
          [0x0002, 'UI', CT],
          [0x0100, 'US', [0x8001]],
          [0x0120, 'US', [n]],
          [0x0800, 'US', [0x0101]],
          [0x0900, 'US', [0x0000]],
        ]),
      },
    ]);

  let time = Date.UTC(2026, 0, 5, 9);
  let dataSegments = 0;
  let dropped = 0;
  // Each packet acknowledges all the other side sent so far, as a receiver does (dropped segments were lost by the capture, not by the network).
  const packet = async (f: Flow, flags: number, payload?: Uint8Array) => {
    if (o.oneWay && f.sport === 11112) return;
    await out.write(enhancedPacket((time += 0.01), linkFrame('ethernet', tcpPacket({ src: f.src, sport: f.sport, dst: f.dst, dport: f.dport, seq: f.seq, ack: f.peer?.seq ?? 0, flags, payload }))));
  };
  /** The segments of `bytes` on flow `f`, some dropped. */
  async function* segments(f: Flow, bytes: Uint8Array): AsyncGenerator<void> {
    for (let i = 0; i < bytes.length; i += 1448) {
      const part = bytes.subarray(i, i + 1448);
      dataSegments += 1;
      if (o.dropEvery > 0 && dataSegments % o.dropEvery === 0) dropped += 1;
      else await packet(f, ACK | PSH, part);
      f.seq = (f.seq + part.length) >>> 0;
      yield;
    }
  }
  /** One association's packets, yielding after each so that several interleave. */
  async function* association(k: number): AsyncGenerator<void> {
    const c: Flow = { src: '10.1.0.1', sport: 30000 + (k % 30000), dst: '10.1.0.2', dport: 11112, seq: (k * 7919) >>> 0 };
    const s: Flow = { src: '10.1.0.2', sport: 11112, dst: '10.1.0.1', dport: c.sport, seq: (k * 104729) >>> 0, peer: c };
    c.peer = s;
    await packet(c, SYN);
    await packet(s, SYN | ACK);
    c.seq = (c.seq + 1) >>> 0;
    s.seq = (s.seq + 1) >>> 0;
    yield* segments(c, rq);
    yield* segments(s, ac);
    for (let n = 1; n <= o.instances; n++) {
      yield* segments(c, store(n));
      yield* segments(s, storeRsp(n));
    }
    yield* segments(c, encodeAReleaseRq());
    yield* segments(s, encodeAReleaseRp());
    await packet(c, FIN | ACK);
    await packet(s, FIN | ACK);
  }
  const concurrent = o.concurrent ?? 4;
  let next = 0;
  const running: AsyncGenerator<void>[] = [];
  while (next < o.associations || running.length > 0) {
    while (running.length < concurrent && next < o.associations) running.push(association(next++));
    for (let i = 0; i < running.length; ) {
      const r = await running[i].next();
      if (r.done) running.splice(i, 1);
      else i++;
    }
  }
  await out.close();
  return { bytes: out.bytes, dropped };
}
