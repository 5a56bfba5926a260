/**
 * Cuts a recording's records out of a byte stream that arrives in chunks of
 * any size, and finds its way back after damage: a record whose framing
 * cannot be trusted (a length that points nowhere, trailing and leading
 * lengths that differ, a wrong checksum, a type that is no letter) is
 * reported with its offset, and the bytes after it are searched for the next
 * position where a whole record stands — a known type, a payload that starts
 * as its type says, lengths that agree and, from version 2 on, a checksum
 * that matches (docs/recording-format.md, "Damage and resynchronisation").
 * Everything from there on is read again.
 *
 * Whole records inside a chunk are handed out as views of it (no copy); only
 * a record that straddles chunks is assembled. Memory stays bounded by the
 * largest record allowed (`maxRecord`) plus a chunk, whatever the damage.
 */

/** How a version frames its records (migrations.ts `VersionReader`). */
export interface RecordFraming {
  /** Bytes before the payload (length and type). */
  recordHeaderBytes: number;
  /** Total length of the record at `o` (its first `recordHeaderBytes` are there). */
  recordLength(b: Uint8Array, o: number): number;
  /** Null when the whole record at `o` is framed correctly; otherwise why not. */
  framingError(b: Uint8Array, o: number, length: number): string | null;
}

/** A whole, correctly framed record: `b[o .. o + length)`, at stream offset `at`. */
export type ScannedRecordSink = (b: Uint8Array, o: number, length: number, at: number) => void;

/** A damaged stretch: where it starts, why, how many bytes were skipped, and where reading resumed (null: at the end of the stream). */
export interface ScanDamage {
  offset: number;
  reason: string;
  skipped: number;
  resumedAt: number | null;
}

export type DamageSink = (damage: ScanDamage) => void;

/** Record types of every version so far (ASCII 'H', 'E', 'D', 'M'). */
const KNOWN_TYPES = new Set([0x48, 0x45, 0x44, 0x4d]);
const DATA = 0x44;
/** Bytes a resynchronisation candidate is judged on before its length is trusted: header, then a data record's conn, direction and time. */
const PROBE_BYTES = 5 + 13;

const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const isLetter = (t: number): boolean => (t >= 0x41 && t <= 0x5a) || (t >= 0x61 && t <= 0x7a);

export class RecordScanner {
  /** Bytes not consumed yet, as received (their concatenation starts at stream offset `start`). */
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  /** Stream offset of the first unconsumed byte. */
  private start = 0;
  /** Bytes needed from `start` before anything more can be decided. */
  private need = 0;
  /** Set while looking for the next record after damage. */
  private damage: { offset: number; reason: string } | null = null;

  constructor(
    private readonly framing: RecordFraming,
    private readonly maxRecord: number,
  ) {}

  /** An incomplete record at the end of what was pushed (a torn last record), if any. */
  get pending(): { offset: number; have: number; need: number | null } | null {
    if (this.damage !== null || this.partsBytes === 0) return null;
    return { offset: this.start, have: this.partsBytes, need: this.need > this.framing.recordHeaderBytes ? this.need : null };
  }

  push(chunk: Uint8Array, onRecord: ScannedRecordSink, onDamage: DamageSink): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    if (this.partsBytes < this.need) {
      // Kept past this call: a copy (the caller may reuse its chunk).
      this.parts[this.parts.length - 1] = chunk.slice();
      return;
    }
    this.run(false, onRecord, onDamage);
  }

  /**
   * The stream is over: a search still running ends at the last whole
   * record; damage up to the end is reported. A record still waited for is a
   * torn last record (`pending`) — unless whole records stand after its
   * start: then its length was damaged, and reading resumes at the first.
   */
  end(onRecord: ScannedRecordSink, onDamage: DamageSink): void {
    if (this.damage === null) {
      if (this.partsBytes === 0) return;
      const b = this.parts.length === 1 ? this.parts[0] : concat(this.parts, this.partsBytes);
      const found = this.scan(b, 1, true);
      if (found.at < 0) return;
      onDamage({ offset: this.start, reason: `record length ${this.need} runs past the end of the recording`, skipped: found.at, resumedAt: this.start + found.at });
      this.consume(b, found.at);
      this.need = 0;
    }
    this.run(true, onRecord, onDamage);
    if (this.damage !== null) {
      onDamage({ ...this.damage, skipped: this.start + this.partsBytes - this.damage.offset, resumedAt: null });
      this.damage = null;
      this.parts = [];
      this.partsBytes = 0;
    }
  }

  private run(final: boolean, onRecord: ScannedRecordSink, onDamage: DamageSink): void {
    // A record straddling the parts is assembled alone, so that the rest of the last chunk is read in place.
    while (this.damage === null && this.parts.length > 1) {
      const header = this.framing.recordHeaderBytes;
      if (this.partsBytes < header) {
        this.need = header;
        return this.own();
      }
      const total = this.framing.recordLength(this.prefix(header), 0);
      if (total > this.maxRecord) break; // damage: the general path below reports it
      if (this.partsBytes < total) {
        this.need = total;
        return this.own();
      }
      const record = this.prefix(total);
      if (!isLetter(record[4]) || this.framing.framingError(record, 0, total) !== null) break;
      onRecord(record, 0, total, this.start);
      this.drop(total);
    }
    if (this.parts.length === 0) {
      this.need = 0;
      return;
    }
    const b = this.parts.length === 1 ? this.parts[0] : concat(this.parts, this.partsBytes);
    const n = b.length;
    let p = 0;
    for (;;) {
      if (this.damage === null) {
        // In step: the record at p.
        const header = this.framing.recordHeaderBytes;
        if (n - p < header) {
          this.need = header;
          break;
        }
        const total = this.framing.recordLength(b, p);
        const type = b[p + 4];
        let reason: string | null = null;
        if (!isLetter(type)) reason = `record type 0x${type.toString(16)} is not a letter`;
        else if (total > this.maxRecord) reason = `record length ${total} exceeds the limit of ${this.maxRecord} bytes`;
        if (reason === null) {
          if (n - p < total) {
            this.need = total;
            break;
          }
          reason = this.framing.framingError(b, p, total);
          if (reason === null) {
            onRecord(b, p, total, this.start + p);
            p += total;
            continue;
          }
        }
        this.damage = { offset: this.start + p, reason };
        p += 1;
      }
      // Looking for the next record: the first position where a whole one stands.
      const found = this.scan(b, p, final);
      if (found.at < 0) {
        // Nothing before `keep` can start a record; what is after it waits for more bytes.
        p = found.keep;
        this.need = found.need;
        break;
      }
      const damage = this.damage!;
      onDamage({ ...damage, skipped: this.start + found.at - damage.offset, resumedAt: this.start + found.at });
      this.damage = null;
      p = found.at;
    }
    this.consume(b, p);
  }

  /**
   * The first position from `p` where a whole, correctly framed record
   * stands (`at`), or -1 with where to keep the bytes from (`keep`) and how
   * many are needed from there to go on (`need`).
   */
  private scan(b: Uint8Array, p: number, final: boolean): { at: number; keep: number; need: number } {
    const n = b.length;
    const header = this.framing.recordHeaderBytes;
    for (; p < n; p++) {
      if (!KNOWN_TYPES.has(b[p + 4])) {
        if (p + 5 > n && !final) return { at: -1, keep: p, need: PROBE_BYTES };
        continue;
      }
      if (n - p < PROBE_BYTES && !final) return { at: -1, keep: p, need: PROBE_BYTES };
      if (!plausiblePayload(b, p, n)) continue;
      const total = this.framing.recordLength(b, p);
      if (total < header || total > this.maxRecord) continue;
      if (n - p < total) {
        if (final) continue;
        return { at: -1, keep: p, need: total };
      }
      if (this.framing.framingError(b, p, total) === null) return { at: p, keep: p, need: 0 };
    }
    return { at: -1, keep: n, need: PROBE_BYTES };
  }

  /** The bytes kept for the next push, in one buffer of our own. */
  private own(): void {
    const all = concat(this.parts, this.partsBytes);
    this.parts = [all];
  }

  /** The first `k` bytes not consumed, contiguous (copied only when they span parts). */
  private prefix(k: number): Uint8Array {
    const first = this.parts[0];
    if (first.length >= k) return first.subarray(0, k);
    const out = new Uint8Array(k);
    let at = 0;
    for (const part of this.parts) {
      const take = Math.min(part.length, k - at);
      out.set(part.subarray(0, take), at);
      at += take;
      if (at === k) break;
    }
    return out;
  }

  /** Consumes the first `k` bytes. */
  private drop(k: number): void {
    this.start += k;
    this.partsBytes -= k;
    while (k > 0) {
      const first = this.parts[0];
      if (first.length <= k) {
        this.parts.shift();
        k -= first.length;
      } else {
        this.parts[0] = first.subarray(k);
        k = 0;
      }
    }
  }

  /** Drops the bytes before `p`; the rest is kept for the next push. */
  private consume(b: Uint8Array, p: number): void {
    this.start += p;
    if (p >= b.length) {
      this.parts = [];
      this.partsBytes = 0;
      return;
    }
    // A copy: the caller may reuse its chunk, and a view would keep all of it alive.
    const rest = b.slice(p);
    this.parts = [rest];
    this.partsBytes = rest.length;
  }
}

/**
 * The start of a payload as its type says: a data record's direction is 0 or
 * 1 and its time a finite number of ms after 1970; a JSON record's payload
 * opens an object. Only a cheap filter before the lengths and checksum decide.
 */
function plausiblePayload(b: Uint8Array, p: number, n: number): boolean {
  const length = u32(b, p);
  const type = b[p + 4];
  if (type === DATA) {
    if (length < 13 || p + 18 > n) return length >= 13 && p + 18 > n;
    if (b[p + 9] > 1) return false;
    const time = new DataView(b.buffer, b.byteOffset + p + 10, 8).getFloat64(0);
    return Number.isFinite(time) && time > 0;
  }
  return length >= 2 && (p + 5 >= n || b[p + 5] === 0x7b);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
