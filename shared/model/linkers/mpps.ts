/**
 * Modality Performed Procedure Step (PS3.4 Annex F.7, SOP Class
 * 1.2.840.10008.3.1.2.3.3): an N-SET-RQ that updates a procedure step (IN
 * PROGRESS → COMPLETED or DISCONTINUED) → the N-CREATE-RQ that created it,
 * by the SOP Instance UID: the N-CREATE's Affected SOP Instance UID, or the
 * one its N-CREATE-RSP assigned when the SCU left it out (PS3.7 §10.1.5),
 * and the N-SET's Requested SOP Instance UID. Usually on another
 * association, minutes later.
 */
import { CommandField } from '../../dimse/command-fields.ts';
import type { Linker, MessageFacts, MessageLinkResult } from './linker.ts';

export const MPPS_SOP_CLASS = '1.2.840.10008.3.1.2.3.3';

const clean = (uid: string | null): string | null => (uid === null ? null : uid.replace(/\0+$/, '').trim() || null);

export class MppsLinker implements Linker {
  readonly relations = [{ relation: 'mpps', label: 'update of the procedure step created by', section: 'PS3.4 F.7.2.2' }] as const;
  /** SOP Instance UID → the N-CREATE-RQ that created it. */
  private readonly created = new Map<string, number>();

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    if (m.commandField === CommandField.NCreateRq && m.affectedSopClass === MPPS_SOP_CLASS) {
      const uid = clean(m.affectedSopInstance);
      if (uid) this.created.set(uid, f.index);
      return null;
    }
    if (m.commandField === CommandField.NCreateRsp && f.request !== null && m.affectedSopClass === MPPS_SOP_CLASS) {
      const uid = clean(m.affectedSopInstance);
      if (uid && !this.created.has(uid)) this.created.set(uid, f.request);
      return null;
    }
    if (m.commandField !== CommandField.NSetRq || m.requestedSopClass !== MPPS_SOP_CLASS) return null;
    const uid = clean(m.requestedSopInstance);
    const created = uid === null ? undefined : this.created.get(uid);
    return created === undefined ? null : { cause: { relation: 'mpps', message: created } };
  }
}
