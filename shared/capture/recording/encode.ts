/** Writing a recording (the current format version 3: version 2's framing, see format-v2.ts, format-v3.ts and docs/recording-format.md). Pure: returns bytes, does no I/O. */
import type { WireEvent } from '../wire-event.ts';
import { crc32 } from './crc32.ts';
import { DATA_PREFIX_BYTES_V2, RECORD_HEADER_BYTES_V2, RECORD_OVERHEAD_V2, RecordTypeV2 } from './format-v2.ts';
import { PREAMBLE_BYTES, RECORDING_FORMAT_VERSION, RECORDING_MAGIC } from './recording-meta.ts';
import type { RecordingHeader } from './recording-meta.ts';

const encoder = new TextEncoder();

/** The start of a recording file: magic, format version, then the header record. */
export function encodeHeader(header: RecordingHeader): Uint8Array {
  const record = frame(RecordTypeV2.Header, encoder.encode(JSON.stringify(header)));
  const out = new Uint8Array(PREAMBLE_BYTES + record.length);
  out.set(RECORDING_MAGIC);
  new DataView(out.buffer).setUint16(8, RECORDING_FORMAT_VERSION);
  out.set(record, PREAMBLE_BYTES);
  return out;
}

/** One wire event as a record: data as binary, the others as JSON. */
export function encodeRecord(event: WireEvent): Uint8Array {
  if (event.kind !== 'data') return frame(RecordTypeV2.Event, encoder.encode(JSON.stringify(event)));
  const n = DATA_PREFIX_BYTES_V2 + event.bytes.length;
  const out = new Uint8Array(RECORD_OVERHEAD_V2 + n);
  const view = new DataView(out.buffer);
  view.setUint32(0, n);
  out[4] = RecordTypeV2.Data;
  view.setUint32(5, event.conn);
  out[9] = event.from === 'requestor' ? 0 : 1;
  view.setFloat64(10, event.time);
  out.set(event.bytes, RECORD_HEADER_BYTES_V2 + DATA_PREFIX_BYTES_V2);
  seal(out, n);
  return out;
}

/** A metadata update (shallow-merged into the header's metadata by readers), e.g. a label given later. */
export function encodeMetadata(metadata: Record<string, unknown>): Uint8Array {
  return frame(RecordTypeV2.Metadata, encoder.encode(JSON.stringify(metadata)));
}

/**
 * The 8 bytes after a data record's payload, for a writer that copies the
 * payload itself (server/proxy/bounded-recording-file.ts): the CRC-32 of
 * `prefix` (length, type, conn, from, time) and `bytes`, then the length.
 */
export function dataRecordTrailer(prefix: Uint8Array, bytes: Uint8Array, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, 8);
  view.setUint32(0, crc32(bytes, crc32(prefix)));
  view.setUint32(4, DATA_PREFIX_BYTES_V2 + bytes.length);
}

function frame(type: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const out = new Uint8Array(RECORD_OVERHEAD_V2 + n);
  new DataView(out.buffer).setUint32(0, n);
  out[4] = type;
  out.set(payload, RECORD_HEADER_BYTES_V2);
  seal(out, n);
  return out;
}

/** Checksum and trailing length of the record in `out` (payload length `n`). */
function seal(out: Uint8Array, n: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  view.setUint32(RECORD_HEADER_BYTES_V2 + n, crc32(out.subarray(0, RECORD_HEADER_BYTES_V2 + n)));
  view.setUint32(RECORD_HEADER_BYTES_V2 + n + 4, n);
}
