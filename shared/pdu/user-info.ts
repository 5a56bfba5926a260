/**
 * User information item, PS3.8 §9.3.2.3 / §9.3.3.3, with its sub-items:
 * maximum length (PS3.8 Annex D.1), implementation class UID and version
 * name (PS3.7 Annex D.3.3.2), asynchronous operations window (D.3.3.3),
 * SCP/SCU role selection (D.3.3.4), SOP class extended (D.3.3.5) and common
 * extended negotiation (D.3.3.6), user identity RQ/AC (D.3.3.7). Secrets of
 * the user identity never leave this file: only their lengths do.
 */
import type {
  DecodeProblem,
  RoleSelection,
  SopClassCommonExtendedNegotiation,
  SopClassExtendedNegotiation,
  UserIdentityAc,
  UserIdentityRq,
  UserInformation,
} from './types.ts';
import { ItemType } from './types.ts';
import { hex, hexByte, u16, u32, uidText, utf8Text } from './bytes.ts';
import { readItems, unknownItem, type RawItem } from './items.ts';
import { userIdentityTypeText } from './meanings.ts';

/** Which PDU the item stands in: some sub-items belong to one side only. */
export type AssociateSide = 'rq' | 'ac';

export function decodeUserInformation(b: Uint8Array, item: RawItem, base: number, side: AssociateSide, problems: DecodeProblem[]): UserInformation {
  const info: UserInformation = {
    offset: item.offset,
    maxLength: null,
    implementationClassUid: null,
    implementationVersionName: null,
    asyncOperationsWindow: null,
    roleSelections: [],
    sopClassExtended: [],
    sopClassCommonExtended: [],
    userIdentityRq: null,
    userIdentityAc: null,
    unknownItems: [],
  };
  const once = (present: boolean, sub: RawItem, what: string): boolean => {
    if (present) problems.push({ offset: sub.offset, reason: `more than one ${what} sub-item: the first is kept` });
    return !present;
  };
  for (const sub of readItems(b, item.start, item.end, base, 'user information item', problems)) {
    const len = sub.end - sub.start;
    switch (sub.itemType) {
      case ItemType.MaximumLength:
        if (len !== 4) problems.push({ offset: sub.offset, reason: `maximum length sub-item has length ${len}, not 4` });
        else if (once(info.maxLength !== null, sub, 'maximum length')) info.maxLength = u32(b, sub.start);
        break;
      case ItemType.ImplementationClassUid:
        if (len === 0) problems.push({ offset: sub.offset, reason: 'implementation class UID sub-item is empty' });
        if (once(info.implementationClassUid !== null, sub, 'implementation class UID')) info.implementationClassUid = uidText(b, sub.start, sub.end);
        break;
      case ItemType.ImplementationVersionName:
        if (len < 1 || len > 16) problems.push({ offset: sub.offset, reason: `implementation version name has ${len} bytes, 1 to 16 allowed` });
        if (once(info.implementationVersionName !== null, sub, 'implementation version name')) info.implementationVersionName = uidText(b, sub.start, sub.end);
        break;
      case ItemType.AsynchronousOperationsWindow:
        if (len !== 4) problems.push({ offset: sub.offset, reason: `asynchronous operations window sub-item has length ${len}, not 4` });
        else if (once(info.asyncOperationsWindow !== null, sub, 'asynchronous operations window'))
          info.asyncOperationsWindow = { maxInvoked: u16(b, sub.start), maxPerformed: u16(b, sub.start + 2) };
        break;
      case ItemType.ScpScuRoleSelection: {
        const role = decodeRoleSelection(b, sub, problems);
        if (role) info.roleSelections.push(role);
        break;
      }
      case ItemType.SopClassExtendedNegotiation: {
        const ext = decodeSopClassExtended(b, sub, problems);
        if (ext) info.sopClassExtended.push(ext);
        break;
      }
      case ItemType.SopClassCommonExtendedNegotiation: {
        const ext = decodeSopClassCommonExtended(b, sub, problems);
        if (ext) info.sopClassCommonExtended.push(ext);
        break;
      }
      case ItemType.UserIdentityRq:
        if (side !== 'rq') {
          problems.push({ offset: sub.offset, reason: 'user identity RQ sub-item (0x58) in an A-ASSOCIATE-AC: kept as unknown' });
          info.unknownItems.push(unknownItem(b, sub));
        } else if (once(info.userIdentityRq !== null, sub, 'user identity')) info.userIdentityRq = decodeUserIdentityRq(b, sub, problems);
        break;
      case ItemType.UserIdentityAc:
        if (side !== 'ac') {
          problems.push({ offset: sub.offset, reason: 'user identity AC sub-item (0x59) in an A-ASSOCIATE-RQ: kept as unknown' });
          info.unknownItems.push(unknownItem(b, sub));
        } else if (once(info.userIdentityAc !== null, sub, 'user identity')) info.userIdentityAc = decodeUserIdentityAc(b, sub, problems);
        break;
      default:
        info.unknownItems.push(unknownItem(b, sub));
    }
  }
  if (info.maxLength === null) problems.push({ offset: item.offset, reason: 'user information item has no maximum length sub-item (PS3.8 Annex D.1)' });
  return info;
}

/**
 * A field with a 16-bit length prefix at `p` inside the sub-item: returns the
 * value bounds, or null (with a problem) when it runs past the sub-item.
 */
function field(b: Uint8Array, p: number, sub: RawItem, what: string, problems: DecodeProblem[]): { start: number; end: number } | null {
  if (p + 2 > sub.end) {
    problems.push({ offset: sub.offset, reason: `${what} length field runs past the end of sub-item ${hexByte(sub.itemType)}` });
    return null;
  }
  const len = u16(b, p);
  if (p + 2 + len > sub.end) {
    problems.push({ offset: sub.offset, reason: `${what} length ${len} overruns sub-item ${hexByte(sub.itemType)} (${sub.end - p - 2} bytes left)` });
    return null;
  }
  return { start: p + 2, end: p + 2 + len };
}

/** SCP/SCU role selection, PS3.7 Annex D.3.3.4 (Table D.3-9). */
function decodeRoleSelection(b: Uint8Array, sub: RawItem, problems: DecodeProblem[]): RoleSelection | null {
  const uid = field(b, sub.start, sub, 'role selection SOP class UID', problems);
  if (!uid) return null;
  if (uid.end + 2 > sub.end) {
    problems.push({ offset: sub.offset, reason: 'role selection sub-item ends before its SCU and SCP role fields' });
    return null;
  }
  const scu = b[uid.end];
  const scp = b[uid.end + 1];
  if (scu > 1 || scp > 1) problems.push({ offset: sub.offset, reason: `role selection values must be 0 or 1 (SCU ${scu}, SCP ${scp})` });
  if (uid.end + 2 < sub.end) problems.push({ offset: sub.offset, reason: `${sub.end - uid.end - 2} extra byte(s) after the role selection fields` });
  return { offset: sub.offset, sopClassUid: uidText(b, uid.start, uid.end), scuRole: scu !== 0, scpRole: scp !== 0 };
}

/** SOP class extended negotiation, PS3.7 Annex D.3.3.5 (Table D.3-11). */
function decodeSopClassExtended(b: Uint8Array, sub: RawItem, problems: DecodeProblem[]): SopClassExtendedNegotiation | null {
  const uid = field(b, sub.start, sub, 'extended negotiation SOP class UID', problems);
  if (!uid) return null;
  return { offset: sub.offset, sopClassUid: uidText(b, uid.start, uid.end), info: hex(b, uid.end, sub.end) };
}

/** SOP class common extended negotiation, PS3.7 Annex D.3.3.6 (Tables D.3-12, D.3-13). */
function decodeSopClassCommonExtended(b: Uint8Array, sub: RawItem, problems: DecodeProblem[]): SopClassCommonExtendedNegotiation | null {
  const sop = field(b, sub.start, sub, 'common extended negotiation SOP class UID', problems);
  if (!sop) return null;
  const svc = field(b, sop.end, sub, 'service class UID', problems);
  if (!svc) return null;
  const result: SopClassCommonExtendedNegotiation = {
    offset: sub.offset,
    sopClassUid: uidText(b, sop.start, sop.end),
    serviceClassUid: uidText(b, svc.start, svc.end),
    relatedGeneralSopClasses: [],
  };
  if (svc.end === sub.end) return result; // the related general SOP class list may be absent
  const related = field(b, svc.end, sub, 'related general SOP class identification', problems);
  if (!related) return result;
  let p = related.start;
  while (p < related.end) {
    const one = field(b, p, { ...sub, end: related.end }, 'related general SOP class UID', problems);
    if (!one) break;
    result.relatedGeneralSopClasses.push(uidText(b, one.start, one.end));
    p = one.end;
  }
  return result;
}

/** User identity negotiation RQ, PS3.7 Annex D.3.3.7.1 (Table D.3-14): only a username is kept in clear. */
function decodeUserIdentityRq(b: Uint8Array, sub: RawItem, problems: DecodeProblem[]): UserIdentityRq | null {
  if (sub.end - sub.start < 2) {
    problems.push({ offset: sub.offset, reason: 'user identity sub-item too short for its type fields' });
    return null;
  }
  const identityType = b[sub.start];
  const positive = b[sub.start + 1];
  const primary = field(b, sub.start + 2, sub, 'user identity primary field', problems);
  if (!primary) return null;
  const secondary = field(b, primary.end, sub, 'user identity secondary field', problems);
  if (identityType < 1 || identityType > 5) problems.push({ offset: sub.offset, reason: `unknown user identity type ${identityType}` });
  if (identityType === 2 && secondary && secondary.end === secondary.start)
    problems.push({ offset: sub.offset, reason: 'user identity type 2 (username and passcode) with an empty passcode' });
  if (identityType !== 2 && secondary && secondary.end > secondary.start)
    problems.push({ offset: sub.offset, reason: `user identity type ${identityType} carries a secondary field; only type 2 has one` });
  return {
    offset: sub.offset,
    identityType,
    identityTypeText: userIdentityTypeText(identityType),
    positiveResponseRequested: positive === 1,
    username: identityType === 1 || identityType === 2 ? utf8Text(b, primary.start, primary.end) : null,
    primaryFieldLength: primary.end - primary.start,
    secondaryFieldLength: secondary ? secondary.end - secondary.start : 0,
  };
}

/** User identity negotiation AC, PS3.7 Annex D.3.3.7.2 (Table D.3-15): the server response is kept as its length. */
function decodeUserIdentityAc(b: Uint8Array, sub: RawItem, problems: DecodeProblem[]): UserIdentityAc | null {
  const response = field(b, sub.start, sub, 'user identity server response', problems);
  if (!response) return null;
  return { offset: sub.offset, serverResponseLength: response.end - response.start };
}
