/**
 * Is this TCP stream DICOM? The association requestor's first bytes are an
 * A-ASSOCIATE-RQ PDU header (PS3.8 §9.3.2, Table 9-11): PDU type 0x01, a
 * reserved 0x00, a 4-byte big-endian PDU length, then the protocol version
 * 0x0001. The fixed fields after the header (reserved 2, called and calling
 * AE titles 16 each, reserved 32) make 68 bytes, so a shorter length is not
 * an A-ASSOCIATE-RQ.
 */

/** Bytes needed to decide. */
export const ASSOCIATE_RQ_PROBE_BYTES = 8;

/** The smallest PDU length of an A-ASSOCIATE-RQ: its fixed fields, without any variable item. */
const MIN_ASSOCIATE_RQ_LENGTH = 68;

/** True when `b` (at least 8 bytes) starts like an A-ASSOCIATE-RQ. */
export function looksLikeAssociateRq(b: Uint8Array): boolean {
  if (b.length < ASSOCIATE_RQ_PROBE_BYTES) return false;
  const length = ((b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]) >>> 0;
  return b[0] === 0x01 && b[1] === 0x00 && length >= MIN_ASSOCIATE_RQ_LENGTH && b[6] === 0x00 && b[7] === 0x01;
}
