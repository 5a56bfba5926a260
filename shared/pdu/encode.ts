/**
 * A small PDU encoder, PS3.8 §9.3, for tests, fuzzing and benchmarks: builds
 * the bytes of every PDU type with all items of PS3.8 §9.3.2–§9.3.3 and the
 * user-information sub-items of PS3.8 Annex D / PS3.7 Annex D.3.3. Pure:
 * Uint8Array in, Uint8Array out. It encodes what it is told, even nonsense
 * (odd lengths, unknown items), so tests can build malformed PDUs too.
 */
import { concatBytes } from './bytes.ts';
import { ItemType, PduType } from './types.ts';

export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const utf8 = new TextEncoder();

export { concatBytes };

function be16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

function be32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** An item: type, reserved 0, 16-bit length, value (PS3.8 §9.3.2). */
export function encodeItem(itemType: number, ...value: Uint8Array[]): Uint8Array {
  const v = concatBytes(value);
  return concatBytes([Uint8Array.of(itemType, 0), be16(v.length), v]);
}

/** A PDU: type, reserved 0, 32-bit length, body (PS3.8 §9.3.1). */
export function encodePdu(pduType: number, ...body: Uint8Array[]): Uint8Array {
  const v = concatBytes(body);
  return concatBytes([Uint8Array.of(pduType, 0), be32(v.length), v]);
}

/** A 16-byte AE title field: the text, space-padded (longer text is cut to 16). */
export function aeTitleField(title: string): Uint8Array {
  const out = new Uint8Array(16).fill(0x20);
  out.set(ascii(title).subarray(0, 16));
  return out;
}

/** A field with a 16-bit length prefix (the sub-items of PS3.7 Annex D.3.3). */
function prefixed(value: Uint8Array): Uint8Array {
  return concatBytes([be16(value.length), value]);
}

const bytesOf = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? utf8.encode(v) : v);

export interface PresentationContextRqSpec {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface PresentationContextAcSpec {
  id: number;
  /** PS3.8 Table 9-18; default 0 (acceptance). */
  result?: number;
  /** Omitted when null or undefined. */
  transferSyntax?: string | null;
}

export interface UserInformationSpec {
  maxLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOperationsWindow?: { maxInvoked: number; maxPerformed: number };
  roleSelections?: { sopClassUid: string; scuRole: boolean; scpRole: boolean }[];
  sopClassExtended?: { sopClassUid: string; info: Uint8Array }[];
  sopClassCommonExtended?: { sopClassUid: string; serviceClassUid: string; relatedGeneralSopClasses?: string[] }[];
  userIdentityRq?: { identityType: number; positiveResponseRequested: boolean; primaryField: Uint8Array | string; secondaryField?: Uint8Array | string };
  userIdentityAc?: { serverResponse: Uint8Array | string };
  /** Raw sub-items appended as they are (unknown types, malformed ones). */
  extraItems?: Uint8Array[];
}

export interface AssociateSpec {
  calledAeTitle: string;
  callingAeTitle: string;
  /** Default 1 (PS3.8 §9.3.2: bit 0 set). */
  protocolVersion?: number;
  /** Default the DICOM application context; null leaves the item out. */
  applicationContext?: string | null;
  /** Null leaves the item out. */
  userInformation?: UserInformationSpec | null;
  /** Raw items appended after the others. */
  extraItems?: Uint8Array[];
}

export interface AssociateRqSpec extends AssociateSpec {
  presentationContexts: PresentationContextRqSpec[];
}

export interface AssociateAcSpec extends AssociateSpec {
  presentationContexts: PresentationContextAcSpec[];
}

/** User information item (0x50) with its sub-items, in the order of PS3.7 Annex D.3.3. */
export function encodeUserInformation(u: UserInformationSpec): Uint8Array {
  const subs: Uint8Array[] = [];
  if (u.maxLength !== undefined) subs.push(encodeItem(ItemType.MaximumLength, be32(u.maxLength)));
  if (u.implementationClassUid !== undefined) subs.push(encodeItem(ItemType.ImplementationClassUid, ascii(u.implementationClassUid)));
  if (u.asyncOperationsWindow) subs.push(encodeItem(ItemType.AsynchronousOperationsWindow, be16(u.asyncOperationsWindow.maxInvoked), be16(u.asyncOperationsWindow.maxPerformed)));
  for (const r of u.roleSelections ?? [])
    subs.push(encodeItem(ItemType.ScpScuRoleSelection, prefixed(ascii(r.sopClassUid)), Uint8Array.of(r.scuRole ? 1 : 0, r.scpRole ? 1 : 0)));
  if (u.implementationVersionName !== undefined) subs.push(encodeItem(ItemType.ImplementationVersionName, ascii(u.implementationVersionName)));
  for (const e of u.sopClassExtended ?? []) subs.push(encodeItem(ItemType.SopClassExtendedNegotiation, prefixed(ascii(e.sopClassUid)), e.info));
  for (const e of u.sopClassCommonExtended ?? []) {
    const related = concatBytes((e.relatedGeneralSopClasses ?? []).map((uid) => prefixed(ascii(uid))));
    subs.push(encodeItem(ItemType.SopClassCommonExtendedNegotiation, prefixed(ascii(e.sopClassUid)), prefixed(ascii(e.serviceClassUid)), prefixed(related)));
  }
  if (u.userIdentityRq) {
    const id = u.userIdentityRq;
    subs.push(
      encodeItem(
        ItemType.UserIdentityRq,
        Uint8Array.of(id.identityType, id.positiveResponseRequested ? 1 : 0),
        prefixed(bytesOf(id.primaryField)),
        prefixed(bytesOf(id.secondaryField ?? new Uint8Array(0))),
      ),
    );
  }
  if (u.userIdentityAc) subs.push(encodeItem(ItemType.UserIdentityAc, prefixed(bytesOf(u.userIdentityAc.serverResponse))));
  subs.push(...(u.extraItems ?? []));
  return encodeItem(ItemType.UserInformation, ...subs);
}

function encodeAssociate(pduType: number, spec: AssociateSpec, contexts: Uint8Array[]): Uint8Array {
  const items: Uint8Array[] = [];
  const context = spec.applicationContext === undefined ? DICOM_APPLICATION_CONTEXT : spec.applicationContext;
  if (context !== null) items.push(encodeItem(ItemType.ApplicationContext, ascii(context)));
  items.push(...contexts);
  if (spec.userInformation !== null) items.push(encodeUserInformation(spec.userInformation ?? { maxLength: 16384 }));
  items.push(...(spec.extraItems ?? []));
  return encodePdu(
    pduType,
    be16(spec.protocolVersion ?? 1),
    new Uint8Array(2),
    aeTitleField(spec.calledAeTitle),
    aeTitleField(spec.callingAeTitle),
    new Uint8Array(32),
    ...items,
  );
}

/** A-ASSOCIATE-RQ, PS3.8 §9.3.2. */
export function encodeAAssociateRq(spec: AssociateRqSpec): Uint8Array {
  const contexts = spec.presentationContexts.map((pc) =>
    encodeItem(
      ItemType.PresentationContextRq,
      Uint8Array.of(pc.id, 0, 0, 0),
      encodeItem(ItemType.AbstractSyntax, ascii(pc.abstractSyntax)),
      ...pc.transferSyntaxes.map((ts) => encodeItem(ItemType.TransferSyntax, ascii(ts))),
    ),
  );
  return encodeAssociate(PduType.AAssociateRq, spec, contexts);
}

/** A-ASSOCIATE-AC, PS3.8 §9.3.3. */
export function encodeAAssociateAc(spec: AssociateAcSpec): Uint8Array {
  const contexts = spec.presentationContexts.map((pc) =>
    encodeItem(
      ItemType.PresentationContextAc,
      Uint8Array.of(pc.id, 0, pc.result ?? 0, 0),
      ...(pc.transferSyntax == null ? [] : [encodeItem(ItemType.TransferSyntax, ascii(pc.transferSyntax))]),
    ),
  );
  return encodeAssociate(PduType.AAssociateAc, spec, contexts);
}

/** A-ASSOCIATE-RJ, PS3.8 §9.3.4. */
export function encodeAAssociateRj(rj: { result: number; source: number; reason: number }): Uint8Array {
  return encodePdu(PduType.AAssociateRj, Uint8Array.of(0, rj.result, rj.source, rj.reason));
}

export interface PdvSpec {
  presentationContextId: number;
  isCommand: boolean;
  isLast: boolean;
  value: Uint8Array;
}

/** One PDV item, PS3.8 §9.3.5.1 with the message control header of Annex E.2. */
export function encodePdv(pdv: PdvSpec): Uint8Array {
  const control = (pdv.isCommand ? 1 : 0) | (pdv.isLast ? 2 : 0);
  return concatBytes([be32(pdv.value.length + 2), Uint8Array.of(pdv.presentationContextId, control), pdv.value]);
}

/** P-DATA-TF with the given PDVs, PS3.8 §9.3.5. */
export function encodePDataTf(pdvs: PdvSpec[]): Uint8Array {
  return encodePdu(PduType.PDataTf, ...pdvs.map(encodePdv));
}

/** A-RELEASE-RQ, PS3.8 §9.3.6. */
export function encodeAReleaseRq(): Uint8Array {
  return encodePdu(PduType.AReleaseRq, new Uint8Array(4));
}

/** A-RELEASE-RP, PS3.8 §9.3.7. */
export function encodeAReleaseRp(): Uint8Array {
  return encodePdu(PduType.AReleaseRp, new Uint8Array(4));
}

/** A-ABORT, PS3.8 §9.3.8. */
export function encodeAAbort(abort: { source: number; reason: number } = { source: 0, reason: 0 }): Uint8Array {
  return encodePdu(PduType.AAbort, Uint8Array.of(0, 0, abort.source, abort.reason));
}
