/**
 * Splits a byte stream that arrives in chunks of any size into records whose
 * total length is known from their first bytes (pcap record headers, pcapng
 * blocks, pacscope recording records). Whole records inside a chunk are
 * handed out as views of that chunk (no copy); only a record that straddles
 * two chunks is assembled into its own buffer, so memory stays bounded by the
 * largest record.
 */

/** Total length of the record starting at `offset` (≥ the header size), or a string saying why the header is invalid. */
export type RecordLength = (bytes: Uint8Array, offset: number) => number | string;

/** Receives one whole record: `bytes[offset .. offset+length)`; `fileOffset` is its position in the stream. */
export type RecordSink = (bytes: Uint8Array, offset: number, length: number, fileOffset: number) => void;

export class RecordSplitter {
  /** Bytes of the current, incomplete record (headerSize bytes until its length is known). */
  private carry: Uint8Array | null = null;
  private carryLength = 0;
  private carryTotal = 0;
  /** Stream offset of the next byte pushed. */
  private position = 0;
  /** Set after an invalid record header: the rest of the stream cannot be framed. */
  failed: { offset: number; reason: string } | null = null;

  /**
   * @param headerSize bytes needed before `lengthOf` can be called.
   * @param maxRecord a longer record is reported as invalid (memory bound).
   */
  constructor(
    private readonly headerSize: number,
    private readonly lengthOf: RecordLength,
    private readonly maxRecord: number,
  ) {}

  /** Stream offset of the next byte expected. */
  get offset(): number {
    return this.position;
  }

  /** Bytes held of an incomplete record (what `end` would report as truncated). */
  get pending(): { offset: number; have: number; need: number | null } | null {
    if (this.carry === null || this.carryLength === 0) return null;
    return {
      offset: this.position - this.carryLength,
      have: this.carryLength,
      need: this.carryTotal > 0 ? this.carryTotal : null,
    };
  }

  push(chunk: Uint8Array, sink: RecordSink): void {
    if (this.failed) return;
    let pos = 0;
    const n = chunk.length;
    const base = this.position;
    this.position += n;
    if (this.carry !== null) {
      pos = this.fillCarry(chunk, 0, base, sink);
      if (pos < 0) return;
    }
    const headerSize = this.headerSize;
    while (n - pos >= headerSize) {
      const total = this.checkedLength(chunk, pos, base + pos);
      if (total < 0) return;
      if (n - pos < total) break;
      sink(chunk, pos, total, base + pos);
      if (this.failed) return;
      pos += total;
    }
    if (pos < n) {
      this.carry = new Uint8Array(Math.max(headerSize, n - pos));
      this.carry.set(chunk.subarray(pos));
      this.carryLength = n - pos;
      this.carryTotal = 0;
      if (this.carryLength >= headerSize) {
        const total = this.checkedLength(this.carry, 0, base + pos);
        if (total < 0) return;
        this.growCarry(total);
      }
    }
  }

  /** Completes the carried record from `chunk`; returns the position after the bytes used, or -1 if the chunk was used up (or framing failed). */
  private fillCarry(chunk: Uint8Array, start: number, base: number, sink: RecordSink): number {
    const carry = this.carry as Uint8Array;
    let pos = start;
    const recordOffset = base - this.carryLength;
    if (this.carryTotal === 0) {
      const want = Math.min(this.headerSize - this.carryLength, chunk.length - pos);
      carry.set(chunk.subarray(pos, pos + want), this.carryLength);
      this.carryLength += want;
      pos += want;
      if (this.carryLength < this.headerSize) return -1;
      const total = this.checkedLength(carry, 0, recordOffset);
      if (total < 0) return -1;
      this.growCarry(total);
    }
    const full = this.carry as Uint8Array;
    const want = Math.min(this.carryTotal - this.carryLength, chunk.length - pos);
    full.set(chunk.subarray(pos, pos + want), this.carryLength);
    this.carryLength += want;
    pos += want;
    if (this.carryLength < this.carryTotal) return -1;
    this.carry = null;
    this.carryLength = 0;
    const total = this.carryTotal;
    this.carryTotal = 0;
    sink(full, 0, total, recordOffset);
    return this.failed ? -1 : pos;
  }

  private growCarry(total: number): void {
    this.carryTotal = total;
    const carry = this.carry as Uint8Array;
    if (carry.length < total) {
      const grown = new Uint8Array(total);
      grown.set(carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
  }

  private checkedLength(bytes: Uint8Array, offset: number, fileOffset: number): number {
    const total = this.lengthOf(bytes, offset);
    let reason: string | null = null;
    if (typeof total === 'string') reason = total;
    else if (total < this.headerSize) reason = `record length ${total} is shorter than its header`;
    else if (total > this.maxRecord) reason = `record length ${total} exceeds the limit of ${this.maxRecord} bytes`;
    if (reason === null) return total as number;
    this.failed = { offset: fileOffset, reason };
    this.carry = null;
    this.carryLength = 0;
    return -1;
  }
}
