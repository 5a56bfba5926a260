/**
 * What an association acceptor checks in a PDU it receives before anything
 * acts on it, PS3.8 §9.3: the header (type, reserved byte and a length
 * possible for the type and within the limits — judged before a byte of the
 * body is held), the structure of an A-ASSOCIATE-RQ item by item (§9.3.2,
 * Annex D, PS3.7 Annex D.3.3) and of a P-DATA-TF's PDV items (§9.3.5). Pure:
 * bytes in, a verdict out; the state machine (state-machine.ts) decides what
 * a verdict means in the association's state.
 *
 * A verdict is one of: acceptable; to be rejected with A-ASSOCIATE-RJ
 * (PS3.8 Table 9-10 AE-6: "not acceptable by the service-provider", Table
 * 9-21 for result, source and reason); invalid (event Evt19, answered with
 * an A-ABORT whose reason is from Table 9-26).
 */
import { hexByte, u16, u32, uidText } from './bytes.ts';
import { decodePdu, PDU_HEADER_LENGTH, ASSOCIATE_FIXED_LENGTH, PDU_NAMES } from './decode.ts';
import { AbortReason } from './state-machine.ts';
import type { AAssociateRq } from './types.ts';
import { ItemType, PduType } from './types.ts';

/** The one DICOM application context name, PS3.7 Annex A.2.1. */
export const DICOM_APPLICATION_CONTEXT_NAME = '1.2.840.10008.3.1.1.1';

export interface Invalid {
  kind: 'invalid';
  /** A-ABORT reason, PS3.8 Table 9-26. */
  abortReason: number;
  why: string;
}

export interface Reject {
  kind: 'reject';
  /** PS3.8 Table 9-21. */
  result: 1 | 2;
  source: 1 | 2 | 3;
  reason: number;
  why: string;
}

const invalid = (abortReason: number, why: string): Invalid => ({ kind: 'invalid', abortReason, why });

export interface HeaderLimits {
  /** Longest A-ASSOCIATE-RQ/AC held, header included. */
  maxAssociateBytes: number;
  /** Longest variable field of a P-DATA-TF: the maximum length this side announced (PS3.8 Annex D.1). */
  maxPDataLength: number;
}

/**
 * Judges a PDU header (PS3.8 §9.3.1: type, reserved byte, length) from its
 * six bytes: null when it can be read further, else why not. The fixed parts
 * of §9.3.4 and §9.3.6–§9.3.8 make A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and
 * A-ABORT exactly 4 bytes long; a P-DATA-TF holds at least one PDV item (6
 * bytes).
 */
export function checkPduHeader(type: number, reserved: number, length: number, limits: HeaderLimits): Invalid | null {
  const name = PDU_NAMES.get(type);
  if (name === undefined) return invalid(AbortReason.UnrecognizedPdu, `unknown PDU type ${hexByte(type)}`);
  if (reserved !== 0) return invalid(AbortReason.InvalidPduParameterValue, `${name} header has reserved byte ${hexByte(reserved)}, not 0x00`);
  switch (type) {
    case PduType.AAssociateRq:
    case PduType.AAssociateAc:
      if (length < ASSOCIATE_FIXED_LENGTH) return invalid(AbortReason.InvalidPduParameterValue, `${name} length ${length} is less than its ${ASSOCIATE_FIXED_LENGTH} bytes of fixed fields`);
      if (length + PDU_HEADER_LENGTH > limits.maxAssociateBytes)
        return invalid(AbortReason.InvalidPduParameterValue, `${name} of ${length + PDU_HEADER_LENGTH} bytes exceeds the ${limits.maxAssociateBytes}-byte limit`);
      return null;
    case PduType.PDataTf:
      if (length < 6) return invalid(AbortReason.InvalidPduParameterValue, `P-DATA-TF length ${length} cannot hold a PDV item (PS3.8 §9.3.5)`);
      if (length > limits.maxPDataLength)
        return invalid(AbortReason.InvalidPduParameterValue, `P-DATA-TF length ${length} exceeds the maximum length ${limits.maxPDataLength} announced (PS3.8 Annex D.1)`);
      return null;
    default:
      if (length !== 4) return invalid(AbortReason.InvalidPduParameterValue, `${name} length is ${length}, must be 4`);
      return null;
  }
}

/** One PDV item of a P-DATA-TF (PS3.8 §9.3.5.1, Annex E.2): where its value is in the PDU's bytes. */
export interface PdvItem {
  presentationContextId: number;
  isCommand: boolean;
  isLast: boolean;
  /** Index of the value's first byte in the PDU's bytes, and its length. */
  start: number;
  length: number;
}

/** The PDV items of a whole P-DATA-TF (header included in `pdu`), or why they cannot be walked. */
export function pdvItems(pdu: Uint8Array): PdvItem[] | Invalid {
  const out: PdvItem[] = [];
  let p = PDU_HEADER_LENGTH;
  while (p < pdu.length) {
    if (pdu.length - p < 6) return invalid(AbortReason.InvalidPduParameterValue, `${pdu.length - p} stray byte(s) after the last PDV item`);
    const itemLength = u32(pdu, p);
    if (itemLength < 2) return invalid(AbortReason.InvalidPduParameterValue, `PDV item length ${itemLength} is less than its 2-byte header`);
    if (p + 4 + itemLength > pdu.length) return invalid(AbortReason.InvalidPduParameterValue, `PDV item length ${itemLength} overruns the P-DATA-TF`);
    // Message control header, Annex E.2: bit 0 command/data set, bit 1 last fragment; bits 2–7 are not tested.
    const control = pdu[p + 5];
    out.push({ presentationContextId: pdu[p + 4], isCommand: (control & 1) === 1, isLast: (control & 2) === 2, start: p + 6, length: itemLength - 2 });
    p += 4 + itemLength;
  }
  if (out.length === 0) return invalid(AbortReason.InvalidPduParameterValue, 'P-DATA-TF carries no PDV item');
  return out;
}

export interface AssociateRqPolicy {
  /** The least maximum length a peer may announce (PS3.8 Annex D.1; 0, no limit, is always fine). */
  minPeerMaxPdu: number;
}

export type AssociateRqVerdict = { kind: 'acceptable'; rq: AAssociateRq } | Reject | Invalid;

/**
 * Checks a whole A-ASSOCIATE-RQ (header included). Structure first, item by
 * item (PS3.8 Table 9-11, §9.3.2.1–§9.3.2.3, Annex D.1, PS3.7 Annex D.3.3):
 * every length inside its parent, only the item types of the RQ, one
 * application context item, presentation context items with one abstract
 * syntax sub-item first and at least one transfer syntax, one user
 * information item with its maximum length, user information sub-items whose
 * inner lengths add up. Then what makes it unacceptable: protocol version
 * (bit 0), application context name, presentation context IDs (odd, 1–255,
 * unique: §9.3.2.2), the peer's maximum length.
 */
export function checkAssociateRq(pdu: Uint8Array, policy: AssociateRqPolicy): AssociateRqVerdict {
  const structure = checkRqStructure(pdu);
  if (structure) return structure;
  const { pdu: rq } = decodePdu(pdu, 0);
  if (rq === null || rq.pduType !== PduType.AAssociateRq) return invalid(AbortReason.InvalidPduParameterValue, 'A-ASSOCIATE-RQ cannot be decoded');
  const seen = new Set<number>();
  for (const pc of rq.presentationContexts) {
    if (pc.id === 0 || pc.id % 2 === 0) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ID ${pc.id} is not an odd integer 1–255 (PS3.8 §9.3.2.2)`);
    if (seen.has(pc.id)) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ID ${pc.id} is proposed more than once (PS3.8 §9.3.2.2)`);
    seen.add(pc.id);
    if (!pc.abstractSyntax) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${pc.id} has an empty abstract syntax name`);
  }
  if ((rq.protocolVersion & 1) === 0) return { kind: 'reject', result: 1, source: 2, reason: 2, why: `protocol version ${hexByte(rq.protocolVersion)} does not include version 1 (bit 0)` };
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT_NAME)
    return { kind: 'reject', result: 1, source: 1, reason: 2, why: `application context name "${rq.applicationContext}" is not the DICOM one (${DICOM_APPLICATION_CONTEXT_NAME})` };
  const max = rq.userInformation?.maxLength ?? 0;
  if (max !== 0 && max < policy.minPeerMaxPdu)
    return { kind: 'reject', result: 1, source: 2, reason: 1, why: `maximum length ${max} is below the ${policy.minPeerMaxPdu} bytes this SCP works with (PS3.8 Annex D.1)` };
  return { kind: 'acceptable', rq };
}

/** Walks the items of an A-ASSOCIATE-RQ; null when every length and item type is right. */
function checkRqStructure(b: Uint8Array): Invalid | null {
  if (b.length < PDU_HEADER_LENGTH + ASSOCIATE_FIXED_LENGTH || u32(b, 2) + PDU_HEADER_LENGTH !== b.length)
    return invalid(AbortReason.InvalidPduParameterValue, 'A-ASSOCIATE-RQ length does not match its bytes');
  let applicationContexts = 0;
  let presentationContexts = 0;
  let userInformation = 0;
  for (let p = PDU_HEADER_LENGTH + ASSOCIATE_FIXED_LENGTH; p < b.length; ) {
    const item = itemAt(b, p, b.length, 'A-ASSOCIATE-RQ');
    if ('kind' in item) return item;
    if (item.type === ItemType.ApplicationContext) applicationContexts++;
    else if (item.type === ItemType.PresentationContextRq) {
      presentationContexts++;
      const bad = checkPresentationContext(b, item.start, item.end);
      if (bad) return bad;
    } else if (item.type === ItemType.UserInformation) {
      userInformation++;
      const bad = checkUserInformation(b, item.start, item.end);
      if (bad) return bad;
    } else return invalid(AbortReason.UnrecognizedPduParameter, `item type ${hexByte(item.type)} does not belong in an A-ASSOCIATE-RQ (PS3.8 Table 9-11)`);
    p = item.end;
  }
  if (applicationContexts !== 1) return invalid(AbortReason.InvalidPduParameterValue, `${applicationContexts} application context items, exactly 1 expected`);
  if (presentationContexts === 0) return invalid(AbortReason.InvalidPduParameterValue, 'no presentation context item (PS3.8 §9.3.2: one or more)');
  if (userInformation !== 1) return invalid(AbortReason.InvalidPduParameterValue, `${userInformation} user information items, exactly 1 expected`);
  return null;
}

interface Item {
  type: number;
  start: number;
  end: number;
}

/** The item (type, reserved, 16-bit length, value) at b[p], which must end by `end`. */
function itemAt(b: Uint8Array, p: number, end: number, parent: string): Item | Invalid {
  if (end - p < 4) return invalid(AbortReason.InvalidPduParameterValue, `${end - p} stray byte(s) at the end of the ${parent}`);
  const length = u16(b, p + 2);
  if (p + 4 + length > end) return invalid(AbortReason.InvalidPduParameterValue, `item ${hexByte(b[p])} length ${length} overruns the ${parent}`);
  return { type: b[p], start: p + 4, end: p + 4 + length };
}

/** PS3.8 §9.3.2.2 (Table 9-13): ID and 3 reserved bytes, one abstract syntax sub-item, then one or more transfer syntaxes. */
function checkPresentationContext(b: Uint8Array, start: number, end: number): Invalid | null {
  if (end - start < 4) return invalid(AbortReason.InvalidPduParameterValue, 'presentation context item shorter than its 4 fixed bytes');
  const id = b[start];
  let transferSyntaxes = 0;
  let first = true;
  for (let p = start + 4; p < end; ) {
    const sub = itemAt(b, p, end, `presentation context ${id}`);
    if ('kind' in sub) return sub;
    if (first && sub.type !== ItemType.AbstractSyntax) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${id} does not begin with its abstract syntax sub-item`);
    if (!first && sub.type === ItemType.AbstractSyntax) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${id} has more than one abstract syntax sub-item`);
    if (sub.type === ItemType.TransferSyntax) {
      if (uidText(b, sub.start, sub.end) === '') return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${id} proposes an empty transfer syntax name`);
      transferSyntaxes++;
    } else if (sub.type !== ItemType.AbstractSyntax) return invalid(AbortReason.UnrecognizedPduParameter, `sub-item ${hexByte(sub.type)} does not belong in presentation context ${id}`);
    first = false;
    p = sub.end;
  }
  if (first) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${id} has no abstract syntax sub-item`);
  if (transferSyntaxes === 0) return invalid(AbortReason.InvalidPduParameterValue, `presentation context ${id} proposes no transfer syntax`);
  return null;
}

/**
 * PS3.8 §9.3.2.3, Annex D.1 and PS3.7 Annex D.3.3: the sub-items whose
 * values have a fixed size or inner lengths must add up exactly (a reader
 * trusting the inner lengths would otherwise read past them); others only
 * have to fit. The maximum length sub-item is mandatory.
 */
function checkUserInformation(b: Uint8Array, start: number, end: number): Invalid | null {
  let maxLength = 0;
  for (let p = start; p < end; ) {
    const sub = itemAt(b, p, end, 'user information item');
    if ('kind' in sub) return sub;
    const length = sub.end - sub.start;
    const wrong = (what: string) => invalid(AbortReason.InvalidPduParameterValue, `${what} sub-item ${hexByte(sub.type)} has length ${length}, its fields say otherwise`);
    switch (sub.type) {
      case ItemType.MaximumLength:
        maxLength++;
        if (length !== 4) return wrong('maximum length');
        break;
      case ItemType.AsynchronousOperationsWindow:
        if (length !== 4) return wrong('asynchronous operations window');
        break;
      case ItemType.ScpScuRoleSelection: {
        if (length < 2 || 2 + u16(b, sub.start) + 2 !== length) return wrong('SCP/SCU role selection');
        break;
      }
      case ItemType.UserIdentityRq: {
        if (length < 4) return wrong('user identity');
        const primary = u16(b, sub.start + 2);
        if (4 + primary + 2 > length || 4 + primary + 2 + u16(b, sub.start + 4 + primary) !== length) return wrong('user identity');
        break;
      }
      default:
        break;
    }
    p = sub.end;
  }
  if (maxLength !== 1) return invalid(AbortReason.InvalidPduParameterValue, `${maxLength} maximum length sub-items, exactly 1 expected (PS3.8 Annex D.1)`);
  return null;
}

/** What an acceptor's own A-ASSOCIATE-AC settled (PS3.8 §9.3.3, Annex D.1, PS3.7 Annex D.3.3.3). */
export interface Negotiated {
  /** Accepted presentation contexts: ID → the abstract syntax proposed for it and the transfer syntax accepted. */
  contexts: Map<number, { abstractSyntax: string; transferSyntax: string }>;
  /** The maximum length this side announced (0: no limit). */
  maxLength: number;
  /** Operations this side performs at once: 1 unless an asynchronous operations window was answered (0, no limit, counts as `cap`). */
  window: number;
}

/** Reads an A-ASSOCIATE-AC this side sent, with the abstract syntaxes the RQ proposed per context ID. */
export function negotiated(ac: Uint8Array, proposed: ReadonlyMap<number, string>, cap = 16): Negotiated {
  const out: Negotiated = { contexts: new Map(), maxLength: 0, window: 1 };
  const { pdu } = decodePdu(ac, 0);
  if (pdu?.pduType !== PduType.AAssociateAc) return out;
  for (const pc of pdu.presentationContexts) {
    const abstractSyntax = proposed.get(pc.id);
    if (pc.result === 0 && abstractSyntax !== undefined && pc.transferSyntax) out.contexts.set(pc.id, { abstractSyntax, transferSyntax: pc.transferSyntax });
  }
  out.maxLength = pdu.userInformation?.maxLength ?? 0;
  const performed = pdu.userInformation?.asyncOperationsWindow?.maxPerformed;
  out.window = performed === undefined ? 1 : performed === 0 ? cap : Math.min(performed, cap);
  return out;
}
