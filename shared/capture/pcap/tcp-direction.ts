/**
 * Reassembly of one direction of a TCP connection (RFC 9293 §3.4 sequence
 * numbers, §3.10.7.4 segment arrival): segments are placed by sequence
 * number modulo 2^32, retransmitted and overlapping bytes are trimmed,
 * out-of-order segments are held (bounded) and delivered in order, and a hole
 * that cannot be filled becomes a gap of known length.
 *
 * Stream positions are kept as plain numbers relative to the first sequence
 * number after the SYN (or the first segment seen, mid-stream), so streams
 * longer than 4 GiB work: an incoming sequence number is placed by its signed
 * 32-bit distance from the next expected one.
 *
 * Memory is bounded whatever the capture lost (issue 14): a hole is declared
 * a gap as soon as the other side acknowledges bytes beyond its start (TCP
 * acknowledges only what was received, RFC 9293 §3.4: acknowledged bytes
 * the capture lacks were dropped by the capture and never come), when this
 * direction holds more than `maxHeldBytes`, or when all the connections of
 * the capture together hold more than their shared budget. Held segments are
 * copies of their own, not slab views: a held segment must not keep a slab
 * of delivered bytes alive.
 */

/** What a direction delivers, in stream order. `bytes` are owned by the receiver (copied out of the capture). */
import type { ByteSlab } from './byte-slab.ts';

export interface DirectionSink {
  data(bytes: Uint8Array, time: number): void;
  gap(length: number, time: number): void;
  fin(time: number): void;
}

/** Out-of-order bytes held by every direction of a capture together, and their limit. */
export interface HeldBudget {
  bytes: number;
  readonly max: number;
}

interface HeldSegment {
  start: number;
  /** Captured bytes (a copy); may be shorter than `length` when the capture truncated the packet. */
  bytes: Uint8Array;
  length: number;
}

export class TcpDirection {
  /** Sequence number of stream position 0. */
  private base = 0;
  /** Next stream position expected. */
  private next = 0;
  started = false;
  /** The ISN when a SYN was seen (-1 otherwise). */
  isn = -1;
  /** Stream position of the FIN (-1: none seen). */
  private finAt = -1;
  finDelivered = false;
  private held: HeldSegment[] = [];
  private heldBytes = 0;

  constructor(
    private readonly maxHeldBytes: number,
    private readonly slab: ByteSlab,
    private readonly budget: HeldBudget = { bytes: 0, max: Infinity },
  ) {}

  /** Bytes delivered or declared missing so far. */
  get position(): number {
    return this.next;
  }

  /** A SYN: the stream starts after the ISN (RFC 9293 §3.4.1, the SYN occupies one sequence number). */
  syn(isn: number): void {
    this.isn = isn;
    if (this.started) return;
    this.base = (isn + 1) >>> 0;
    this.next = 0;
    this.started = true;
  }

  /** One segment: `payload` is what was captured of its `length` bytes on the wire. */
  segment(seq: number, payload: Uint8Array, length: number, fin: boolean, time: number, sink: DirectionSink): void {
    if (!this.started) {
      this.base = seq;
      this.next = 0;
      this.started = true;
    }
    const expected = (this.base + this.next) >>> 0;
    const start = this.next + ((seq - expected) | 0);
    const end = start + length;
    if (fin && this.finAt < 0) this.finAt = end;
    if (length > 0 && end > this.next) {
      if (start <= this.next) {
        this.deliver(payload, length, this.next - start, time, sink, true);
        this.drain(time, sink);
      } else {
        this.hold(start, payload, length, time, sink);
      }
    }
    this.checkFin(time, sink);
  }

  /**
   * The other side acknowledged everything before sequence number `ack`:
   * bytes before it that this direction still lacks were lost by the
   * capture, not by the network (they were received), so the holes before it
   * become gaps now and what is held behind them is delivered.
   */
  acked(ack: number, time: number, sink: DirectionSink): void {
    if (!this.started || this.held.length === 0) return;
    const distance = (ack - ((this.base + this.next) >>> 0)) | 0;
    if (distance <= 0) return;
    const upTo = this.next + distance;
    while (this.held.length > 0 && this.next < upTo) {
      const first = this.held[0];
      if (first.start > this.next) {
        const end = Math.min(first.start, upTo);
        sink.gap(end - this.next, time);
        this.next = end;
      }
      this.drain(time, sink);
    }
    this.checkFin(time, sink);
  }

  /** End of the connection or of the capture: every hole becomes a gap, held data is delivered, a pending FIN is delivered. */
  flush(time: number, sink: DirectionSink): void {
    this.releaseHeld(time, sink);
    if (this.finAt > this.next && !this.finDelivered) {
      sink.gap(this.finAt - this.next, time);
      this.next = this.finAt;
    }
    this.checkFin(time, sink);
  }

  /** Drops held data (the connection is no longer of interest). */
  discard(): void {
    this.budget.bytes -= this.heldBytes;
    this.held = [];
    this.heldBytes = 0;
  }

  /** Every hole becomes a gap and everything held is delivered. */
  private releaseHeld(time: number, sink: DirectionSink): void {
    while (this.held.length > 0) {
      const first = this.held[0];
      if (first.start > this.next) {
        sink.gap(first.start - this.next, time);
        this.next = first.start;
      }
      this.drain(time, sink);
    }
  }

  private deliver(bytes: Uint8Array, length: number, skip: number, time: number, sink: DirectionSink, copy: boolean): void {
    const capturedEnd = bytes.length;
    if (skip < capturedEnd) sink.data(copy ? this.slab.copy(bytes.subarray(skip)) : bytes.subarray(skip), time);
    const missing = length - Math.max(skip, capturedEnd);
    if (missing > 0) sink.gap(missing, time);
    this.next += length - skip;
  }

  private drain(time: number, sink: DirectionSink): void {
    const held = this.held;
    let i = 0;
    while (i < held.length && held[i].start <= this.next) {
      const s = held[i++];
      this.heldBytes -= s.length;
      this.budget.bytes -= s.length;
      const end = s.start + s.length;
      if (end > this.next) this.deliver(s.bytes, s.length, this.next - s.start, time, sink, false);
    }
    if (i > 0) held.splice(0, i);
  }

  private hold(start: number, payload: Uint8Array, length: number, time: number, sink: DirectionSink): void {
    const held = this.held;
    let i = held.length;
    while (i > 0 && held[i - 1].start > start) i--;
    // The same segment again (a retransmission of held data): keep one copy.
    if (i > 0 && held[i - 1].start === start && held[i - 1].length >= length) return;
    held.splice(i, 0, { start, bytes: payload.slice(), length });
    this.heldBytes += length;
    this.budget.bytes += length;
    while (this.heldBytes > this.maxHeldBytes && held.length > 0) {
      const first = held[0];
      if (first.start > this.next) {
        sink.gap(first.start - this.next, time);
        this.next = first.start;
      }
      this.drain(time, sink);
    }
    // Every connection together holds too much: this one gives up waiting for its holes.
    if (this.budget.bytes > this.budget.max) this.releaseHeld(time, sink);
  }

  private checkFin(time: number, sink: DirectionSink): void {
    if (this.finAt >= 0 && !this.finDelivered && this.next >= this.finAt) {
      this.finDelivered = true;
      sink.fin(time);
    }
  }
}
