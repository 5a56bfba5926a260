/**
 * The rows of the association inspector's tables, from the summary: every
 * presentation context proposed and its answer (PS3.8 §9.3.2.2, §9.3.3.2,
 * result per Table 9-18), SCP/SCU role selection (PS3.7 Annex D.3.3.4),
 * user identity (PS3.7 Annex D.3.3.7), and what each side announced in its
 * user information: maximum length received (PS3.8 Annex D.1),
 * implementation class UID and version name (PS3.7 Annex D.3.3.2),
 * asynchronous operations window (PS3.7 Annex D.3.3.3). Values are plain
 * text; the component draws them as text.
 */
import type { SummaryAssociation } from '../../../../shared/model/summary-types.ts';
import { uidName } from '../../../../shared/dicom/uids.ts';
import { presentationContextResultText, userIdentityTypeText } from '../../../../shared/pdu/meanings.ts';

/** A UID and its name from the dictionary (null when unknown). */
export interface NamedUid {
  uid: string;
  name: string | null;
}

const named = (uid: string): NamedUid => ({ uid, name: uidName(uid) });

export interface ContextRow {
  id: number;
  abstractSyntax: NamedUid | null;
  /** As proposed in the A-ASSOCIATE-RQ, in order of preference. */
  proposed: NamedUid[];
  /** Table 9-18 result; null when not answered. */
  result: number | null;
  /** The result in words, or why there is none. */
  resultMeaning: string;
  accepted: NamedUid | null;
  /** The SCP/SCU role negotiated for this abstract syntax, in words; null when none was proposed (default roles). */
  role: string | null;
}

/** "SCU and SCP", "SCP", "neither" (PS3.7 Annex D.3.3.4: the two role bits). */
export function rolesText(r: { scu: boolean; scp: boolean }): string {
  if (r.scu && r.scp) return 'SCU and SCP';
  if (r.scu) return 'SCU';
  if (r.scp) return 'SCP';
  return 'neither';
}

function roleText(a: SummaryAssociation, abstractSyntax: string | null): string | null {
  const role = a.roles.find((r) => r.sopClassUid === abstractSyntax);
  if (!role) return null;
  return `proposed ${rolesText(role.proposed)}; ${role.accepted ? `accepted ${rolesText(role.accepted)}` : 'not answered'}`;
}

/** One row per presentation context proposed. */
export function contextRows(a: SummaryAssociation): ContextRow[] {
  return a.presentationContexts.map((pc) => ({
    id: pc.id,
    abstractSyntax: pc.abstractSyntax === null ? null : { uid: pc.abstractSyntax, name: pc.abstractSyntaxName ?? uidName(pc.abstractSyntax) },
    proposed: pc.transferSyntaxes.map(named),
    result: pc.result,
    resultMeaning: pc.result !== null ? presentationContextResultText(pc.result) : a.reject ? 'not answered: the association was rejected' : a.outcome === 'open' ? 'not answered yet' : 'not answered',
    accepted: pc.result === 0 && pc.transferSyntax ? named(pc.transferSyntax) : null,
    role: roleText(a, pc.abstractSyntax),
  }));
}

export interface RoleRow {
  sopClass: NamedUid;
  proposed: string;
  /** What the acceptor answered; PS3.7 D.3.3.4: no answer means the default roles (requestor SCU, acceptor SCP). */
  accepted: string;
}

export function roleRows(a: SummaryAssociation): RoleRow[] {
  return a.roles.map((r) => ({
    sopClass: named(r.sopClassUid),
    proposed: rolesText(r.proposed),
    accepted: r.accepted ? rolesText(r.accepted) : 'not answered (default roles)',
  }));
}

/** A field of each side's user information: requestor (A-ASSOCIATE-RQ) and acceptor (A-ASSOCIATE-AC). */
export interface SideRow {
  field: string;
  requestor: string;
  acceptor: string;
}

function maxLengthText(n: number | null): string {
  if (n === null) return 'not announced';
  // PS3.8 Annex D.1: 0 means no maximum.
  return n === 0 ? '0 (no limit)' : `${n} bytes`;
}

function windowText(w: { maxInvoked: number; maxPerformed: number } | null): string {
  // PS3.7 D.3.3.3: without the item both are 1 (one operation at a time); 0 means unlimited.
  if (!w) return 'not negotiated (1 invoked, 1 performed)';
  const n = (v: number) => (v === 0 ? 'unlimited' : String(v));
  return `${n(w.maxInvoked)} invoked, ${n(w.maxPerformed)} performed`;
}

/**
 * What each side announced. When the acceptor did not answer (rejected,
 * unanswered) its column says so instead of "not announced".
 */
export function sideRows(a: SummaryAssociation, accepted: boolean): SideRow[] {
  const acc = <T>(v: T, text: (v: T) => string): string => (accepted ? text(v) : 'no A-ASSOCIATE-AC');
  const orNone = (v: string | null) => v ?? 'not announced';
  return [
    { field: 'Maximum Length Received', requestor: maxLengthText(a.maxPdu.requestor), acceptor: acc(a.maxPdu.acceptor, maxLengthText) },
    { field: 'Implementation Class UID', requestor: orNone(a.implementation.requestor.classUid), acceptor: acc(a.implementation.acceptor.classUid, orNone) },
    { field: 'Implementation Version Name', requestor: orNone(a.implementation.requestor.versionName), acceptor: acc(a.implementation.acceptor.versionName, orNone) },
    { field: 'Asynchronous Operations Window', requestor: windowText(a.asyncOperationsWindow.requestor), acceptor: acc(a.asyncOperationsWindow.acceptor, windowText) },
  ];
}

/** User identity negotiation (PS3.7 Annex D.3.3.7); never a secret: only the username of types 1 and 2 is in the model. */
export function userIdentityRows(a: SummaryAssociation, associationAccepted: boolean): { field: string; value: string }[] {
  const u = a.userIdentity;
  if (!u) return [];
  // D.3.3.7.2: the acceptor sends its sub-item only when a positive response was requested, and only to accept.
  const accepted =
    u.accepted === true
      ? 'yes: User Identity server response in the A-ASSOCIATE-AC'
      : !associationAccepted
        ? 'no A-ASSOCIATE-AC'
        : u.accepted === false
          ? 'not confirmed: no User Identity server response in the A-ASSOCIATE-AC'
          : 'not asked (no positive response requested)';
  return [
    { field: 'User-Identity-Type', value: `${u.type} ${u.typeText || userIdentityTypeText(u.type)}` },
    ...(u.username !== null ? [{ field: 'username', value: u.username }] : []),
    { field: 'Positive-response-requested', value: u.positiveResponseRequested ? 'yes' : 'no' },
    { field: 'accepted', value: accepted },
  ];
}
