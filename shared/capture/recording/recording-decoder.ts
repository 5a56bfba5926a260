/**
 * Reading a recording, pushed in chunks of any size (a file being written
 * can be read as it grows). Bad input is data: an unknown record type is
 * skipped with a warning; a damaged record stops the reading with an error
 * (framing after it cannot be trusted); an incomplete last record (a
 * recording cut off while being written, or still being written) is reported
 * by `end` and ignored.
 */
import type { WireEvent } from '../wire-event.ts';
import { RecordSplitter } from '../pcap/record-splitter.ts';
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
  private splitter: RecordSplitter | null = null;
  private reader: VersionReader | null = null;
  private stopped = false;
  private reportedFailure = false;
  private out: DecodedChunk = { events: [], errors: [] };
  private readonly onRecord = (b: Uint8Array, o: number, length: number, at: number): void => this.record(b, o, length, at);

  push(chunk: Uint8Array): DecodedChunk {
    const out: DecodedChunk = { events: [], errors: [] };
    this.out = out;
    if (this.stopped || chunk.length === 0) return out;
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a Node Buffer: its slice() does not copy
    if (this.splitter === null) {
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
    const splitter = this.splitter as RecordSplitter;
    splitter.push(chunk, this.onRecord);
    if (splitter.failed && !this.reportedFailure) {
      this.stopped = true;
      this.reportedFailure = true;
      out.errors.push({ offset: splitter.failed.offset + PREAMBLE_BYTES, reason: `damaged record: ${splitter.failed.reason}; the rest of the recording is skipped` });
    }
    return out;
  }

  end(): DecodedChunk {
    const out: DecodedChunk = { events: [], errors: [] };
    if (this.splitter === null && !this.stopped) {
      out.errors.push({ offset: 0, reason: this.preamble.length === 0 ? 'empty recording' : `recording too short (${this.preamble.length} bytes)` });
      return out;
    }
    const pending = this.splitter?.pending;
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
    this.splitter = new RecordSplitter(reader.recordHeaderBytes, reader.recordLength, MAX_RECORD_BYTES);
    return true;
  }

  private record(b: Uint8Array, o: number, length: number, at: number): void {
    const offset = at + PREAMBLE_BYTES;
    const reader = this.reader as VersionReader;
    const out = this.out;
    const damage = reader.framingError(b, o, length);
    if (damage !== null) {
      this.stopped = true;
      this.splitter!.failed = { offset: at, reason: damage };
      return;
    }
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
