/**
 * TLS records on the wire (RFC 8446 §5.1; RFC 5246 §6.2.1 for TLS 1.2): a
 * 5-byte header — content type (20 change_cipher_spec, 21 alert,
 * 22 handshake, 23 application_data), legacy version 0x03 0x0N, length ≤
 * 2^14 + 2048 — then the fragment. What a connection's first bytes are tells
 * TLS from DICOM before anything is decoded: a ClientHello starts 0x16 0x03,
 * an A-ASSOCIATE-RQ 0x01 0x00 (PS3.8 §9.3.2).
 */

export const ContentType = Object.freeze({ ChangeCipherSpec: 20, Alert: 21, Handshake: 22, ApplicationData: 23 } as const);

/** RFC 8446 §5.2: a TLSCiphertext fragment is at most 2^14 + 256 bytes; TLS 1.2 allows 2^14 + 2048. */
export const MAX_RECORD_FRAGMENT = 16384 + 2048;

/** True when `b` starts with a TLS record header of any content type (at least 5 bytes needed). */
export function looksLikeTlsRecord(b: Uint8Array): boolean {
  if (b.length < 5) return false;
  const length = (b[3] << 8) | b[4];
  return b[0] >= 20 && b[0] <= 23 && b[1] === 0x03 && b[2] <= 0x04 && length > 0 && length <= MAX_RECORD_FRAGMENT;
}

/**
 * True when `b` starts like a TLS handshake record (a ClientHello opens every
 * TLS connection). Decided on the first 3 bytes, so that one byte more than a
 * DICOM PDU type is enough: 0x16 is no PDU type (PS3.8 Table 9-11 ends at 0x07).
 */
export function looksLikeTlsHandshake(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === ContentType.Handshake && b[1] === 0x03 && b[2] <= 0x04;
}

/** True when `b` starts like a TLS alert record (what a TLS server answers to bytes that are no TLS). */
export function looksLikeTlsAlert(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === ContentType.Alert && b[1] === 0x03 && b[2] <= 0x04;
}
