/**
 * A command set (PS3.7 §6.3.1, Annex E: group 0000, Implicit VR Little
 * Endian) rewritten: Affected and Requested SOP Instance UID (0000,1000),
 * (0000,1001) mapped like the data sets' UIDs, so a C-STORE-RQ still names its
 * instance; Move Destination (0000,0600), Move Originator Application Entity
 * Title (0000,1030) and the retired AE title elements mapped only when the
 * network is redacted (then consistently with the A-ASSOCIATE-RQ's AE titles,
 * so the correlator's links hold). Every other element, the Error Comment
 * included, is kept byte for byte. Command Group Length (0000,0000) is
 * recomputed (PS3.7 E.1: the bytes after it up to the end of the group).
 */
import { CommandTag } from '../dimse/command-dictionary.ts';
import { decodeCommandSet } from '../dimse/command.ts';
import { CommandField } from '../dimse/command-fields.ts';
import type { DataSetKind } from './dataset-rewriter.ts';
import type { RedactContext } from './redact-options.ts';
import { mapAeTitle } from './value-rewrite.ts';

/** Initiator, Receiver, Find Location (retired, PS3.7 Table E.2-1), Move Destination, Move Originator AE Title. */
const AE_ELEMENTS: ReadonlySet<number> = new Set([0x0200, 0x0300, 0x0400, CommandTag.MoveDestination, CommandTag.MoveOriginatorApplicationEntityTitle]);
const UID_ELEMENTS: ReadonlySet<number> = new Set([CommandTag.AffectedSOPInstanceUID, CommandTag.RequestedSOPInstanceUID]);

/** C-FIND, C-GET, C-MOVE (requests and responses): their data set is a query/retrieve identifier (PS3.4 C.4). */
const IDENTIFIER_COMMANDS: ReadonlySet<number> = new Set([CommandField.CFindRq, CommandField.CGetRq, CommandField.CMoveRq]);

export interface RewrittenCommand {
  bytes: Uint8Array;
  /** Command Data Set Type (0000,0800) says a data set follows. */
  hasDataSet: boolean;
  /** How that data set is to be redacted. */
  dataSetKind: DataSetKind;
}

const latin1 = new TextDecoder('latin1');

function text(s: string, pad: number): Uint8Array {
  const n = s.length + (s.length % 2);
  const out = new Uint8Array(n).fill(pad);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function element(elementNumber: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(2, elementNumber, true);
  v.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}

export function rewriteCommand(bytes: Uint8Array, ctx: RedactContext, problem: (reason: string) => void): RewrittenCommand {
  const { message } = decodeCommandSet(bytes, 0, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let groupLengthAt = -1;
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const group = view.getUint16(pos, true);
    const el = view.getUint16(pos + 2, true);
    const length = view.getUint32(pos + 4, true);
    if (group !== 0x0000 || length > bytes.length - pos - 8) break;
    const value = bytes.subarray(pos + 8, pos + 8 + length);
    if (el === CommandTag.CommandGroupLength && groupLengthAt < 0) {
      groupLengthAt = parts.length;
      parts.push(bytes.slice(pos, pos + 8 + length));
    } else if (UID_ELEMENTS.has(el)) {
      parts.push(element(el, text(ctx.pseudonyms.uid(latin1.decode(value)), 0x00)));
    } else if (AE_ELEMENTS.has(el) && ctx.network) {
      parts.push(element(el, text(mapAeTitle(latin1.decode(value), ctx), 0x20)));
    } else {
      parts.push(bytes.slice(pos, pos + 8 + length));
    }
    pos += 8 + length;
  }
  if (pos < bytes.length) problem(`command set unreadable from byte ${pos} (${bytes.length - pos} bytes): left out`);
  if (groupLengthAt >= 0 && parts[groupLengthAt].length === 12) {
    let after = 0;
    for (let i = groupLengthAt + 1; i < parts.length; i++) after += parts[i].length;
    new DataView(parts[groupLengthAt].buffer).setUint32(8, after, true);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  // Bit 15 tells a response from its request (PS3.7 Annex E): both carry an identifier.
  const request = (message?.commandField ?? 0) & 0x7fff;
  return { bytes: out, hasDataSet: message?.hasDataSet ?? false, dataSetKind: IDENTIFIER_COMMANDS.has(request) ? 'identifier' : 'instance' };
}
