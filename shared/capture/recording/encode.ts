/** Writing a recording (the current format version, see format-v1.ts and docs/recording-format.md). Pure: returns bytes, does no I/O. */
import type { WireEvent } from '../wire-event.ts';
import { DATA_PREFIX_BYTES_V1, RECORD_HEADER_BYTES_V1, RECORD_OVERHEAD_V1, RecordTypeV1 } from './format-v1.ts';
import { PREAMBLE_BYTES, RECORDING_FORMAT_VERSION, RECORDING_MAGIC } from './recording-meta.ts';
import type { RecordingHeader } from './recording-meta.ts';

const encoder = new TextEncoder();

/** The start of a recording file: magic, format version, then the header record. */
export function encodeHeader(header: RecordingHeader): Uint8Array {
  const record = frame(RecordTypeV1.Header, encoder.encode(JSON.stringify(header)));
  const out = new Uint8Array(PREAMBLE_BYTES + record.length);
  out.set(RECORDING_MAGIC);
  new DataView(out.buffer).setUint16(8, RECORDING_FORMAT_VERSION);
  out.set(record, PREAMBLE_BYTES);
  return out;
}

/** One wire event as a record: data as binary, the others as JSON. */
export function encodeRecord(event: WireEvent): Uint8Array {
  if (event.kind !== 'data') return frame(RecordTypeV1.Event, encoder.encode(JSON.stringify(event)));
  const n = DATA_PREFIX_BYTES_V1 + event.bytes.length;
  const out = new Uint8Array(RECORD_OVERHEAD_V1 + n);
  const view = new DataView(out.buffer);
  view.setUint32(0, n);
  out[4] = RecordTypeV1.Data;
  view.setUint32(5, event.conn);
  out[9] = event.from === 'requestor' ? 0 : 1;
  view.setFloat64(10, event.time);
  out.set(event.bytes, RECORD_HEADER_BYTES_V1 + DATA_PREFIX_BYTES_V1);
  view.setUint32(RECORD_HEADER_BYTES_V1 + n, n);
  return out;
}

/** A metadata update (shallow-merged into the header's metadata by readers), e.g. a label given later. */
export function encodeMetadata(metadata: Record<string, unknown>): Uint8Array {
  return frame(RecordTypeV1.Metadata, encoder.encode(JSON.stringify(metadata)));
}

function frame(type: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const out = new Uint8Array(RECORD_OVERHEAD_V1 + n);
  const view = new DataView(out.buffer);
  view.setUint32(0, n);
  out[4] = type;
  out.set(payload, RECORD_HEADER_BYTES_V1);
  view.setUint32(RECORD_HEADER_BYTES_V1 + n, n);
  return out;
}
