/**
 * Reading every format version that was ever written. Each version has a
 * frozen reader (`format-vN.ts`) that frames and reads its records; a chain
 * of small converters `convert_N_to_N+1` then brings a record up to the
 * current version, one step at a time (the scheme of mitmproxy's flow file
 * migrations). Each step is tested on frozen files of its version in
 * test/fixtures/recording/.
 *
 * Version 2 (format-v2.ts) added a CRC-32 to every record; what a record
 * means did not change, so convert_1_to_2 is the identity. Version 3
 * (format-v3.ts) added the `tls` wire event and decrypted `D` records of TLS
 * connections; a version 2 connection is plain TCP, which version 3 says by
 * having no `tls` event for it, so convert_2_to_3 is the identity too. The
 * next version adds `format-v4.ts`, a `convert_3_to_4` here, and an entry in
 * both tables.
 */
import { framingErrorV1, RECORD_HEADER_BYTES_V1, readRecordV1, recordLengthV1 } from './format-v1.ts';
import type { RecordV1 } from './format-v1.ts';
import { framingErrorV2, RECORD_HEADER_BYTES_V2, readRecordV2, recordLengthV2 } from './format-v2.ts';
import type { RecordV2 } from './format-v2.ts';
import { framingErrorV3, RECORD_HEADER_BYTES_V3, readRecordV3, recordLengthV3 } from './format-v3.ts';
import type { RecordV3 } from './format-v3.ts';
import { RECORDING_FORMAT_VERSION } from './recording-meta.ts';

/** A record in the current version's terms. */
export type CurrentRecord = RecordV3;

/** How a version frames and reads its records. */
export interface VersionReader {
  /** Bytes needed to know a record's length (its length and type). */
  recordHeaderBytes: number;
  recordLength(b: Uint8Array, o: number): number;
  /** Null when the record is framed correctly (lengths, and the checksum where the version has one); otherwise why it is damaged. */
  framingError(b: Uint8Array, o: number, length: number): string | null;
  /** The record read and converted to the current version, or why it cannot be read. */
  read(b: Uint8Array, o: number, length: number): CurrentRecord | string;
}

/** Version 1 → 2: the checksum is framing only; a record means the same. */
function convert_1_to_2(record: RecordV1): RecordV2 {
  return record;
}

/**
 * Version 2 → 3: a version 2 recording holds plain TCP only (its data
 * records are the bytes as they crossed the wire), which in version 3 is a
 * connection without a `tls` event: every record means the same.
 */
function convert_2_to_3(record: RecordV2): RecordV3 {
  return record;
}

/** The converter chain, by source version: `CONVERTERS[n]` is convert_n_to_(n+1). */
const CONVERTERS: Record<number, (record: never) => unknown> = {
  1: convert_1_to_2,
  2: convert_2_to_3,
};

function upgrade(record: unknown, fromVersion: number): CurrentRecord {
  let r = record;
  for (let v = fromVersion; v < RECORDING_FORMAT_VERSION; v++) r = CONVERTERS[v](r as never);
  return r as CurrentRecord;
}

/** Readers by format version number. */
const VERSION_READERS: Record<number, VersionReader> = {
  1: {
    recordHeaderBytes: RECORD_HEADER_BYTES_V1,
    recordLength: recordLengthV1,
    framingError: framingErrorV1,
    read(b, o, length) {
      const r = readRecordV1(b, o, length);
      return typeof r === 'string' ? r : upgrade(r, 1);
    },
  },
  2: {
    recordHeaderBytes: RECORD_HEADER_BYTES_V2,
    recordLength: recordLengthV2,
    framingError: framingErrorV2,
    read(b, o, length) {
      const r = readRecordV2(b, o, length);
      return typeof r === 'string' ? r : upgrade(r, 2);
    },
  },
  3: {
    recordHeaderBytes: RECORD_HEADER_BYTES_V3,
    recordLength: recordLengthV3,
    framingError: framingErrorV3,
    read(b, o, length) {
      const r = readRecordV3(b, o, length);
      return typeof r === 'string' ? r : upgrade(r, 3);
    },
  },
};

/** The reader for a file's version, or a sentence saying why there is none. */
export function readerForVersion(version: number): VersionReader | string {
  const reader = VERSION_READERS[version];
  if (reader !== undefined) return reader;
  if (version > RECORDING_FORMAT_VERSION) return `recording format version ${version} is newer than this pacscope reads (up to ${RECORDING_FORMAT_VERSION}): update pacscope`;
  return `unknown recording format version ${version}`;
}
