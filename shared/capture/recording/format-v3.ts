/**
 * Recording format version 3: version 2's framing, records and checksums,
 * plus the `tls` wire event in `E` records — the TLS facts of each leg of a
 * connection (shared/capture/wire-event.ts WireTls: version, cipher suite,
 * SNI, certificates, handshake failure and alert; PS3.15 Annex B) — and, for
 * a connection with an established TLS leg, `D` records that hold the
 * decrypted DICOM bytes of that leg rather than the TLS records that crossed
 * it. This file is frozen once released: a later version gets its own
 * `format-vN.ts`, and `migrations.ts` converts what this one reads.
 *
 * Why a version and not an optional field: a reader of version 2 takes every
 * `D` record for bytes as they crossed the wire and has no way to read a
 * `tls` event (it reports each one as an invalid record): it must say
 * "update pacscope" instead of presenting a TLS session as plain TCP
 * (docs/recording-format.md, "Versions and migrations").
 */
import { framingErrorV2, RECORD_HEADER_BYTES_V2, RECORD_TRAILER_BYTES_V2, readRecordV2, recordLengthV2, RecordTypeV2 } from './format-v2.ts';
import type { RecordV2 } from './format-v2.ts';
import type { WireTls } from '../wire-event.ts';

export const RecordTypeV3 = RecordTypeV2;
export const RECORD_HEADER_BYTES_V3 = RECORD_HEADER_BYTES_V2;
export const recordLengthV3 = recordLengthV2;
export const framingErrorV3 = framingErrorV2;

/** What one record means in version 3: version 2's records, and `tls` events. */
export type RecordV3 = RecordV2 | { type: 'event'; event: WireTls };

const decoder = new TextDecoder('utf-8', { fatal: true });
const isSide = (s: unknown): boolean => s === 'requestor' || s === 'acceptor';
const OUTCOMES = new Set(['established', 'failed', 'not-tls', 'not-tls-answer', 'encrypted']);
const ROLES = new Set(['server', 'client', 'observer']);

/** Reads one whole, checked record; a string says why it is unreadable. */
export function readRecordV3(b: Uint8Array, o: number, length: number): RecordV3 | string {
  if (b[o + 4] !== RecordTypeV3.Event) return readRecordV2(b, o, length);
  const p = o + RECORD_HEADER_BYTES_V3;
  const n = length - RECORD_HEADER_BYTES_V3 - RECORD_TRAILER_BYTES_V2;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(decoder.decode(b.subarray(p, p + n))) as Record<string, unknown>;
  } catch {
    return readRecordV2(b, o, length); // says why, as version 2 does
  }
  if (json === null || typeof json !== 'object' || json.kind !== 'tls') return readRecordV2(b, o, length);
  const ok = typeof json.conn === 'number' && typeof json.time === 'number' && isSide(json.leg) && ROLES.has(json.role as string) && OUTCOMES.has(json.outcome as string);
  if (!ok) return 'tls event record without conn, time, leg, role or a known outcome';
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const event: WireTls = {
    ...(json as unknown as WireTls),
    version: str(json.version),
    cipher: str(json.cipher),
    sni: str(json.sni),
    peerCertificate: (json.peerCertificate as WireTls['peerCertificate']) ?? null,
    peerVerified: typeof json.peerVerified === 'boolean' ? json.peerVerified : null,
    verifyError: str(json.verifyError),
    error: (json.error as WireTls['error']) ?? null,
  };
  return { type: 'event', event };
}
