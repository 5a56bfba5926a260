/**
 * Byte helpers for the DUL decoder: big-endian integers (PS3.8 §9.3.1: PDU
 * and item fields are big endian), text fields and hex. Pure, browser-safe.
 */

/** Unsigned 16-bit big-endian at `p` (caller checks bounds). */
export function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** Unsigned 32-bit big-endian at `p` (caller checks bounds). */
export function u32(b: Uint8Array, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Bytes as characters one for one (ISO 646 / Latin-1): never fails, whatever the bytes. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** A UID field (PS3.8 Annex F): trailing NUL and space padding removed. */
export function uidText(b: Uint8Array, start: number, end: number): string {
  while (end > start && (b[end - 1] === 0x00 || b[end - 1] === 0x20)) end--;
  return latin1(b, start, end);
}

/** An AE title (PS3.8 Table 9-11): trailing spaces and NULs removed, leading spaces kept. */
export function aeTitleText(b: Uint8Array, start: number, end: number): string {
  return uidText(b, start, end);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of b[start, end). */
export function hex(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]];
  return s;
}

/** Two-digit hex of a byte value, for messages: 0x4a. */
export function hexByte(v: number): string {
  return `0x${HEX[v & 0xff]}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 text (PS3.7 Annex D.3.3.7: user identity username), invalid sequences replaced. */
export function utf8Text(b: Uint8Array, start: number, end: number): string {
  return utf8.decode(b.subarray(start, end));
}

/** The parts one after the other, in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
