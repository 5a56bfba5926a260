/**
 * A-ASSOCIATE-RQ / -AC rewritten from its own bytes (PS3.8 §9.3.2, §9.3.3),
 * so everything else in it — item order, unknown items, odd lengths a peer
 * got wrong — stays as it was for the debugger to show:
 *
 * - User Identity (PS3.7 D.3.3.7): the item is kept with its type and its
 *   positive-response flag, so the negotiation stays visible. A username
 *   (types 1 and 2) becomes a consistent pseudonym; every secret — the
 *   passcode of type 2, the Kerberos ticket, SAML assertion or JWT of types
 *   3–5, a non-empty server response in the AC — is replaced by the fixed
 *   text REDACTED (removing the passcode alone would leave a type 2 item with
 *   an empty passcode, itself a protocol error).
 * - Items and sub-items are kept only when they read as the standard says
 *   (contexts hold UIDs, the maximum length 4 bytes, …): an unknown item, or
 *   the garbage a damaged PDU length takes in, may hold anything and is left
 *   out (and reported).
 * - Called and calling AE titles (PS3.8 Table 9-11) are mapped only with the
 *   network option; the AC echoes them, so both get the same mapping.
 */
import { aeTitleText, u16, utf8Text } from '../pdu/bytes.ts';
import { aeTitleField, concatBytes, encodeItem, encodePdu } from '../pdu/encode.ts';
import { readItems, type RawItem } from '../pdu/items.ts';
import { ItemType, type DecodeProblem } from '../pdu/types.ts';
import type { RedactContext } from './redact-options.ts';
import { mapAeTitle } from './value-rewrite.ts';

/** Where the variable items start: after the 6-byte header and the 68 fixed bytes of Table 9-11. */
const ITEMS_AT = 74;
const CONTEXT_ITEMS: ReadonlySet<number> = new Set([ItemType.ApplicationContext, ItemType.PresentationContextRq, ItemType.PresentationContextAc]);
const REDACTED = new TextEncoder().encode('REDACTED');
const utf8 = new TextEncoder();

const prefixed = (value: Uint8Array): Uint8Array => concatBytes([Uint8Array.of(value.length >>> 8, value.length & 0xff), value]);

/** The value of a user identity RQ sub-item (Table D.3-14) rewritten; null when it cannot be read. */
function userIdentityRq(v: Uint8Array, ctx: RedactContext): Uint8Array | null {
  if (v.length < 4) return null;
  const type = v[0];
  const primaryLength = u16(v, 2);
  if (4 + primaryLength + 2 > v.length) return null;
  const primary = v.subarray(4, 4 + primaryLength);
  const secondaryLength = u16(v, 4 + primaryLength);
  if (6 + primaryLength + secondaryLength > v.length) return null;
  const isUsername = type === 1 || type === 2;
  const username = utf8Text(primary, 0, primary.length);
  const newPrimary = primary.length === 0 ? primary : isUsername ? utf8.encode(ctx.pseudonyms.of('user', username)) : REDACTED;
  const newSecondary = secondaryLength === 0 ? new Uint8Array(0) : REDACTED;
  return concatBytes([v.subarray(0, 2), prefixed(newPrimary), prefixed(newSecondary)]);
}

/** The value of a user identity AC sub-item (Table D.3-15): a server response is a token too. */
function userIdentityAc(v: Uint8Array): Uint8Array | null {
  if (v.length < 2 || 2 + u16(v, 0) > v.length) return null;
  return prefixed(u16(v, 0) === 0 ? new Uint8Array(0) : REDACTED);
}

/** A UID as an item carries it (PS3.8 Annex F): digits and dots, padded with NUL or spaces. */
function isUid(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && ((b[i] >= 0x30 && b[i] <= 0x39) || b[i] === 0x2e)) i++;
  while (i < b.length && (b[i] === 0 || b[i] === 0x20)) i++;
  return i === b.length;
}

const isPrintable = (b: Uint8Array): boolean => b.every((c) => c >= 0x20 && c <= 0x7e);

/** UIDs with 16-bit length prefixes at the start of `v` (`count` of them, or as many as fill it); the rest is returned. */
function prefixedUids(v: Uint8Array, count: number): Uint8Array | null {
  let p = 0;
  for (let n = 0; n < count || (count < 0 && p < v.length); n++) {
    if (p + 2 > v.length) return null;
    const len = u16(v, p);
    if (p + 2 + len > v.length || !isUid(v.subarray(p + 2, p + 2 + len))) return null;
    p += 2 + len;
  }
  return v.subarray(p);
}

/** Whether a user information sub-item of a known type reads as its table says (PS3.8 D.1, PS3.7 D.3.3.2–D.3.3.6). */
function subItemReads(type: number, v: Uint8Array): boolean {
  switch (type) {
    case ItemType.MaximumLength:
    case ItemType.AsynchronousOperationsWindow:
      return v.length === 4;
    case ItemType.ImplementationClassUid:
      return isUid(v);
    case ItemType.ImplementationVersionName:
      return isPrintable(v);
    case ItemType.ScpScuRoleSelection:
      return prefixedUids(v, 1)?.length === 2;
    case ItemType.SopClassExtendedNegotiation:
      return prefixedUids(v, 1) !== null;
    case ItemType.SopClassCommonExtendedNegotiation: {
      const rest = prefixedUids(v, 2);
      if (rest === null || rest.length === 0) return rest !== null;
      return rest.length >= 2 && u16(rest, 0) === rest.length - 2 && prefixedUids(rest.subarray(2), -1)?.length === 0;
    }
    default:
      return false;
  }
}

function userInformation(raw: Uint8Array, start: number, end: number, ctx: RedactContext, problems: DecodeProblem[]): Uint8Array {
  const subs: Uint8Array[] = [];
  for (const sub of readItems(raw, start, end, 0, 'user information item', problems)) {
    const value = raw.subarray(sub.start, sub.end);
    let out: Uint8Array | null = null;
    if (!sub.truncated) {
      if (sub.itemType === ItemType.UserIdentityRq) out = userIdentityRq(value, ctx);
      else if (sub.itemType === ItemType.UserIdentityAc) out = userIdentityAc(value);
      else if (subItemReads(sub.itemType, value)) out = value;
    }
    // Anything else — an unknown sub-item, one that overruns, one whose fields do not read — may be anything: left out.
    if (out) subs.push(out === value ? raw.slice(sub.offset, sub.end) : encodeItem(sub.itemType, out));
    else problems.push({ offset: sub.offset, reason: `user information sub-item 0x${sub.itemType.toString(16).padStart(2, '0')} cannot be read: left out` });
  }
  return encodeItem(ItemType.UserInformation, ...subs);
}

/** Whether an application or presentation context item reads as PS3.8 §9.3.2.1–§9.3.3.2 says: UIDs only. */
function contextItemReads(raw: Uint8Array, item: RawItem): boolean {
  if (item.truncated) return false;
  if (item.itemType === ItemType.ApplicationContext) return isUid(raw.subarray(item.start, item.end));
  if (item.end - item.start < 4) return false;
  const subs = readItems(raw, item.start + 4, item.end, 0, 'presentation context', []);
  let covered = item.start + 4;
  for (const sub of subs) {
    if (sub.truncated || (sub.itemType !== ItemType.AbstractSyntax && sub.itemType !== ItemType.TransferSyntax) || !isUid(raw.subarray(sub.start, sub.end))) return false;
    covered = sub.end;
  }
  return covered === item.end;
}

/** `raw` is one whole A-ASSOCIATE-RQ or -AC; returns its redacted bytes, and what could not be kept in `problems`. */
export function rewriteAssociate(raw: Uint8Array, ctx: RedactContext, problems: DecodeProblem[]): Uint8Array {
  const fixed = raw.slice(6, Math.min(raw.length, ITEMS_AT));
  if (ctx.network && fixed.length >= 36) {
    fixed.set(aeTitleField(mapAeTitle(aeTitleText(raw, 10, 26), ctx)), 4);
    fixed.set(aeTitleField(mapAeTitle(aeTitleText(raw, 26, 42), ctx)), 20);
  } else if (ctx.network) {
    fixed.fill(0x20, 4);
  }
  const items: Uint8Array[] = [];
  if (raw.length > ITEMS_AT) {
    for (const item of readItems(raw, ITEMS_AT, raw.length, 0, raw[0] === 1 ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC', problems)) {
      // Even a user information item that overruns the PDU is rewritten: copied raw, it would keep its secrets.
      if (item.itemType === ItemType.UserInformation) items.push(userInformation(raw, item.start, item.end, ctx, problems));
      else if (CONTEXT_ITEMS.has(item.itemType) && contextItemReads(raw, item)) items.push(raw.slice(item.offset, item.end));
      // An unknown item, or one that does not read (a damaged PDU whose length took in what followed), may hold anything.
      else problems.push({ offset: item.offset, reason: `item 0x${item.itemType.toString(16).padStart(2, '0')} cannot be read: left out` });
    }
  }
  return encodePdu(raw[0], fixed, ...items);
}
