/**
 * The last bytes of one direction of a connection, by stream offset, so the
 * bytes of a PDU the framer reports (offset and length, PS3.8 §9.3.1) can be
 * taken back and rewritten. The framer holds a PDU other than P-DATA-TF whole
 * only up to its limit (DEFAULT_MAX_BUFFERED_PDU), so that much history is
 * enough; older chunks are let go and memory stays bounded. Chunks are kept
 * as the views they came in (wire event bytes are never changed afterwards).
 */
import { DEFAULT_MAX_BUFFERED_PDU } from '../pdu/framer.ts';

export class RawHistory {
  private chunks: { at: number; bytes: Uint8Array }[] = [];
  /** Chunks before this index are let go (compacted now and then, not on every push). */
  private head = 0;
  private end = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length > 0) this.chunks.push({ at: this.end, bytes });
    this.end += bytes.length;
  }

  /** Bytes lost from the stream (a capture gap): nothing before them can be part of a PDU still to come. */
  gap(length: number): void {
    this.chunks = [];
    this.head = 0;
    this.end += Math.max(0, Math.floor(length));
  }

  /** Stream bytes [offset, offset + length), or null when they are no longer (or not) held. */
  slice(offset: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    let filled = 0;
    for (let i = this.head; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      const from = Math.max(offset, c.at);
      const to = Math.min(offset + length, c.at + c.bytes.length);
      if (from >= to) continue;
      if (from !== offset + filled) return null;
      out.set(c.bytes.subarray(from - c.at, to - c.at), filled);
      filled += to - from;
    }
    return filled === length ? out : null;
  }

  /** Lets go of what lies further back than any PDU still in the framer can reach. */
  trim(): void {
    const keepFrom = this.end - DEFAULT_MAX_BUFFERED_PDU;
    while (this.head < this.chunks.length && this.chunks[this.head].at + this.chunks[this.head].bytes.length <= keepFrom) this.head++;
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
