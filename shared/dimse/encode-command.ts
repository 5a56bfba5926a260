/**
 * Encodes the command set of a DIMSE response (PS3.7 §6.3.1, §9.3: always
 * Implicit VR Little Endian, group 0000, elements in ascending tag order
 * after the Command Group Length), for an acceptor that answers a request
 * itself: a refused or failed C-ECHO/C-FIND/C-MOVE/C-GET/C-STORE with its
 * status and an error comment. Pure: numbers and strings in, bytes out.
 */
import { NO_DATA_SET } from './command-fields.ts';

export interface ResponseCommand {
  /** The response's Command Field (0000,0100), e.g. 0x8020 for C-FIND-RSP. */
  commandField: number;
  /** Message ID Being Responded To (0000,0120). */
  respondsTo: number;
  /** Affected SOP Class UID (0000,0002), left out when null. */
  affectedSopClass: string | null;
  /** Affected SOP Instance UID (0000,1000), C-STORE-RSP only; left out when null. */
  affectedSopInstance?: string | null;
  /** Status (0000,0900), PS3.7 Annex C. */
  status: number;
  /** Error Comment (0000,0902), LO: cut to 64 characters. */
  errorComment?: string;
}

const TAG_AFFECTED_SOP_CLASS = 0x0002;
const TAG_COMMAND_FIELD = 0x0100;
const TAG_RESPONDS_TO = 0x0120;
const TAG_DATA_SET_TYPE = 0x0800;
const TAG_STATUS = 0x0900;
const TAG_ERROR_COMMENT = 0x0902;
const TAG_AFFECTED_SOP_INSTANCE = 0x1000;

/** One element of group 0000 in Implicit VR Little Endian: tag, 32-bit length, value. */
function element(tag: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0000, true);
  view.setUint16(2, tag, true);
  view.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}

const us = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff);

/** Text padded to even length (PS3.5 §6.2: UI with NUL, other strings with a space), Latin-1 bytes. */
function text(value: string, pad: number): Uint8Array {
  const chars = Array.from(value, (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f));
  if (chars.length % 2 === 1) chars.push(pad);
  return Uint8Array.from(chars);
}

export function encodeResponseCommand(r: ResponseCommand): Uint8Array {
  const parts: Uint8Array[] = [];
  if (r.affectedSopClass) parts.push(element(TAG_AFFECTED_SOP_CLASS, text(r.affectedSopClass, 0)));
  parts.push(element(TAG_COMMAND_FIELD, us(r.commandField)));
  parts.push(element(TAG_RESPONDS_TO, us(r.respondsTo)));
  parts.push(element(TAG_DATA_SET_TYPE, us(NO_DATA_SET)));
  parts.push(element(TAG_STATUS, us(r.status)));
  if (r.errorComment) parts.push(element(TAG_ERROR_COMMENT, text(r.errorComment.slice(0, 64), 0x20)));
  if (r.affectedSopInstance) parts.push(element(TAG_AFFECTED_SOP_INSTANCE, text(r.affectedSopInstance, 0)));
  const body = parts.reduce((n, p) => n + p.length, 0);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, body, true);
  const out = new Uint8Array(12 + body);
  out.set(element(0x0000, length), 0);
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
