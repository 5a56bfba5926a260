/**
 * Storage commitment (PS3.4 Annex J, Storage Commitment Push Model SOP Class
 * 1.2.840.10008.1.20.1): the N-EVENT-REPORT-RQ that reports the result
 * (Event Type ID 1: all committed, 2: failures exist; PS3.4 J.3.3) → the
 * N-ACTION-RQ that asked for it (Action Type ID 1, J.3.2), by their common
 * Transaction UID (0008,1195). The report may come on the same association
 * or on a new one that the SCP opens back to the SCU (J.3.3.1.2: "An SCP
 * shall be capable of issuing the N-EVENT-REPORT on a different
 * association"): then that association is linked too, so the diagram draws
 * it under the N-ACTION as a C-MOVE's sub-association. Evidence, strongest
 * first:
 *
 * 1. `transaction-uid`: the N-EVENT-REPORT-RQ on it names the N-ACTION-RQ's
 *    Transaction UID; decides for good (and revises a guess below).
 * 2. `ae-title-and-time`, decided at its A-ASSOCIATE-RQ: the SCP reports to
 *    the SCU, so its called AE is the calling AE of the N-ACTION's
 *    association (and its calling AE, preferably, the called one: a PACS
 *    may report under another of its titles); it proposes the Push
 *    Model (J.3.3.1.3: the SCU accepts an association on which the SCP
 *    proposes the SCP role); it comes after an N-ACTION-RQ whose report has
 *    not come yet, at most REPORT_WINDOW_MS later. A rejected or
 *    role-refused attempt is linked so as well: a failed report
 *    association is drawn under its N-ACTION.
 * 3. `time-only`: a TCP connection refused (no AE titles) at most
 *    REFUSED_WINDOW_MS after an N-ACTION that was accepted and is still
 *    unreported: the SCP trying to reach an SCU where nothing listens (a
 *    wrong port in its AE table).
 *
 * Hosts and ports are never compared (the report comes from another port
 * than the SCP's, and a proxy changes them anyway). Pure and incremental.
 */
import type { WireTime } from '../../capture/wire-event.ts';
import { CommandField } from '../../dimse/command-fields.ts';
import { commitmentFacts, isCommitmentReport, isCommitmentRequest, STORAGE_COMMITMENT_PUSH_MODEL } from '../../dimse/storage-commitment.ts';
import type { AssociationCause, LinkEvidence } from '../summary-types.ts';
import type { AssociationLinkChange, Linker, MessageFacts, MessageLinkResult } from './linker.ts';

export { STORAGE_COMMITMENT_PUSH_MODEL };

/** How long after an N-ACTION-RQ a report association may be linked on AE titles and timing alone (SCPs may report minutes later). */
export const REPORT_WINDOW_MS = 10 * 60_000;
/** How long after an N-ACTION a refused connection may be its report attempt (as a C-MOVE's, ../linkers/c-move.ts). */
export const REFUSED_WINDOW_MS = 30_000;

interface CommitRequest {
  index: number;
  association: string;
  time: WireTime;
  transactionUid: string | null;
  /** AE titles of the SCU (sent the N-ACTION) and of the SCP. */
  scu: string | null;
  scp: string | null;
  /** Its N-EVENT-REPORT-RQ has come, or its N-ACTION-RSP refused it: no report will come. */
  closed: boolean;
  /** Associations linked to it by a guess (2 or 3) so far. */
  guessed: number;
}

interface AssociationState {
  callingAe: string | null;
  calledAe: string | null;
  cause: AssociationCause | null;
}

const trimmed = (ae: string | null | undefined): string | null => (ae === null || ae === undefined ? null : ae.trim());

export class StorageCommitmentLinker implements Linker {
  readonly relations = [{ relation: 'storage-commitment', label: 'storage commitment report for', section: 'PS3.4 J.3.3' }] as const;
  /** Transaction UID → the N-ACTION-RQ that asked for it. */
  private readonly byTransaction = new Map<string, CommitRequest>();
  private readonly byIndex = new Map<number, CommitRequest>();
  /** N-ACTION-RQs still waiting for their report, oldest first (pruned when they close or age out). */
  private open: CommitRequest[] = [];
  private readonly associations = new Map<string, AssociationState>();

  connection(association: string, time: WireTime, refused: boolean): AssociationLinkChange[] {
    const state: AssociationState = { callingAe: null, calledAe: null, cause: null };
    this.associations.set(association, state);
    if (!refused) return [];
    this.prune(time);
    let best: CommitRequest | null = null;
    for (const rq of this.open) if (rq.association !== association && rq.time <= time && time - rq.time <= REFUSED_WINDOW_MS) best = rq;
    return best ? this.link(association, state, best, 'time-only') : [];
  }

  associate(association: string, callingAe: string, calledAe: string, time: WireTime, abstractSyntaxes: readonly string[] = []): AssociationLinkChange[] {
    const state = this.associations.get(association) ?? { callingAe: null, calledAe: null, cause: null };
    this.associations.set(association, state);
    state.callingAe = trimmed(callingAe);
    state.calledAe = trimmed(calledAe);
    if (!abstractSyntaxes.some((a) => a.replace(/[\0 ]+$/, '') === STORAGE_COMMITMENT_PUSH_MODEL)) return [];
    this.prune(time);
    // The SCP reports to the requestor's AE; it may call from another AE title than it was called by
    // (a PACS with several), so the calling AE only ranks: the requests whose SCP it is come first.
    const toScu = this.open.filter((rq) => rq.association !== association && rq.time <= time && rq.scu === state.calledAe);
    const fromScp = toScu.filter((rq) => rq.scp === state.callingAe);
    const candidates = fromScp.length ? fromScp : toScu;
    // The oldest request not yet guessed for (an SCP reports in order), else the latest.
    const rq = candidates.find((c) => c.guessed === 0) ?? candidates.at(-1);
    return rq ? this.link(association, state, rq, 'ae-title-and-time') : [];
  }

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    // Only N-ACTION and N-EVENT-REPORT requests and N-ACTION responses concern it: the rest (every C-STORE of a session) leaves at once.
    if (m.commandField !== CommandField.NActionRq && m.commandField !== CommandField.NActionRsp && m.commandField !== CommandField.NEventReportRq) return null;
    const facts = { ...m, identifier: m.dataSet?.attributes ?? null };
    if (isCommitmentRequest(facts)) {
      this.requested(f, commitmentFacts(facts.identifier).transactionUid);
      return null;
    }
    if (m.commandField === CommandField.NActionRsp && f.completed !== null) {
      const rq = this.byIndex.get(f.completed);
      // A refused request (PS3.4 J.3.2.1.3 statuses) gets no report.
      if (rq && m.statusCategory !== 'success' && m.statusCategory !== 'warning') rq.closed = true;
      return null;
    }
    if (!isCommitmentReport(facts)) return null;
    const uid = commitmentFacts(facts.identifier).transactionUid;
    const rq = uid === null ? undefined : this.byTransaction.get(uid);
    if (!rq) return null;
    rq.closed = true;
    const result: MessageLinkResult = { cause: { relation: 'storage-commitment', message: rq.index } };
    if (rq.association !== f.association) {
      const state = this.associations.get(f.association) ?? { callingAe: null, calledAe: null, cause: null };
      this.associations.set(f.association, state);
      result.associations = this.link(f.association, state, rq, 'transaction-uid');
    }
    return result;
  }

  end(association: string): void {
    this.associations.delete(association);
  }

  private requested(f: MessageFacts, transactionUid: string | null): void {
    const a = this.associations.get(f.association);
    const [scu, scp] = f.side === 'requestor' ? [a?.callingAe ?? null, a?.calledAe ?? null] : [a?.calledAe ?? null, a?.callingAe ?? null];
    const rq: CommitRequest = { index: f.index, association: f.association, time: f.time, transactionUid, scu, scp, closed: false, guessed: 0 };
    if (transactionUid !== null) this.byTransaction.set(transactionUid, rq);
    this.byIndex.set(f.index, rq);
    this.open.push(rq);
  }

  /** Sets the association's cause (a change only when it differs). */
  private link(association: string, state: AssociationState, rq: CommitRequest, evidence: LinkEvidence): AssociationLinkChange[] {
    const cause: AssociationCause = { relation: 'storage-commitment', association: rq.association, message: rq.index, evidence };
    const old = state.cause;
    if (old && old.association === cause.association && old.message === cause.message && old.evidence === cause.evidence) return [];
    if (evidence !== 'transaction-uid') rq.guessed++;
    state.cause = cause;
    return [{ association, cause }];
  }

  /** Forgets requests that were answered or can no longer be guessed for. */
  private prune(now: WireTime): void {
    if (this.open.length === 0) return;
    this.open = this.open.filter((rq) => !rq.closed && now - rq.time <= REPORT_WINDOW_MS);
  }
}
