/**
 * The pacing of what the guard hands to dcmjs-dimse (association-gate.ts):
 * checked PDUs wait here in order and go on one DIMSE message per turn of
 * the event loop (the library handles a message in microtasks, so the next
 * one waits for the next turn and other connections, the UI and the
 * recorder get theirs in between), at most `rate` messages per second, a
 * new request only while the asynchronous operations window has room (PS3.7
 * Annex D.3.3.3: one at a time unless negotiated), and a C-CANCEL-RQ only
 * for an operation in progress (PS3.7 §9.3.2.3; one that names none changes
 * nothing and is dropped).
 */
import type { Delivery } from './message-guard.ts';

/** A PDU handed on as it came (A-ASSOCIATE-RQ, A-RELEASE-RQ), or what message-guard.ts made of a P-DATA-TF. */
export type Queued = Exclude<Delivery, { kind: 'drop' } | { kind: 'abort' }> | { kind: 'raw'; bytes: Uint8Array };

export interface QueueHost {
  isClosed(): boolean;
  /** DIMSE messages per second. */
  readonly rate: number;
  /** A request that opens an operation may go now (the window has room). */
  mayOpen(): boolean;
  /** The operation a C-CANCEL-RQ names is in progress and not cancelled yet. */
  cancellable(messageId: number): boolean;
  /** Hands one on; returns the bytes given to the library. */
  hand(d: Queued): number;
  record(kind: string, what: string): void;
  /** Runs later work in the connection's context (the last-resort net attributes failures by it). */
  later(fn: () => void, ms?: number): void;
}

/** Bytes handed to the library in one turn at most (C-STORE data, which is not parsed). */
const BYTES_PER_TURN = 256 * 1024;

export function sizeOf(d: Queued): number {
  if (d.kind === 'raw') return d.bytes.length;
  if (d.kind === 'respond') return d.command.length;
  return d.pdu ? d.pdu.length : d.pdvs.reduce((n, p) => n + p.value.length, 0);
}

export class DeliveryQueue {
  private items: Queued[] = [];
  /** Bytes waiting. */
  bytes = 0;
  private scheduled = false;
  private tokens: number;
  private refilled = Date.now();
  private throttled = false;

  constructor(private readonly host: QueueHost) {
    this.tokens = host.rate;
  }

  get length(): number {
    return this.items.length;
  }

  push(d: Queued): void {
    this.items.push(d);
    this.bytes += sizeOf(d);
  }

  clear(): void {
    this.items = [];
    this.bytes = 0;
  }

  /** Hands on what may go now; the rest on a later turn (or when an operation completes: call again). */
  pump(): void {
    if (this.scheduled) return;
    let bytes = 0;
    while (this.items.length > 0 && !this.host.isClosed()) {
      const d = this.items[0];
      if (d.kind === 'deliver') {
        if (d.cancels !== null && !this.host.cancellable(d.cancels)) {
          this.take();
          this.host.record('dropped', `C-CANCEL-RQ for message ${d.cancels}, which is not a C-FIND, C-MOVE or C-GET in progress (or was cancelled already)`);
          continue;
        }
        if (d.opens && !this.host.mayOpen()) return;
        if (d.endsMessage && !this.takeToken()) return;
      }
      this.take();
      bytes += this.host.hand(d);
      if ((d.kind !== 'deliver' || d.endsMessage || bytes >= BYTES_PER_TURN) && this.items.length > 0) {
        this.wait(0);
        return;
      }
    }
  }

  private take(): void {
    this.bytes -= sizeOf(this.items.shift()!);
  }

  private wait(ms: number): void {
    this.scheduled = true;
    this.host.later(() => {
      this.scheduled = false;
      this.pump();
    }, ms);
  }

  private takeToken(): boolean {
    const now = Date.now();
    const rate = this.host.rate;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilled) * rate) / 1000);
    this.refilled = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.throttled = false;
      return true;
    }
    if (!this.throttled) this.host.record('throttled', `more than ${rate} DIMSE messages per second: read more slowly`);
    this.throttled = true;
    this.wait(Math.ceil(((1 - this.tokens) * 1000) / rate));
    return false;
  }
}
