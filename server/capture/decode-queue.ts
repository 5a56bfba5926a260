/**
 * The hub's decoding in slices (issue 14): one socket read can bring
 * hundreds of DIMSE messages (64 KiB of C-ECHO-RQs is 800 of them), and
 * decoding them, folding them into the model and streaming them to the
 * browsers took 150–300 ms at once, while every socket, timer and HTTP
 * request of the process waited. Here a wire event is decoded at once when
 * nothing waits before it — the common case, so the model is as current as
 * before — but a data event is fed to the decoder in pieces of SLICE_BYTES
 * (the framer takes any chunking, PS3.8 §9.3.1), and once a slice has run
 * SLICE_MS the rest waits for the next turn of the event loop, with every
 * event after it, in order.
 *
 * Whoever reads the model synchronously (the summary, a message's details,
 * an association id) first calls `settle()`, which decodes what waits — not
 * from inside a delivery, where the model is as current as it can be.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';

/** How long one slice may decode before the event loop gets a turn (ms). */
export const SLICE_MS = 8;
/** Bytes of a data event fed to the decoder at a time (about 50 C-ECHO-RQs: a few ms at most). */
export const SLICE_BYTES = 4096;

/** A wire event to decode, with its record's place in the recording. */
export interface QueuedEvent {
  event: WireEvent;
  /** Offsets of its record: [start, end). */
  start: number;
  end: number;
}

export interface DecodeTarget {
  /** Decodes (part of) the event of the record starting at `start`. */
  decode(event: WireEvent, start: number): void;
  /** The whole event of the record ending at `end` has been decoded. */
  done(end: number): void;
}

export class DecodeQueue {
  private items: QueuedEvent[] = [];
  private head = 0;
  /** Bytes of the head data event already decoded. */
  private fed = 0;
  private running = false;
  private scheduled = false;
  /** Slices run on a later turn of the event loop (a burst's rest), and the longest slice (ms), for the benchmarks and tests. */
  deferred = 0;
  longestSlice = 0;

  constructor(private readonly target: DecodeTarget) {}

  /** Events waiting. */
  get waiting(): number {
    return this.items.length - this.head;
  }

  push(item: QueuedEvent): void {
    this.items.push(item);
    if (!this.running && !this.scheduled) this.run(SLICE_MS);
  }

  /** Decodes everything waiting now (a synchronous reader of the model); nothing from inside a delivery. */
  settle(): void {
    if (!this.running) this.run(Infinity);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running || this.head === this.items.length) return;
      this.deferred += 1;
      this.run(SLICE_MS);
    });
  }

  private run(budget: number): void {
    this.running = true;
    const start = performance.now();
    const deadline = start + budget;
    try {
      while (this.head < this.items.length) {
        const item = this.items[this.head];
        const { event } = item;
        if (event.kind === 'data' && event.bytes.length > SLICE_BYTES) {
          while (this.fed < event.bytes.length) {
            const part = event.bytes.subarray(this.fed, this.fed + SLICE_BYTES);
            this.fed += part.length;
            this.decode({ ...event, bytes: part }, item.start);
            if (this.fed < event.bytes.length && performance.now() > deadline) return this.schedule();
          }
        } else this.decode(event, item.start);
        this.fed = 0;
        this.head += 1;
        this.target.done(item.end);
        if (this.head < this.items.length && performance.now() > deadline) return this.schedule();
      }
      this.items = [];
      this.head = 0;
    } finally {
      this.running = false;
      const ms = performance.now() - start;
      if (budget !== Infinity && ms > this.longestSlice) this.longestSlice = ms;
      // Compacted now and then while a long backlog is worked through.
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    }
  }

  private decode(event: WireEvent, start: number): void {
    try {
      this.target.decode(event, start);
    } catch {
      // The decoder and the model turn bad input into data (docs/architecture.md §5); a bug must not stop the queue.
    }
  }
}
