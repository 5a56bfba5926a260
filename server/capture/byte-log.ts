/**
 * A bounded in-memory log of the bytes of each connection direction, so the
 * inspector can show a PDU's bytes (issue 4 §3). Offsets are stream offsets as
 * the framer counts them (capture gaps included). When the total goes over the
 * budget, the oldest chunks of the oldest connections are dropped first; a
 * read of dropped bytes answers 'gone'.
 *
 * Bounded in entries too, not only in bytes (issue 14): a peer that opens
 * connections sending a few bytes each would otherwise pile up bookkeeping
 * far beyond the bytes counted. The chunks held are at most one per 4 KiB of
 * budget, and a connection whose both directions closed is forgotten once
 * its bytes are all dropped (reading it then answers null).
 *
 *   const log = new ByteLog(64 * 1024 * 1024);
 *   log.data(1, 'requestor', bytes);
 *   log.read(1, 'requestor', offset, length, 65536)  // { bytes, truncated } | 'gone' | null
 */
import type { Side } from '../../shared/capture/wire-event.ts';

interface Chunk {
  start: number;
  bytes: Uint8Array;
}

interface Direction {
  chunks: Chunk[];
  /** Index of the first chunk still held (dropping moves it, compacting now and then). */
  head: number;
  /** Stream offset of the next byte. */
  end: number;
  /** Bytes before this offset were dropped. */
  droppedBefore: number;
  closed: boolean;
}

/** Contiguous data smaller than this together is held as one chunk. */
const SMALL_CHUNK = 4096;

export type ByteRead = { bytes: Uint8Array; truncated: boolean } | 'gone' | null;

export class ByteLog {
  /** Insertion order = age: the oldest connection first. */
  private readonly conns = new Map<number, Record<Side, Direction>>();
  private total = 0;
  private chunkCount = 0;
  /** Chunks held at most: one per 4 KiB of budget (each costs a hundred bytes or so of heap, however few its bytes). */
  private readonly maxChunks: number;

  constructor(private readonly budget: number) {
    this.maxChunks = Math.max(64, Math.floor(budget / 4096));
  }

  /** Connections with an entry (for tests and the benchmarks). */
  get connections(): number {
    return this.conns.size;
  }

  /** Bytes held now. */
  get size(): number {
    return this.total;
  }

  data(conn: number, from: Side, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const dir = this.direction(conn, from);
    const last = dir.head < dir.chunks.length ? dir.chunks[dir.chunks.length - 1] : null;
    if (last !== null && last.start + last.bytes.length === dir.end && last.bytes.length + bytes.length <= SMALL_CHUNK) {
      // Small pieces of a stream (PDUs of a C-ECHO, one per data event) share a chunk: the chunk cap is not spent on them.
      const joined = new Uint8Array(last.bytes.length + bytes.length);
      joined.set(last.bytes);
      joined.set(bytes, last.bytes.length);
      last.bytes = joined;
    } else {
      dir.chunks.push({ start: dir.end, bytes });
      this.chunkCount += 1;
    }
    dir.end += bytes.length;
    this.total += bytes.length;
    this.evict();
  }

  /** One direction of `conn` closed (null: the whole connection): once both have and their bytes are all dropped, the connection is forgotten. */
  close(conn: number, from: Side | null): void {
    const entry = this.conns.get(conn);
    if (!entry) return;
    if (from === null) entry.requestor.closed = entry.acceptor.closed = true;
    else entry[from].closed = true;
    if (isSpent(entry)) this.conns.delete(conn);
  }

  /** Bytes known to be missing: the offsets move on, nothing is held. */
  gap(conn: number, from: Side, length: number): void {
    if (Number.isSafeInteger(length) && length > 0) this.direction(conn, from).end += length;
  }

  /**
   * Up to `cap` bytes of [offset, offset + length) of one direction; null when
   * the connection or range was never logged, 'gone' when (part of) it was
   * dropped or lost in a capture gap.
   */
  read(conn: number, from: Side, offset: number, length: number, cap: number): ByteRead {
    const dir = this.conns.get(conn)?.[from];
    if (!dir || offset < 0 || length < 0 || offset + length > dir.end) return null;
    if (offset < dir.droppedBefore) return 'gone';
    const want = Math.min(length, cap);
    const out = new Uint8Array(want);
    let filled = 0;
    for (let i = this.firstChunkAt(dir, offset); i < dir.chunks.length && filled < want; i++) {
      const chunk = dir.chunks[i];
      const at = offset + filled;
      if (chunk.start > at) return 'gone'; // a capture gap
      const from0 = at - chunk.start;
      const n = Math.min(chunk.bytes.length - from0, want - filled);
      if (n <= 0) continue;
      out.set(chunk.bytes.subarray(from0, from0 + n), filled);
      filled += n;
    }
    if (filled < want) return 'gone';
    return { bytes: out, truncated: want < length };
  }

  private firstChunkAt(dir: Direction, offset: number): number {
    let lo = dir.head;
    let hi = dir.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (dir.chunks[mid].start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private direction(conn: number, from: Side): Direction {
    let entry = this.conns.get(conn);
    if (!entry) {
      const fresh = (): Direction => ({ chunks: [], head: 0, end: 0, droppedBefore: 0, closed: false });
      entry = { requestor: fresh(), acceptor: fresh() };
      this.conns.set(conn, entry);
    }
    return entry[from];
  }

  /** Drops chunks from the oldest connections until the total fits the budget (bytes and chunks). */
  private evict(): void {
    const over = () => this.total > this.budget || this.chunkCount > this.maxChunks;
    for (const [conn, entry] of this.conns) {
      if (!over()) return;
      for (const dir of [entry.requestor, entry.acceptor]) {
        while (over() && dir.head < dir.chunks.length) {
          const chunk = dir.chunks[dir.head];
          dir.head += 1;
          this.total -= chunk.bytes.length;
          this.chunkCount -= 1;
          dir.droppedBefore = chunk.start + chunk.bytes.length;
        }
        if (dir.head === dir.chunks.length) {
          dir.chunks = [];
          dir.head = 0;
        } else if (dir.head > 1024 && dir.head * 2 > dir.chunks.length) {
          dir.chunks.splice(0, dir.head);
          dir.head = 0;
        }
      }
      if (isSpent(entry)) this.conns.delete(conn);
    }
  }
}

/** Both directions closed and nothing of them held: nothing left to read or to offset. */
const isSpent = (entry: Record<Side, Direction>): boolean =>
  entry.requestor.closed && entry.acceptor.closed && entry.requestor.head === entry.requestor.chunks.length && entry.acceptor.head === entry.acceptor.chunks.length;
