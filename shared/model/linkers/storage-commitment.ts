/**
 * Storage commitment (PS3.4 Annex J, Storage Commitment Push Model SOP Class
 * 1.2.840.10008.1.20.1): the N-EVENT-REPORT-RQ that reports the result
 * (Event Type ID 1: all committed, 2: failures exist; PS3.4 J.3.3) → the
 * N-ACTION-RQ that asked for it (Action Type ID 1, J.3.2), by their common
 * Transaction UID (0008,1195). The report may come on the same association
 * or on a new one that the SCP opens back to the SCU (J.3.3, "the SCP may
 * initiate a new association"): then that association is linked too, so the
 * diagram draws it under the N-ACTION as a C-MOVE's sub-association.
 */
import { CommandField } from '../../dimse/command-fields.ts';
import type { Linker, MessageFacts, MessageLinkResult } from './linker.ts';

/** PS3.4 J.3.2, J.3.3. */
const REQUEST_STORAGE_COMMITMENT = 1;
const COMMITTED_EVENTS: ReadonlySet<number> = new Set([1, 2]);
export const STORAGE_COMMITMENT_PUSH_MODEL = '1.2.840.10008.1.20.1';

function transactionUid(f: MessageFacts): string | null {
  const v = f.message.dataSet?.attributes?.TransactionUID;
  return typeof v === 'string' && v.trim() !== '' ? v.replace(/\0+$/, '').trim() : null;
}

export class StorageCommitmentLinker implements Linker {
  readonly relations = [{ relation: 'storage-commitment', label: 'storage commitment report for', section: 'PS3.4 J.3.3' }] as const;
  /** Transaction UID → the N-ACTION-RQ that asked for it. */
  private readonly requests = new Map<string, { index: number; association: string }>();

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    const sopClass = m.requestedSopClass ?? m.affectedSopClass;
    if (sopClass !== null && sopClass !== STORAGE_COMMITMENT_PUSH_MODEL) return null;
    if (m.commandField === CommandField.NActionRq && m.actionTypeId === REQUEST_STORAGE_COMMITMENT) {
      const uid = transactionUid(f);
      if (uid) this.requests.set(uid, { index: f.index, association: f.association });
      return null;
    }
    if (m.commandField !== CommandField.NEventReportRq || m.eventTypeId === null || !COMMITTED_EVENTS.has(m.eventTypeId)) return null;
    const uid = transactionUid(f);
    const rq = uid === null ? undefined : this.requests.get(uid);
    if (!rq) return null;
    const result: MessageLinkResult = { cause: { relation: 'storage-commitment', message: rq.index } };
    if (rq.association !== f.association) {
      result.associations = [{ association: f.association, cause: { relation: 'storage-commitment', association: rq.association, message: rq.index, evidence: 'transaction-uid' } }];
    }
    return result;
  }
}
