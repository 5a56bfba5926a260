/**
 * When can a PDU header be trusted? PS3.8 §9.3.1 gives the header (type,
 * reserved byte, 32-bit length) and §9.3.2–§9.3.8 the fixed part of each PDU
 * type, which bounds its length. The framer judges every header with these
 * rules before it commits to a PDU length, and judges candidate headers more
 * strictly while it scans unknown bytes for a place to resynchronise (so that
 * a pixel value that happens to look like a header is unlikely to be taken
 * for one).
 */
import { hexByte, u16, u32 } from './bytes.ts';
import { ASSOCIATE_FIXED_LENGTH, PDU_HEADER_LENGTH, PDU_NAMES } from './decode.ts';
import { pdvLengthProblem } from './pdv.ts';

/** Judgement: the header can be trusted. Positive numbers ask for that many bytes from the header start; negative means untrusted. */
export const TRUSTED = 0;
export const UNTRUSTED = -1;

/** While scanning, a P-DATA-TF longer than this is taken for noise (no real peer negotiates such PDUs). */
export const MAX_SCANNED_PDATA_LENGTH = 64 * 1024 * 1024;

/** Bytes a strict judgement may need: an A-ASSOCIATE header, its fixed fields and the first item's type and reserved byte. */
export const MAX_LOOKAHEAD = PDU_HEADER_LENGTH + ASSOCIATE_FIXED_LENGTH + 2;

/** Item types that may open the variable part of an A-ASSOCIATE-RQ/AC (PS3.8 Tables 9-11, 9-17). */
const FIRST_ITEM_TYPES = new Set([0x10, 0x20, 0x21, 0x50]);

/**
 * Judges the header at b[p] with `avail` bytes available from there.
 * `maxBuffered` bounds the whole length of a PDU other than P-DATA-TF.
 * Non-strict rules (at a PDU boundary): type 1–7, reserved byte 0, a length
 * possible for the type, and for P-DATA-TF a first PDV item that fits.
 * Strict rules (while scanning) add the fixed fields of each type.
 */
export function judgeHeader(b: Uint8Array, p: number, avail: number, strict: boolean, maxBuffered: number): number {
  if (avail < 1) return 1;
  const type = b[p];
  if (type < 1 || type > 7) return UNTRUSTED;
  if (avail < 2) return 2;
  if (b[p + 1] !== 0) return UNTRUSTED;
  if (avail < PDU_HEADER_LENGTH) return PDU_HEADER_LENGTH;
  const length = u32(b, p + 2);
  switch (type) {
    case 1:
    case 2: {
      if (length < ASSOCIATE_FIXED_LENGTH || length + PDU_HEADER_LENGTH > maxBuffered) return UNTRUSTED;
      if (!strict) return TRUSTED;
      if (length < ASSOCIATE_FIXED_LENGTH + 4) return UNTRUSTED;
      if (avail < 10) return 10;
      if ((u16(b, p + 6) & 1) === 0 || b[p + 8] !== 0 || b[p + 9] !== 0) return UNTRUSTED;
      if (avail < MAX_LOOKAHEAD) return MAX_LOOKAHEAD;
      return FIRST_ITEM_TYPES.has(b[p + 74]) && b[p + 75] === 0 ? TRUSTED : UNTRUSTED;
    }
    case 4: {
      if (length === 0 && !strict) return TRUSTED; // framed, reported as carrying no PDV
      if (length < 6 || (strict && length > MAX_SCANNED_PDATA_LENGTH)) return UNTRUSTED;
      if (avail < 12) return 12;
      if (pdvLengthProblem(u32(b, p + 6), length - 4) !== null) return UNTRUSTED;
      if (!strict) return TRUSTED;
      return (b[p + 10] & 1) === 1 && b[p + 11] <= 3 ? TRUSTED : UNTRUSTED;
    }
    default: {
      if (length !== 4 || length + PDU_HEADER_LENGTH > maxBuffered) return UNTRUSTED;
      if (!strict) return TRUSTED;
      if (avail < 10) return 10;
      if (type === 3) return b[p + 6] === 0 && (b[p + 7] === 1 || b[p + 7] === 2) && b[p + 8] >= 1 && b[p + 8] <= 3 ? TRUSTED : UNTRUSTED;
      if (type === 7) return b[p + 6] === 0 && b[p + 7] === 0 && b[p + 8] <= 2 && b[p + 9] <= 6 ? TRUSTED : UNTRUSTED;
      return b[p + 6] === 0 && b[p + 7] === 0 && b[p + 8] === 0 && b[p + 9] === 0 ? TRUSTED : UNTRUSTED;
    }
  }
}

/** Why the non-strict rules refuse the header at b[p] (call only when judgeHeader said UNTRUSTED). */
export function untrustedReason(b: Uint8Array, p: number, avail: number, maxBuffered: number): string {
  const type = b[p];
  const name = PDU_NAMES.get(type);
  if (!name) {
    const shown = type >= 0x20 && type < 0x7f ? ` (ASCII '${String.fromCharCode(type)}')` : '';
    return `unknown PDU type ${hexByte(type)}${shown}`;
  }
  if (b[p + 1] !== 0) return `${name} header has reserved byte ${hexByte(b[p + 1])}, not 0x00`;
  const length = u32(b, p + 2);
  if (type === 1 || type === 2) {
    if (length < ASSOCIATE_FIXED_LENGTH) return `${name} length ${length} is less than the ${ASSOCIATE_FIXED_LENGTH} bytes of its fixed fields`;
    return `${name} of ${length + PDU_HEADER_LENGTH} bytes exceeds the ${maxBuffered}-byte limit for a PDU held whole`;
  }
  if (type === 4) {
    if (length < 6) return `P-DATA-TF length ${length} is too short for a PDV item (6 bytes at least)`;
    if (avail >= 12) return `P-DATA-TF's first ${pdvLengthProblem(u32(b, p + 6), length - 4) ?? 'PDV item is implausible'}`;
    return 'P-DATA-TF header is implausible';
  }
  if (length !== 4) return `${name} length is ${length}, must be 4`;
  return `${name} of ${length + PDU_HEADER_LENGTH} bytes exceeds the ${maxBuffered}-byte limit for a PDU held whole`;
}
