/**
 * Recording format version 2: version 1 with a checksum in every record.
 * This file is frozen once released: a later version gets its own
 * `format-vN.ts`, and `migrations.ts` converts what this one reads.
 *
 * Record: payload length N (u32 BE), record type (u8), payload (N bytes),
 * CRC-32 (u32 BE, crc32.ts) of the length, type and payload bytes, payload
 * length N again (u32 BE). A record is N + 13 bytes. Types and payloads are
 * those of version 1 (format-v1.ts): 'H' header (JSON), 'E' wire event other
 * than data (JSON), 'D' wire data (binary: conn u32 BE, from u8, time f64 BE,
 * the bytes), 'M' metadata update (JSON).
 *
 * Why: in version 1 only the two lengths tell damage, so a damaged byte
 * inside a payload is read as if it were right, and a reader that lost the
 * framing (a damaged length) can take random bytes for a record. The
 * checksum tells both; readers resynchronise on the next record whose
 * lengths and checksum agree (recording-decoder.ts).
 */
import { crc32 } from './crc32.ts';
import { readRecordV1, RecordTypeV1 } from './format-v1.ts';
import type { RecordV1 } from './format-v1.ts';

export const RecordTypeV2 = RecordTypeV1;

/** Length (4) and type (1) before the payload; checksum (4) and length (4) after. */
export const RECORD_HEADER_BYTES_V2 = 5;
export const RECORD_TRAILER_BYTES_V2 = 8;
export const RECORD_OVERHEAD_V2 = 13;
export const DATA_PREFIX_BYTES_V2 = 13;

/** What one record means: the same as in version 1. */
export type RecordV2 = RecordV1;

const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

export function recordLengthV2(b: Uint8Array, o: number): number {
  return RECORD_OVERHEAD_V2 + u32(b, o);
}

/** Null when the record's trailing length matches its leading one and its checksum is right; otherwise why it is damaged. */
export function framingErrorV2(b: Uint8Array, o: number, length: number): string | null {
  const n = length - RECORD_OVERHEAD_V2;
  const trailer = u32(b, o + length - 4);
  if (trailer !== n) return `the trailing length ${trailer} differs from the leading length ${n}`;
  const stored = u32(b, o + length - 8);
  const computed = crc32(b.subarray(o, o + RECORD_HEADER_BYTES_V2 + n));
  return stored === computed ? null : `checksum mismatch (CRC-32 ${hex(computed)}, recorded ${hex(stored)})`;
}

/** Reads one whole, checked record (`length` bytes at `o`); a string says why it is unreadable. `bytes` of data events are copies. */
export function readRecordV2(b: Uint8Array, o: number, length: number): RecordV2 | string {
  // The payload is where version 1 has it; version 1's reader does not look past it.
  return readRecordV1(b, o, length - 4);
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
