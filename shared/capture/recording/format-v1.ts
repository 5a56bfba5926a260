/**
 * Recording format version 1: the record framing and payloads. This file is
 * frozen once released: a later version gets its own `format-vN.ts`, and
 * `migrations.ts` converts what this one reads.
 *
 * Record: payload length N (u32 BE), record type (u8), payload (N bytes),
 * payload length N again (u32 BE, so a damaged or torn record is detected).
 * Types are ASCII letters: 'H' header (JSON), 'E' wire event other than data
 * (JSON), 'D' wire data (binary), 'M' metadata update (JSON).
 * 'D' payload: conn (u32 BE), from (u8: 0 requestor, 1 acceptor), time
 * (f64 BE, ms since the epoch), then the bytes.
 */
import type { WireEvent } from '../wire-event.ts';
import type { RecordingHeader } from './recording-meta.ts';

export const RecordTypeV1 = Object.freeze({ Header: 0x48, Event: 0x45, Data: 0x44, Metadata: 0x4d } as const);

/** Length (4) and type (1) before the payload, length (4) after. */
export const RECORD_HEADER_BYTES_V1 = 5;
export const RECORD_OVERHEAD_V1 = 9;
export const DATA_PREFIX_BYTES_V1 = 13;

/** What one record means, as version 1 defines it. */
export type RecordV1 =
  | { type: 'header'; header: RecordingHeader }
  | { type: 'event'; event: WireEvent }
  | { type: 'metadata'; metadata: Record<string, unknown> }
  | { type: 'unknown'; recordType: number };

export function recordLengthV1(b: Uint8Array, o: number): number {
  return RECORD_OVERHEAD_V1 + (((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Null when the record's trailing length matches its leading one; otherwise the record (and the framing after it) is damaged. */
export function framingErrorV1(b: Uint8Array, o: number, length: number): string | null {
  const n = length - RECORD_OVERHEAD_V1;
  const e = o + length - 4;
  const trailer = ((b[e] << 24) | (b[e + 1] << 16) | (b[e + 2] << 8) | b[e + 3]) >>> 0;
  return trailer === n ? null : `the trailing length ${trailer} differs from the leading length ${n}`;
}

/** Reads one whole record (`length` bytes at `o`); a string says why it is unreadable. `bytes` of data events are copies. */
export function readRecordV1(b: Uint8Array, o: number, length: number): RecordV1 | string {
  const n = length - RECORD_OVERHEAD_V1;
  const view = new DataView(b.buffer, b.byteOffset + o, length);
  const type = b[o + 4];
  const p = o + RECORD_HEADER_BYTES_V1;
  if (type === RecordTypeV1.Data) {
    if (n < DATA_PREFIX_BYTES_V1) return `data record too short (${n} bytes)`;
    const from = b[p + 4];
    if (from > 1) return `data record with an unknown direction ${from}`;
    return {
      type: 'event',
      event: { kind: 'data', conn: view.getUint32(5), from: from === 0 ? 'requestor' : 'acceptor', time: view.getFloat64(10), bytes: b.slice(p + DATA_PREFIX_BYTES_V1, p + n) },
    };
  }
  if (type !== RecordTypeV1.Header && type !== RecordTypeV1.Event && type !== RecordTypeV1.Metadata) return { type: 'unknown', recordType: type };
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(b.subarray(p, p + n)));
  } catch (e) {
    return `record '${String.fromCharCode(type)}' is not UTF-8 JSON: ${(e as Error).message}`;
  }
  if (typeof json !== 'object' || json === null) return `record '${String.fromCharCode(type)}' is not a JSON object`;
  if (type === RecordTypeV1.Header) return checkHeader(json as Record<string, unknown>);
  if (type === RecordTypeV1.Metadata) return { type: 'metadata', metadata: json as Record<string, unknown> };
  return checkEvent(json as Record<string, unknown>);
}

function checkHeader(j: Record<string, unknown>): RecordV1 | string {
  const tool = j.tool as RecordingHeader['tool'] | undefined;
  const source = j.source as RecordingHeader['source'] | undefined;
  if (typeof j.startTime !== 'number' || typeof tool?.name !== 'string' || typeof source?.description !== 'string') return 'header record without tool, startTime or source';
  const metadata = typeof j.metadata === 'object' && j.metadata !== null ? (j.metadata as Record<string, unknown>) : {};
  return { type: 'header', header: { tool: { name: tool.name, version: String(tool.version ?? '') }, startTime: j.startTime, source: { kind: String(source.kind ?? ''), description: source.description }, metadata } };
}

const isEndpoint = (e: unknown): boolean => typeof e === 'object' && e !== null && typeof (e as { host?: unknown }).host === 'string' && typeof (e as { port?: unknown }).port === 'number';
const isSide = (s: unknown): boolean => s === 'requestor' || s === 'acceptor';

function checkEvent(j: Record<string, unknown>): RecordV1 | string {
  const ok = typeof j.conn === 'number' && typeof j.time === 'number';
  switch (ok ? j.kind : undefined) {
    case 'open':
      if (isEndpoint(j.requestor) && isEndpoint(j.acceptor)) return { type: 'event', event: j as unknown as WireEvent };
      break;
    case 'refused':
      if (isEndpoint(j.requestor) && isEndpoint(j.acceptor) && typeof j.reason === 'string') return { type: 'event', event: j as unknown as WireEvent };
      break;
    case 'gap':
      if (isSide(j.from) && typeof j.length === 'number') return { type: 'event', event: j as unknown as WireEvent };
      break;
    case 'close':
      if ((j.from === null || isSide(j.from)) && (j.how === 'fin' || j.how === 'reset' || j.how === 'error')) return { type: 'event', event: j as unknown as WireEvent };
      break;
  }
  return `event record is not a valid wire event (kind ${JSON.stringify(j.kind)})`;
}
