/**
 * One TCP connection seen in a capture: its handshake (RFC 9293 §3.5), two
 * reassembled directions, how it ends (FIN §3.6, RST §3.5.2), and whether it
 * is DICOM. Until that is decided its first events are held (bounded); a
 * non-DICOM connection emits nothing and stops being reassembled.
 *
 * A connection caught mid-stream on no known DICOM port is DICOM when one
 * side's first bytes are an A-ASSOCIATE-RQ, or when either direction proves
 * it by its PDU headers (mid-stream-detect.ts; any direction whose window
 * holds none makes it not DICOM). Its requestor is then guessed, in this
 * order: the sender of an A-ASSOCIATE-AC/RJ is the acceptor; the sender of a
 * C-ECHO/FIND/GET/MOVE request (or C-CANCEL), or of a C-STORE-RQ of a C-MOVE
 * sub-operation, is the requestor, of their responses the acceptor
 * (commandSide); otherwise the side with the higher port (the ephemeral one,
 * RFC 6335 §6) is the requestor, and that acceptor port is not learnt.
 *
 * DICOM over TLS (PS3.15 Annex B): a connection to a DICOM port (or to 2762,
 * the port registered for it) whose requestor opens with a TLS handshake is
 * watched, not decoded: its handshake is read in clear and one `tls` event
 * says what it showed before the connection's close (../tls/capture-observer.ts).
 */
import type { Endpoint, Side, WireEvent } from '../wire-event.ts';
import { ASSOCIATE_RQ_PROBE_BYTES, looksLikeAssociateRq } from './dicom-detect.ts';
import { COMMAND_SNIFF_BYTES, commandSide, MidStreamProbe } from './mid-stream-detect.ts';
import type { ByteSlab } from './byte-slab.ts';
import { TcpDirection } from './tcp-direction.ts';
import { looksLikeTlsHandshake } from '../tls/tls-records.ts';
import { TlsCaptureObserver } from '../tls/capture-observer.ts';

/** The port registered for DICOM over TLS (IANA "dicom-tls"; PS3.15 B.1). */
const DICOM_TLS_PORT = 2762;
import type { DirectionSink, HeldBudget } from './tcp-direction.ts';
import { TcpFlag } from './tcp-segment.ts';
import type { TcpSegment } from './tcp-segment.ts';

/** Events held while a connection is undecided; beyond this it is taken as not DICOM. */
const MAX_UNDECIDED_BYTES = 1024 * 1024;

/** What a connection needs from the tracker that owns it. */
export interface ConnectionContext {
  emit(event: WireEvent): void;
  nextConn(): number;
  isDicomPort(port: number): boolean;
  learnDicomPort(port: number): void;
  maxOutOfOrderBytes: number;
  /** Out-of-order bytes held by all connections together (tcp-direction.ts). */
  held: HeldBudget;
  slab: ByteSlab;
}

type Held = { d: 0 | 1; time: number } & ({ kind: 'data'; bytes: Uint8Array } | { kind: 'gap'; length: number } | { kind: 'fin' });

export class TcpConnection {
  phase: 'syn-sent' | 'open' | 'closed' = 'open';
  decision: 'pending' | 'dicom' | 'ignore' = 'pending';
  /** Whether direction 0 (from `first`) is the requestor's; null while unknown (mid-stream, undecided). */
  requestorIsFirst: boolean | null = null;
  midStream = false;
  conn = 0;
  opened = false;
  closedAt = -1;
  lastTime: number;
  private synTime = 0;
  private openTime: number;
  private readonly dirs: [TcpDirection, TcpDirection];
  private readonly sinks: [DirectionSink, DirectionSink];
  private readonly finSeen = [false, false];
  private held: Held[] = [];
  private heldBytes = 0;
  private readonly probes = [new Uint8Array(ASSOCIATE_RQ_PROBE_BYTES), new Uint8Array(ASSOCIATE_RQ_PROBE_BYTES)];
  /** Bytes in each probe; -1 when that direction can no longer be probed (a gap came first). */
  private readonly probeLength = [0, 0];
  /** Mid-stream with no known DICOM port: the probes of PDU headers, per direction. */
  private midProbes: [MidStreamProbe, MidStreamProbe] | null = null;
  /** A DICOM connection that opened with a TLS handshake: watched, not decoded; null until (or unless) it does. */
  private tls: TlsCaptureObserver | null = null;
  private tlsChecked = false;
  private tlsEmitted = false;

  /**
   * @param first the source of the first packet seen; `second` its destination.
   */
  constructor(
    readonly key: string,
    readonly firstKey: string,
    private readonly first: Endpoint,
    private readonly second: Endpoint,
    private readonly ctx: ConnectionContext,
    seg: TcpSegment,
    time: number,
  ) {
    this.lastTime = time;
    this.openTime = time;
    this.dirs = [new TcpDirection(ctx.maxOutOfOrderBytes, ctx.slab, ctx.held), new TcpDirection(ctx.maxOutOfOrderBytes, ctx.slab, ctx.held)];
    this.sinks = [this.sink(0), this.sink(1)];
    const syn = (seg.flags & TcpFlag.SYN) !== 0;
    const ack = (seg.flags & TcpFlag.ACK) !== 0;
    if (syn && !ack) {
      // Handshake seen from its start: the sender is the requestor.
      this.phase = 'syn-sent';
      this.synTime = time;
      this.requestorIsFirst = true;
      if (ctx.isDicomPort(second.port)) this.decision = 'dicom';
    } else if (syn && ack) {
      // The capture starts at the SYN-ACK: the sender is the acceptor, nothing was missed.
      this.requestorIsFirst = false;
      if (ctx.isDicomPort(first.port)) this.decision = 'dicom';
    } else {
      this.midStream = true;
      const firstKnown = ctx.isDicomPort(first.port);
      const secondKnown = ctx.isDicomPort(second.port);
      if (firstKnown || secondKnown) {
        this.decision = 'dicom';
        // The side on a DICOM port is the acceptor; if both are, the lower port.
        this.requestorIsFirst = firstKnown !== secondKnown ? secondKnown : first.port >= second.port;
      } else {
        this.midProbes = [new MidStreamProbe(), new MidStreamProbe()];
      }
    }
  }

  get requestor(): Endpoint {
    return this.requestorIsFirst === false ? this.second : this.first;
  }

  get acceptor(): Endpoint {
    return this.requestorIsFirst === false ? this.first : this.second;
  }

  /** For a packet between these endpoints: true if it comes from `first`, false if from `second`, null if it is not of this connection. */
  isFrom(srcHost: string, srcPort: number, dstHost: string, dstPort: number): boolean | null {
    const a = this.first;
    const b = this.second;
    if (srcPort === a.port && dstPort === b.port && srcHost === a.host && dstHost === b.host) return true;
    if (srcPort === b.port && dstPort === a.port && srcHost === b.host && dstHost === a.host) return false;
    return null;
  }

  /** A retransmission of the SYN that opened this connection (not a new connection on the same ports). */
  isSameSyn(fromFirst: boolean, seq: number): boolean {
    return fromFirst && this.requestorIsFirst === true && this.dirs[0].isn === seq && this.phase !== 'closed';
  }

  packet(seg: TcpSegment, fromFirst: boolean, time: number): void {
    this.lastTime = time;
    if (this.phase === 'closed') return;
    const d = fromFirst ? 0 : 1;
    const flags = seg.flags;
    if (flags & TcpFlag.RST) {
      this.reset(d, time);
      return;
    }
    if (this.decision === 'ignore') {
      if (flags & TcpFlag.FIN) this.finSeen[d] = true;
      if (this.finSeen[0] && this.finSeen[1]) this.close(time);
      return;
    }
    let seq = seg.seq;
    if (flags & TcpFlag.SYN) {
      this.dirs[d].syn(seq);
      if (flags & TcpFlag.ACK && this.phase === 'syn-sent' && !this.isRequestorDir(d)) this.establish(time);
      if (seg.payloadLength === 0 && !(flags & TcpFlag.FIN)) return;
      seq = (seq + 1) >>> 0; // data on a SYN starts after the ISN
    } else if (this.phase === 'syn-sent') {
      this.establish(time); // the SYN-ACK was not captured
    }
    if (!this.opened && this.decision === 'dicom') this.emitOpen();
    // What this side acknowledges of the other's bytes ends the other's wait for holes the capture lost.
    if (flags & TcpFlag.ACK) this.dirs[d ^ 1].acked(seg.ack, time, this.sinks[d ^ 1]);
    this.dirs[d].segment(seq, seg.payload, seg.payloadLength, (flags & TcpFlag.FIN) !== 0, time, this.sinks[d]);
  }

  /** The capture is over (or the 4-tuple is reused): holes become gaps, pending FINs are delivered. */
  finish(): void {
    if (this.phase === 'syn-sent' && this.decision === 'dicom') {
      this.refuse(this.synTime, 'no answer to SYN before the capture ended');
      return;
    }
    if (this.phase === 'closed') return;
    if (this.decision === 'pending' && this.midProbes !== null) {
      this.decideAtEnd(this.lastTime);
      return;
    }
    if (!this.opened) return;
    this.dirs[0].flush(this.lastTime, this.sinks[0]);
    this.dirs[1].flush(this.lastTime, this.sinks[1]);
    this.tlsFacts(this.lastTime);
  }

  /** True when these bytes belong to a TLS connection (watched, not emitted). */
  private watchTls(d: 0 | 1, bytes: Uint8Array): boolean {
    if (!this.tlsChecked && this.isRequestorDir(d)) {
      this.tlsChecked = true;
      if (looksLikeTlsHandshake(bytes)) this.tls = new TlsCaptureObserver();
    }
    this.tls?.push(this.side(d), bytes);
    return this.tls !== null;
  }

  /** The TLS facts, once, before the connection's first close. */
  private tlsFacts(time: number): void {
    if (!this.tls || this.tlsEmitted || !this.opened) return;
    this.tlsEmitted = true;
    this.ctx.emit(this.tls.event(this.conn, time));
  }

  /** Undecided mid-stream and the connection ends: what was captured is all there is (a PDU that ends exactly at the end counts). */
  private decideAtEnd(time: number): void {
    this.dirs[0].flush(time, this.sinks[0]);
    this.dirs[1].flush(time, this.sinks[1]);
    if (this.decision !== 'pending' || this.midProbes === null) return;
    this.midProbes[0].end();
    this.midProbes[1].end();
    this.decide();
    if (this.decision === 'pending') this.settle(false);
  }

  private isRequestorDir(d: 0 | 1): boolean {
    return (d === 0) === (this.requestorIsFirst !== false);
  }

  private side(d: 0 | 1): Side {
    return this.isRequestorDir(d) ? 'requestor' : 'acceptor';
  }

  private establish(time: number): void {
    this.phase = 'open';
    this.openTime = time;
    if (this.decision === 'dicom') this.emitOpen();
  }

  private emitOpen(): void {
    if (this.opened) return;
    this.opened = true;
    this.conn = this.ctx.nextConn();
    const open: WireEvent = { kind: 'open', conn: this.conn, time: this.openTime, requestor: this.requestor, acceptor: this.acceptor };
    if (this.midStream) open.midStream = true;
    this.ctx.emit(open);
  }

  private reset(d: 0 | 1, time: number): void {
    if (this.phase === 'syn-sent') {
      if (!this.isRequestorDir(d)) this.refuse(time, 'connection refused (RST)');
      this.close(time);
      return;
    }
    if (this.decision === 'pending' && this.midProbes !== null) this.decideAtEnd(time);
    if (this.opened) {
      this.dirs[0].flush(time, this.sinks[0]);
      this.dirs[1].flush(time, this.sinks[1]);
      this.tlsFacts(time);
      this.ctx.emit({ kind: 'close', conn: this.conn, time, from: this.side(d), how: 'reset' });
    }
    this.close(time);
  }

  private refuse(time: number, reason: string): void {
    this.conn = this.ctx.nextConn();
    this.ctx.emit({ kind: 'refused', conn: this.conn, time, requestor: this.requestor, acceptor: this.acceptor, reason });
    this.phase = 'closed';
  }

  private close(time: number): void {
    this.phase = 'closed';
    this.closedAt = time;
    this.dirs[0].discard();
    this.dirs[1].discard();
    this.held = [];
  }

  private sink(d: 0 | 1): DirectionSink {
    return {
      data: (bytes, time) => {
        if (this.decision === 'dicom') {
          if (!this.watchTls(d, bytes)) this.ctx.emit({ kind: 'data', conn: this.conn, time, from: this.side(d), bytes });
        }
        else if (this.decision === 'pending') this.hold({ kind: 'data', d, time, bytes });
      },
      gap: (length, time) => {
        if (this.decision === 'dicom' && this.tls === null) this.ctx.emit({ kind: 'gap', conn: this.conn, time, from: this.side(d), length });
        else if (this.decision === 'pending') this.hold({ kind: 'gap', d, time, length });
      },
      fin: (time) => {
        if (this.decision === 'dicom') this.tlsFacts(time);
        if (this.decision === 'dicom') this.ctx.emit({ kind: 'close', conn: this.conn, time, from: this.side(d), how: 'fin' });
        else if (this.decision === 'pending') this.hold({ kind: 'fin', d, time });
        this.finSeen[d] = true;
        if (this.dirs[0].finDelivered && this.dirs[1].finDelivered) this.close(time);
      },
    };
  }

  /** An event while undecided: keep it, and decide as soon as the first bytes allow. */
  private hold(h: Held): void {
    this.held.push(h);
    const d = h.d;
    if (h.kind === 'data') {
      this.heldBytes += h.bytes.length;
      const have = this.probeLength[d];
      if (have >= 0 && have < ASSOCIATE_RQ_PROBE_BYTES) {
        const take = Math.min(ASSOCIATE_RQ_PROBE_BYTES - have, h.bytes.length);
        this.probes[d].set(h.bytes.subarray(0, take), have);
        this.probeLength[d] = have + take;
      }
      this.midProbes?.[d].push(h.bytes);
    } else {
      if (this.probeLength[d] < ASSOCIATE_RQ_PROBE_BYTES) this.probeLength[d] = -1; // a gap or FIN before 8 bytes: this direction cannot be probed
      this.midProbes?.[d].end();
    }
    this.decide();
  }

  private decide(): void {
    const full = (d: 0 | 1) => this.probeLength[d] === ASSOCIATE_RQ_PROBE_BYTES;
    if (this.requestorIsFirst !== null) {
      const r: 0 | 1 = this.requestorIsFirst ? 0 : 1;
      const a: 0 | 1 = r === 0 ? 1 : 0;
      if (full(r)) this.settle(looksLikeAssociateRq(this.probes[r]) || (looksLikeTlsHandshake(this.probes[r]) && this.acceptor.port === DICOM_TLS_PORT));
      else if (this.probeLength[r] < 0 || this.probeLength[a] !== 0) this.settle(false); // DICOM acceptors never speak first
    } else {
      // Mid-stream with no DICOM port: one side's first bytes are an A-ASSOCIATE-RQ (then it is the requestor), or the PDU headers prove it.
      for (const d of [0, 1] as const) {
        if (!full(d) || !looksLikeAssociateRq(this.probes[d])) continue;
        this.requestorIsFirst = d === 0;
        this.settle(true);
        return;
      }
      const [p0, p1] = this.midProbes as [MidStreamProbe, MidStreamProbe];
      if (p0.verdict === 'dicom' || p1.verdict === 'dicom') {
        this.settle(true, this.guessRequestor(p0.verdict === 'dicom' ? 0 : 1));
        return;
      }
      if (p0.verdict === 'not' || p1.verdict === 'not' || (p0.verdict !== 'scanning' && p1.verdict !== 'scanning')) this.settle(false);
    }
    if (this.decision === 'pending' && this.heldBytes > MAX_UNDECIDED_BYTES) this.settle(false);
  }

  /**
   * Sets requestorIsFirst for a connection that direction `d` proved DICOM
   * mid-stream (the rule in the header comment). True when the bytes told;
   * false when it is the port guess.
   */
  private guessRequestor(d: 0 | 1): boolean {
    const probe = (this.midProbes as [MidStreamProbe, MidStreamProbe])[d];
    let dIsRequestor: boolean | null = null;
    if (probe.foundType === 2 || probe.foundType === 3) dIsRequestor = false;
    else if (probe.foundType === 4) {
      const side = commandSide(this.heldStream(d, probe.foundAt, COMMAND_SNIFF_BYTES));
      if (side !== null) dIsRequestor = side === 'requestor';
    }
    if (dIsRequestor !== null) {
      this.requestorIsFirst = dIsRequestor === (d === 0);
      return true;
    }
    this.requestorIsFirst = this.first.port >= this.second.port;
    return false;
  }

  /** Up to `n` held bytes of direction `d` from stream offset `at` (data before its first gap). */
  private heldStream(d: 0 | 1, at: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let offset = 0;
    for (const h of this.held) {
      if (h.d !== d) continue;
      if (h.kind !== 'data') break;
      const from = Math.max(at + filled - offset, 0);
      if (from < h.bytes.length) {
        const part = h.bytes.subarray(from, from + n - filled);
        out.set(part, filled);
        filled += part.length;
        if (filled === n) break;
      }
      offset += h.bytes.length;
    }
    return out.subarray(0, filled);
  }

  /** `learnPort`: remember the acceptor's port as DICOM (not when the acceptor was only guessed). */
  private settle(dicom: boolean, learnPort = true): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.midProbes = null;
    if (!dicom) {
      this.decision = 'ignore';
      this.dirs[0].discard();
      this.dirs[1].discard();
      return;
    }
    this.decision = 'dicom';
    if (learnPort) this.ctx.learnDicomPort(this.acceptor.port);
    this.emitOpen();
    for (const h of held) {
      const sink = this.sinks[h.d];
      if (h.kind === 'data') sink.data(h.bytes, h.time);
      else if (h.kind === 'gap') sink.gap(h.length, h.time);
      else sink.fin(h.time);
    }
  }
}
