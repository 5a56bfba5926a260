/**
 * Test helpers: encode command sets and data sets (PS3.5 §7.1) and cut them
 * into PDV pieces as the framer would (PS3.8 §9.3.5, Annex E.2). Written for
 * the tests only: small, readable, no validation.
 */
import type { PdvPiece } from '../../../shared/dimse/reassembler.ts';

export interface Enc {
  explicitVr: boolean;
  littleEndian: boolean;
}
export const IMPLICIT_LE: Enc = { explicitVr: false, littleEndian: true };
export const EXPLICIT_LE: Enc = { explicitVr: true, littleEndian: true };
export const EXPLICIT_BE: Enc = { explicitVr: true, littleEndian: false };

export type Value = string | number[] | Uint8Array | Element[][];
export interface Element {
  tag: number;
  vr: string;
  value: Value;
  /** Encode a sequence (SQ) or pixel data with undefined length and delimiters. */
  undefinedLength?: boolean;
}

export const el = (tag: number, vr: string, value: Value, undefinedLength = false): Element => ({ tag, vr, value, undefinedLength });

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** A string value, padded to even length (NUL for UI, space otherwise); `bytes` to give raw bytes. */
function textBytes(vr: string, s: string): Uint8Array {
  const raw = new TextEncoder().encode(s);
  if (raw.length % 2 === 0) return raw;
  return concat(raw, new Uint8Array([vr === 'UI' ? 0 : 0x20]));
}

function numberBytes(vr: string, values: number[], little: boolean): Uint8Array {
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((n, i) => {
    if (vr === 'US') v.setUint16(i * 2, n, little);
    else if (vr === 'SS') v.setInt16(i * 2, n, little);
    else if (vr === 'UL') v.setUint32(i * 4, n, little);
    else if (vr === 'SL') v.setInt32(i * 4, n, little);
    else if (vr === 'FL') v.setFloat32(i * 4, n, little);
    else if (vr === 'FD') v.setFloat64(i * 8, n, little);
    else if (vr === 'AT') {
      v.setUint16(i * 4, n >>> 16, little);
      v.setUint16(i * 4 + 2, n & 0xffff, little);
    }
  });
  return out;
}

function header(tag: number, vr: string, length: number, enc: Enc): Uint8Array {
  const isDelimiter = tag >>> 16 === 0xfffe;
  const long = LONG_VRS.has(vr);
  const size = enc.explicitVr && !isDelimiter && long ? 12 : 8;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, enc.littleEndian);
  v.setUint16(2, tag & 0xffff, enc.littleEndian);
  if (!enc.explicitVr || isDelimiter) {
    v.setUint32(4, length, enc.littleEndian);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) v.setUint32(8, length, enc.littleEndian);
    else v.setUint16(6, length, enc.littleEndian);
  }
  return out;
}

export function encodeElement(e: Element, enc: Enc): Uint8Array {
  let value: Uint8Array;
  if (e.vr === 'SQ') {
    const items = (e.value as Element[][]).map((item) => {
      const body = encodeDataSet(item, enc);
      return e.undefinedLength
        ? concat(header(0xfffee000, '', 0xffffffff, enc), body, header(0xfffee00d, '', 0, enc))
        : concat(header(0xfffee000, '', body.length, enc), body);
    });
    value = concat(...items);
    if (e.undefinedLength) return concat(header(e.tag, e.vr, 0xffffffff, enc), value, header(0xfffee0dd, '', 0, enc));
    return concat(header(e.tag, e.vr, value.length, enc), value);
  }
  if (typeof e.value === 'string') value = textBytes(e.vr, e.value);
  else if (e.value instanceof Uint8Array) value = e.value;
  else value = numberBytes(e.vr, e.value as number[], enc.littleEndian);
  if (e.undefinedLength) {
    // Encapsulated pixel data: an empty offset table item, then the value as one fragment (PS3.5 A.4).
    return concat(
      header(e.tag, e.vr, 0xffffffff, enc),
      header(0xfffee000, '', 0, enc),
      header(0xfffee000, '', value.length, enc),
      value,
      header(0xfffee0dd, '', 0, enc),
    );
  }
  return concat(header(e.tag, e.vr, value.length, enc), value);
}

export function encodeDataSet(elements: Element[], enc: Enc): Uint8Array {
  return concat(...elements.map((e) => encodeElement(e, enc)));
}

/** A command set (Implicit VR LE, PS3.7 §6.3.1): [element number, VR, value]; the group length is prepended. */
export function commandSet(elements: [number, string, Value][]): Uint8Array {
  const body = encodeDataSet(elements.map(([element, vr, value]) => el(element, vr, value)), IMPLICIT_LE);
  return concat(encodeElement(el(0x0000, 'UL', [body.length]), IMPLICIT_LE), body);
}

/**
 * Cut a command set or data set into PDVs of at most `fragment` value bytes,
 * each value delivered in pieces of at most `split` bytes, starting at stream
 * offset `offset`. Each PDV is laid out as if it were alone in a P-DATA-TF:
 * 6-byte PDU header, 4-byte item length, context id, control header, value.
 */
export function pdvs(
  presentationContextId: number,
  isCommand: boolean,
  bytes: Uint8Array,
  opts: { fragment?: number; split?: number; offset?: number } = {},
): { pieces: PdvPiece[]; next: number } {
  const fragment = opts.fragment ?? Math.max(1, bytes.length);
  const split = opts.split ?? fragment;
  let offset = opts.offset ?? 0;
  const pieces: PdvPiece[] = [];
  let pos = 0;
  do {
    const value = bytes.subarray(pos, Math.min(bytes.length, pos + fragment));
    pos += value.length;
    const isLast = pos >= bytes.length;
    const pdvOffset = offset + 6;
    const header = { offset: pdvOffset, itemLength: value.length + 2, presentationContextId, isCommand, isLast, valueLength: value.length };
    let p = 0;
    do {
      const part = value.subarray(p, Math.min(value.length, p + split));
      pieces.push({ header, offset: pdvOffset + 6 + p, bytes: part, end: p + part.length >= value.length });
      p += part.length;
    } while (p < value.length);
    offset = pdvOffset + 6 + value.length;
  } while (pos < bytes.length);
  return { pieces, next: offset };
}

/** "0a 0b" → bytes; whitespace and comments after "#" on each line ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
