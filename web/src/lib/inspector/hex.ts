/**
 * The pure side of the inspector's hex view (issue 4 §3): which PDU carries a
 * message, where a command element's bytes lie inside that PDU, and the rows
 * (offset, 16 bytes as hex and ASCII) to draw.
 *
 * A DIMSE message's `offset` is the stream offset of the PDV item of its
 * first command fragment (its 4-byte length field); the command set's bytes
 * start 6 bytes later (length, presentation context id, message control
 * header). Command element offsets are relative to the command set and an
 * element spans its 8-byte header (tag, 4-byte length: implicit VR little
 * endian, PS3.7 §6.3.1) plus its value.
 */
import type { SummaryPdu } from '../../../../shared/model/summary-types.ts';

export const BYTES_PER_ROW = 16;
const PDU_HEADER = 6;
const PDV_HEADER = 6;
const ELEMENT_HEADER = 8;

/** A half-open byte range [start, end) inside the PDU's bytes. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface HexRow {
  /** Offset of the row's first byte inside the PDU. */
  offset: number;
  /** "0000a0" style offset label. */
  label: string;
  /** Index (inside the PDU) of each byte of the row. */
  indices: number[];
  hex: string[];
  ascii: string;
}

/** Bytes from a lowercase or uppercase hex string (as /api/pdus/:index/bytes gives). */
export function hexToBytes(hex: string): Uint8Array {
  const n = Math.floor(hex.length / 2);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    out[i] = Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/** The index of the PDU (in summary.pdus) that holds stream offset `offset` of one direction of an association, or null. */
export function pduIndexAt(pdus: readonly SummaryPdu[], association: string, side: 'requestor' | 'acceptor', offset: number): number | null {
  for (let i = 0; i < pdus.length; i++) {
    const p = pdus[i];
    if (p.association === association && p.from === side && p.offset <= offset && offset < p.offset + p.length) return i;
  }
  return null;
}

/**
 * Where the command element at `elementOffset` (value length `valueLength`)
 * of the message whose first command PDV item is at stream offset
 * `messageOffset` lies inside `pdu`'s bytes; clipped to that PDV's value when
 * the PDU says how long it is (a fragmented command continues in another
 * PDV). Null when none of it is in this PDU.
 */
export function commandElementRange(pdu: Pick<SummaryPdu, 'offset' | 'length' | 'pdvs'>, messageOffset: number, elementOffset: number, valueLength: number): ByteRange | null {
  const pdvStart = messageOffset - pdu.offset;
  if (pdvStart < PDU_HEADER || pdvStart >= pdu.length) return null;
  const base = pdvStart + PDV_HEADER;
  let limit = pdu.length;
  const pdvLength = pdvValueLengthAt(pdu, pdvStart);
  if (pdvLength !== null) limit = Math.min(limit, base + pdvLength);
  const start = base + elementOffset;
  const end = Math.min(start + ELEMENT_HEADER + valueLength, limit);
  return start < end ? { start, end } : null;
}

/** The value length of the PDV item at `at` inside the PDU, from the summary's PDV list; null when unknown. */
function pdvValueLengthAt(pdu: Pick<SummaryPdu, 'pdvs'>, at: number): number | null {
  if (!pdu.pdvs) return null;
  let pos = PDU_HEADER;
  for (const pdv of pdu.pdvs) {
    if (pos === at) return pdv.length;
    pos += PDV_HEADER + pdv.length;
  }
  return null;
}

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Rows [fromRow, fromRow + rowCount) of the hex view of `bytes`. */
export function hexRows(bytes: Uint8Array, fromRow = 0, rowCount = Number.POSITIVE_INFINITY): HexRow[] {
  const rows: HexRow[] = [];
  const total = Math.ceil(bytes.length / BYTES_PER_ROW);
  const last = Math.min(total, fromRow + rowCount);
  for (let r = Math.max(0, fromRow); r < last; r++) {
    const offset = r * BYTES_PER_ROW;
    const slice = bytes.subarray(offset, offset + BYTES_PER_ROW);
    const indices: number[] = [];
    const hex: string[] = [];
    let ascii = '';
    slice.forEach((b, i) => {
      indices.push(offset + i);
      hex.push(b.toString(16).padStart(2, '0'));
      ascii += printable(b);
    });
    rows.push({ offset, label: offset.toString(16).padStart(6, '0'), indices, hex, ascii });
  }
  return rows;
}

/** True when byte `index` is inside `range`. */
export function inRange(range: ByteRange | null, index: number): boolean {
  return range !== null && index >= range.start && index < range.end;
}
