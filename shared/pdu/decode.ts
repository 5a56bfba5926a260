/**
 * Decodes one whole PDU, PS3.8 §9.3: all seven PDU types. Bad bytes become
 * problems with their stream offset; nothing is thrown (principle 5).
 */
import type {
  AAbort,
  AAssociateAc,
  AAssociateRj,
  AAssociateRq,
  AReleaseRp,
  AReleaseRq,
  DecodeProblem,
  PDataTf,
  PdvHeader,
  Pdu,
  PresentationContextAc,
  PresentationContextRq,
  UnknownItem,
  UserInformation,
} from './types.ts';
import { ItemType, PduType } from './types.ts';
import { aeTitleText, hexByte, u16, u32, uidText } from './bytes.ts';
import { decodePresentationContextAc, decodePresentationContextRq, readItems, unknownItem } from './items.ts';
import { decodeUserInformation, type AssociateSide } from './user-info.ts';
import { makePdvHeader, PDV_HEADER_LENGTH, pdvHeaderProblems, pdvLengthProblem } from './pdv.ts';
import {
  abortReasonText,
  abortSourceText,
  associateRjReasonText,
  associateRjResultText,
  associateRjSourceText,
} from './meanings.ts';

/** PDU header: type (1), reserved (1), length (4), PS3.8 §9.3.1. */
export const PDU_HEADER_LENGTH = 6;
/** Fixed fields of A-ASSOCIATE-RQ/AC after the header, PS3.8 Table 9-11: the variable items start at byte 74. */
export const ASSOCIATE_FIXED_LENGTH = 68;

export const PDU_NAMES: ReadonlyMap<number, Pdu['name']> = Object.freeze(
  new Map<number, Pdu['name']>([
    [PduType.AAssociateRq, 'A-ASSOCIATE-RQ'],
    [PduType.AAssociateAc, 'A-ASSOCIATE-AC'],
    [PduType.AAssociateRj, 'A-ASSOCIATE-RJ'],
    [PduType.PDataTf, 'P-DATA-TF'],
    [PduType.AReleaseRq, 'A-RELEASE-RQ'],
    [PduType.AReleaseRp, 'A-RELEASE-RP'],
    [PduType.AAbort, 'A-ABORT'],
  ]),
);

export interface DecodeResult {
  pdu: Pdu | null;
  problems: DecodeProblem[];
}

/**
 * Decodes the PDU at the start of `bytes`; `offset` is the stream offset of
 * bytes[0], and every offset in the result is a stream offset.
 */
export function decodePdu(bytes: Uint8Array, offset: number): DecodeResult {
  const problems: DecodeProblem[] = [];
  try {
    return { pdu: decodeChecked(bytes, offset, problems), problems };
  } catch (e) {
    // A safety net only: the decoders below check every bound.
    problems.push({ offset, reason: `internal decoder error: ${e instanceof Error ? e.message : String(e)}` });
    return { pdu: null, problems };
  }
}

function decodeChecked(bytes: Uint8Array, offset: number, problems: DecodeProblem[]): Pdu | null {
  if (bytes.length < PDU_HEADER_LENGTH) {
    problems.push({ offset, reason: `${bytes.length} byte(s) are too few for a PDU header (6)` });
    return null;
  }
  const type = bytes[0];
  const name = PDU_NAMES.get(type);
  if (!name) {
    problems.push({ offset, reason: `unknown PDU type ${hexByte(type)}` });
    return null;
  }
  const declared = u32(bytes, 2);
  let end = PDU_HEADER_LENGTH + declared;
  if (end > bytes.length) {
    problems.push({ offset, reason: `${name} declares ${declared} bytes after its header but only ${bytes.length - PDU_HEADER_LENGTH} are present` });
    end = bytes.length;
  } else if (end < bytes.length) {
    problems.push({ offset: offset + end, reason: `${bytes.length - end} byte(s) after the end of the ${name} ignored` });
  }
  const b = bytes.subarray(0, end);
  const length = PDU_HEADER_LENGTH + declared;
  switch (type) {
    case PduType.AAssociateRq:
      return decodeAssociate(b, offset, length, 'rq', problems);
    case PduType.AAssociateAc:
      return decodeAssociate(b, offset, length, 'ac', problems);
    case PduType.AAssociateRj:
      return decodeAssociateRj(b, offset, length, problems);
    case PduType.PDataTf:
      return decodePDataTf(b, offset, length, problems);
    case PduType.AReleaseRq:
    case PduType.AReleaseRp:
      return decodeRelease(b, offset, length, type, problems);
    default:
      return decodeAbort(b, offset, length, problems);
  }
}

/** The 4-byte fixed part of A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT: checks there are exactly 4. */
function checkFourBytes(b: Uint8Array, offset: number, name: string, problems: DecodeProblem[]): boolean {
  const declared = u32(b, 2);
  if (declared !== 4) problems.push({ offset, reason: `${name} length is ${declared}, not 4` });
  if (b.length < PDU_HEADER_LENGTH + 4) {
    problems.push({ offset, reason: `${name} too short: ${b.length} bytes, 10 needed` });
    return false;
  }
  return true;
}

/** A-ASSOCIATE-RJ, PS3.8 §9.3.4 (Table 9-21). */
function decodeAssociateRj(b: Uint8Array, offset: number, length: number, problems: DecodeProblem[]): AAssociateRj | null {
  if (!checkFourBytes(b, offset, 'A-ASSOCIATE-RJ', problems)) return null;
  const result = b[7];
  const source = b[8];
  const reason = b[9];
  if (result !== 1 && result !== 2) problems.push({ offset: offset + 7, reason: `A-ASSOCIATE-RJ result ${result} is not 1 or 2` });
  if (source < 1 || source > 3) problems.push({ offset: offset + 8, reason: `A-ASSOCIATE-RJ source ${source} is not 1, 2 or 3` });
  return {
    pduType: 0x03,
    name: 'A-ASSOCIATE-RJ',
    offset,
    length,
    result,
    resultText: associateRjResultText(result),
    source,
    sourceText: associateRjSourceText(source),
    reason,
    reasonText: associateRjReasonText(source, reason),
  };
}

/** A-RELEASE-RQ / A-RELEASE-RP, PS3.8 §9.3.6–§9.3.7 (Tables 9-24, 9-25): 4 reserved bytes. */
function decodeRelease(b: Uint8Array, offset: number, length: number, type: number, problems: DecodeProblem[]): AReleaseRq | AReleaseRp {
  const name = type === PduType.AReleaseRq ? 'A-RELEASE-RQ' : 'A-RELEASE-RP';
  checkFourBytes(b, offset, name, problems);
  return type === PduType.AReleaseRq
    ? { pduType: 0x05, name: 'A-RELEASE-RQ', offset, length }
    : { pduType: 0x06, name: 'A-RELEASE-RP', offset, length };
}

/** A-ABORT, PS3.8 §9.3.8 (Table 9-26). */
function decodeAbort(b: Uint8Array, offset: number, length: number, problems: DecodeProblem[]): AAbort | null {
  if (!checkFourBytes(b, offset, 'A-ABORT', problems)) return null;
  const source = b[8];
  const reason = b[9];
  if (source > 2) problems.push({ offset: offset + 8, reason: `A-ABORT source ${source} is not 0, 1 or 2` });
  if (source === 2 && reason > 6) problems.push({ offset: offset + 9, reason: `A-ABORT reason ${reason} is not defined (0–6)` });
  return {
    pduType: 0x07,
    name: 'A-ABORT',
    offset,
    length,
    source,
    sourceText: abortSourceText(source),
    reason,
    reasonText: abortReasonText(source, reason),
  };
}

/** P-DATA-TF, PS3.8 §9.3.5 (Table 9-22): the PDV item headers; values are the framer's business. */
function decodePDataTf(b: Uint8Array, offset: number, length: number, problems: DecodeProblem[]): PDataTf {
  const pdvs: PdvHeader[] = [];
  let p = PDU_HEADER_LENGTH;
  if (b.length === PDU_HEADER_LENGTH) problems.push({ offset, reason: 'P-DATA-TF carries no PDV item' });
  while (p < b.length) {
    if (b.length - p < PDV_HEADER_LENGTH) {
      problems.push({ offset: offset + p, reason: `${b.length - p} stray byte(s) at the end of the P-DATA-TF, too short for a PDV item header` });
      break;
    }
    const itemLength = u32(b, p);
    const bad = pdvLengthProblem(itemLength, b.length - p - 4);
    if (bad) {
      problems.push({ offset: offset + p, reason: bad });
      break;
    }
    pdvHeaderProblems(offset + p, b[p + 4], b[p + 5], problems);
    pdvs.push(makePdvHeader(offset + p, itemLength, b[p + 4], b[p + 5]));
    p += 4 + itemLength;
  }
  return { pduType: 0x04, name: 'P-DATA-TF', offset, length, pdvs };
}

/** A-ASSOCIATE-RQ (PS3.8 §9.3.2, Table 9-11) or A-ASSOCIATE-AC (§9.3.3, Table 9-17). */
function decodeAssociate(b: Uint8Array, offset: number, length: number, side: AssociateSide, problems: DecodeProblem[]): AAssociateRq | AAssociateAc | null {
  const name = side === 'rq' ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC';
  if (b.length < PDU_HEADER_LENGTH + ASSOCIATE_FIXED_LENGTH) {
    problems.push({ offset, reason: `${name} too short for its fixed fields: ${b.length} bytes, 74 needed` });
    return null;
  }
  const protocolVersion = u16(b, 6);
  if ((protocolVersion & 1) === 0) problems.push({ offset: offset + 6, reason: `protocol version ${hexByte(protocolVersion)} does not have bit 0 (version 1) set` });
  const calledAeTitle = aeTitleText(b, 10, 26);
  const callingAeTitle = aeTitleText(b, 26, 42);
  let applicationContext: string | null = null;
  const rqContexts: PresentationContextRq[] = [];
  const acContexts: PresentationContextAc[] = [];
  let userInformation: UserInformation | null = null;
  const unknownItems: UnknownItem[] = [];
  const contextItem = side === 'rq' ? ItemType.PresentationContextRq : ItemType.PresentationContextAc;
  for (const item of readItems(b, PDU_HEADER_LENGTH + ASSOCIATE_FIXED_LENGTH, b.length, offset, name, problems)) {
    if (item.itemType === ItemType.ApplicationContext) {
      if (applicationContext !== null) problems.push({ offset: item.offset, reason: 'more than one application context item: the first is kept' });
      else applicationContext = uidText(b, item.start, item.end);
    } else if (item.itemType === contextItem) {
      if (side === 'rq') {
        const pc = decodePresentationContextRq(b, item, offset, problems);
        if (pc) rqContexts.push(pc);
      } else {
        const pc = decodePresentationContextAc(b, item, offset, problems);
        if (pc) acContexts.push(pc);
      }
    } else if (item.itemType === ItemType.UserInformation) {
      if (userInformation !== null) problems.push({ offset: item.offset, reason: 'more than one user information item: the first is kept' });
      else userInformation = decodeUserInformation(b, item, offset, side, problems);
    } else {
      if (item.itemType === ItemType.PresentationContextRq || item.itemType === ItemType.PresentationContextAc)
        problems.push({ offset: item.offset, reason: `item ${hexByte(item.itemType)} does not belong in an ${name}: kept as unknown` });
      unknownItems.push(unknownItem(b, item));
    }
  }
  if (applicationContext === null) problems.push({ offset, reason: `${name} has no application context item` });
  const contexts = side === 'rq' ? rqContexts : acContexts;
  if (contexts.length === 0 && side === 'rq') problems.push({ offset, reason: 'A-ASSOCIATE-RQ proposes no presentation context' });
  const seen = new Set<number>();
  for (const pc of contexts) {
    if (seen.has(pc.id)) problems.push({ offset: pc.offset, reason: `presentation context ID ${pc.id} appears more than once` });
    seen.add(pc.id);
  }
  if (userInformation === null) problems.push({ offset, reason: `${name} has no user information item` });
  const common = { offset, length, protocolVersion, calledAeTitle, callingAeTitle, applicationContext, userInformation, unknownItems };
  return side === 'rq'
    ? { pduType: 0x01, name: 'A-ASSOCIATE-RQ', ...common, presentationContexts: rqContexts }
    : { pduType: 0x02, name: 'A-ASSOCIATE-AC', ...common, presentationContexts: acContexts };
}
