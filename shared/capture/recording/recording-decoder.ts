/**
 * Reading a recording, pushed in chunks of any size (a file being written
 * can be read as it grows). Bad input is data: an unknown record type is
 * skipped with a warning; a damaged record (lengths that disagree, a wrong
 * checksum) is reported with its offset and the bytes skipped, and reading
 * resumes at the next whole record (record-scanner.ts); an incomplete last
 * record (a recording cut off while being written, or still being written)
 * is reported by `end` and ignored.
 */
import type { WireEvent } from '../wire-event.ts';
import { RecordScanner } from './record-scanner.ts';
import type { ScanDamage } from './record-scanner.ts';
import { readerForVersion } from './migrations.ts';
import type { VersionReader } from './migrations.ts';
import { isRecordingMagic, PREAMBLE_BYTES } from './recording-meta.ts';
import type { RecordingMeta } from './recording-meta.ts';

export interface RecordingError {
  offset: number;
  reason: string;
}

export interface DecodedChunk {
  events: WireEvent[];
  /** Present when the header, or a metadata update, was read in this chunk: the meta as it now stands. */
  meta?: RecordingMeta;
  errors: RecordingError[];
}

/** Records larger than this are taken as damage (a data record holds one read from a socket; 64 MiB is far above that). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class RecordingDecoder {
  meta: RecordingMeta | null = null;
  formatVersion: number | null = null;
  private preamble = new Uint8Array(0);
  private scanner: RecordScanner | null = null;
  private reader: VersionReader | null = null;
  private stopped = false;
  private out: DecodedChunk = { events: [], errors: [] };
  private readonly onRecord = (b: Uint8Array, o: number, length: number, at: number): void => this.record(b, o, length, at);
  private readonly onDamage = (d: ScanDamage): void => {
    const where = d.resumedAt === null ? 'to the end of the recording (no whole record after it)' : `reading resumed at offset ${d.resumedAt + PREAMBLE_BYTES}`;
    this.out.errors.push({ offset: d.offset + PREAMBLE_BYTES, reason: `damaged record: ${d.reason}; ${d.skipped} bytes skipped, ${where}` });
  };

  push(chunk: Uint8Array): DecodedChunk {
    const out: DecodedChunk = { events: [], errors: [] };
    this.out = out;
    if (this.stopped || chunk.length === 0) return out;
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a Node Buffer: its slice() does not copy
    if (this.scanner === null) {
      const joined = new Uint8Array(this.preamble.length + chunk.length);
      joined.set(this.preamble);
      joined.set(chunk, this.preamble.length);
      if (joined.length < PREAMBLE_BYTES) {
        this.preamble = joined;
        return out;
      }
      this.preamble = new Uint8Array(0);
      if (!this.readPreamble(joined)) return out;
      chunk = joined.subarray(PREAMBLE_BYTES);
    }
    (this.scanner as RecordScanner).push(chunk, this.onRecord, this.onDamage);
    return out;
  }

  end(): DecodedChunk {
    const out: DecodedChunk = { events: [], errors: [] };
    this.out = out;
    if (this.scanner === null && !this.stopped) {
      out.errors.push({ offset: 0, reason: this.preamble.length === 0 ? 'empty recording' : `recording too short (${this.preamble.length} bytes)` });
      return out;
    }
    if (this.stopped) return out;
    // A search for the next record after damage ends at the last whole one.
    this.scanner?.end(this.onRecord, this.onDamage);
    const pending = this.scanner?.pending;
    if (pending && !this.stopped) {
      const need = pending.need === null ? '' : ` of ${pending.need}`;
      out.errors.push({ offset: pending.offset + PREAMBLE_BYTES, reason: `incomplete last record (${pending.have}${need} bytes), ignored: the recording was cut off while being written` });
    }
    return out;
  }

  private readPreamble(b: Uint8Array): boolean {
    if (!isRecordingMagic(b)) {
      this.stopped = true;
      this.out.errors.push({ offset: 0, reason: 'not a pacscope recording (no PACSCOPE magic)' });
      return false;
    }
    const version = (b[8] << 8) | b[9];
    const reader = readerForVersion(version);
    this.formatVersion = version;
    if (typeof reader === 'string') {
      this.stopped = true;
      this.out.errors.push({ offset: 8, reason: reader });
      return false;
    }
    this.reader = reader;
    this.scanner = new RecordScanner(reader, MAX_RECORD_BYTES);
    return true;
  }

  private record(b: Uint8Array, o: number, length: number, at: number): void {
    const offset = at + PREAMBLE_BYTES;
    const reader = this.reader as VersionReader;
    const out = this.out;
    // Framing (lengths, checksum) was checked by the scanner.
    const r = reader.read(b, o, length);
    if (typeof r === 'string') {
      out.errors.push({ offset, reason: r });
      return;
    }
    switch (r.type) {
      case 'event':
        out.events.push(r.event);
        return;
      case 'header':
        if (this.meta !== null) out.errors.push({ offset, reason: 'a second header record; it replaces the first' });
        this.meta = { ...r.header, formatVersion: this.formatVersion as number };
        out.meta = this.meta;
        return;
      case 'metadata':
        if (this.meta === null) {
          out.errors.push({ offset, reason: 'metadata record before the header record; ignored' });
          return;
        }
        this.meta = { ...this.meta, metadata: { ...this.meta.metadata, ...r.metadata } };
        out.meta = this.meta;
        return;
      case 'unknown':
        out.errors.push({ offset, reason: `unknown record type 0x${r.recordType.toString(16)} skipped (written by a newer pacscope?)` });
        return;
    }
  }
}
