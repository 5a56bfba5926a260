/**
 * The built-in PACS as Storage Commitment SCP (PS3.4 Annex J, Push Model
 * SOP Class 1.2.840.10008.1.20.1):
 *
 * - association: the Push Model is accepted; a requestor's SCP/SCU Role
 *   Selection item is answered with its SCU role accepted and its SCP role
 *   refused (PS3.7 D.3.3.4: the PACS is the SCP here, never the SCU);
 * - N-ACTION-RQ, Action Type 1 "Request Storage Commitment" (J.3.2): checked
 *   (another action: 0x0123 no such action; no Transaction UID or no
 *   Referenced SOP Sequence: 0x0120 missing attribute, PS3.7 Annex C) and
 *   answered 0x0000 at once: the commitment itself comes later;
 * - after the report delay, each referenced instance is looked up in the
 *   store: not there → Failure Reason 0x0112 no such object instance, there
 *   under another SOP class → 0x0119 class / instance conflict, a
 *   Transaction UID still being processed → 0x0131 duplicate transaction
 *   UID (J.3.3.1.1); then the N-EVENT-REPORT-RQ goes out as the report mode
 *   says (commitment-settings.ts): on the same association while it is open,
 *   or on a new one to the requestor's AE as the PACS's AE table has it (the
 *   table of its C-MOVE destinations) — no entry, no report, as with a real
 *   PACS that does not know the modality.
 */
import dimse, { type Scp } from '../../dimse/library.ts';
import { onceReleaseRequested, onceScpClosed, scpAssociation } from '../../dimse/scp.ts';
import type { association as assocNs, requests as rq, responses as rs } from '../../dimse/library.ts';
import { commitmentFacts, REQUEST_STORAGE_COMMITMENT, STORAGE_COMMITMENT_PUSH_MODEL } from '../../../shared/dimse/storage-commitment.ts';
import { DEFAULT_COMMIT_DELAY_MS, DEFAULT_COMMIT_REPORT_MODE } from './commitment-settings.ts';
import { awaitReportResponse, reportOnNewAssociation, reportRequest, type CommitmentResult, type ReportOutcome } from './commitment-report.ts';
import { sleep, type PacsRuntime } from './operation.ts';
import type { DataStore } from './data-store.ts';

type Association = InstanceType<typeof assocNs.Association>;
type NActionRequest = InstanceType<typeof rq.NActionRequest>;
type NActionResponse = InstanceType<typeof rs.NActionResponse>;

/** Status codes of the N-ACTION-RSP (PS3.7 Annex C, PS3.4 J.3.2.1.3). */
const NO_SUCH_ACTION = 0x0123;
const MISSING_ATTRIBUTE = 0x0120;
/** Failure Reasons (PS3.4 J.3.3.1.1). */
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
const CLASS_INSTANCE_CONFLICT = 0x0119;
const DUPLICATE_TRANSACTION_UID = 0x0131;

/** What the PACS did with one request, for logs and tests. */
export interface CommitmentRun {
  transactionUid: string;
  callingAe: string;
  /** Where the report went: the N-ACTION's association, a new one, or nowhere. */
  via: 'same' | 'new' | 'none';
  outcome: ReportOutcome;
}

export const acceptsCommitment = (abstractSyntax: string): boolean => abstractSyntax === STORAGE_COMMITMENT_PUSH_MODEL;

/** Role Selection answer for the Push Model (PS3.7 D.3.3.4): the requestor may be its SCU, not its SCP. */
export function answerCommitmentRoles(association: Association): void {
  for (const { context } of association.getPresentationContexts()) {
    if (context.getAbstractSyntaxUid() !== STORAGE_COMMITMENT_PUSH_MODEL) continue;
    if (context.getUserRole() === undefined && context.getProviderRole() === undefined) continue;
    context.setProviderRole(false);
  }
}

/** Transaction UIDs whose report is not out yet, per PACS store. */
const active = new WeakMap<DataStore, Set<string>>();

/** Looks each referenced instance up in the store (PS3.4 J.3.3.1.1). */
export function commit(store: DataStore, transactionUid: string, referenced: { sopClass: string | null; sopInstance: string | null }[], duplicate: boolean): CommitmentResult {
  const result: CommitmentResult = { transactionUid, committed: [], failed: [] };
  for (const r of referenced) {
    const sopClass = r.sopClass ?? '';
    const sopInstance = r.sopInstance ?? '';
    const held = sopInstance ? store.get(sopInstance) : undefined;
    const reason = duplicate ? DUPLICATE_TRANSACTION_UID : !held ? NO_SUCH_OBJECT_INSTANCE : held.sopClassUid !== sopClass ? CLASS_INSTANCE_CONFLICT : null;
    if (reason === null) result.committed.push({ sopClass, sopInstance });
    else result.failed.push({ sopClass, sopInstance, reason });
  }
  return result;
}

/**
 * The Scp's N-ACTION-RQ handler: answers it, then reports after the delay.
 * `scp` is the PACS's dcmjs-dimse Scp of the association (its release and
 * close are watched to know whether it is still open).
 */
export function handleCommitmentRequest(scp: Scp, runtime: PacsRuntime, request: NActionRequest, callback: (response: NActionResponse) => void, onRun?: (run: CommitmentRun) => void): void {
  const rsp = dimse.responses.NActionResponse.fromRequest(request);
  const refuse = (status: number, comment: string) => {
    rsp.setStatus(status);
    rsp.setErrorComment(comment.slice(0, 64));
    callback(rsp);
  };
  if (request.getActionTypeId() !== REQUEST_STORAGE_COMMITMENT) return refuse(NO_SUCH_ACTION, `action type ${request.getActionTypeId()}: only 1 (PS3.4 J.3.2)`);
  const facts = commitmentFacts((request.getDataset()?.getElements() ?? {}) as Record<string, unknown>);
  if (!facts.transactionUid) return refuse(MISSING_ATTRIBUTE, 'no Transaction UID (0008,1195)');
  if (facts.referenced.length === 0) return refuse(MISSING_ATTRIBUTE, 'no Referenced SOP Sequence (0008,1199) item');
  const transactionUid = facts.transactionUid;
  let open = true;
  onceReleaseRequested(scp, () => (open = false));
  onceScpClosed(scp, () => (open = false));
  const association = scpAssociation(scp);
  const callingAe = association.getCallingAeTitle().trim();
  const sameSyntax = association.getAcceptedPresentationContextFromRequest(request)?.getAcceptedTransferSyntaxUid() ?? dimse.constants.TransferSyntax.ImplicitVRLittleEndian;
  let transactions = active.get(runtime.store);
  if (!transactions) active.set(runtime.store, (transactions = new Set()));
  const duplicate = transactions.has(transactionUid);
  if (!duplicate) transactions.add(transactionUid);
  rsp.setStatus(dimse.constants.Status.Success);
  callback(rsp);

  const { config } = runtime;
  const work = (async (): Promise<CommitmentRun> => {
    await sleep(config.commitReportDelayMs ?? DEFAULT_COMMIT_DELAY_MS);
    const result = commit(runtime.store, transactionUid, facts.referenced, duplicate);
    const mode = config.commitReportMode ?? DEFAULT_COMMIT_REPORT_MODE;
    if (open && mode !== 'new') {
      const report = reportRequest(result, config.ae, sameSyntax);
      const status = awaitReportResponse(report);
      scp.sendRequests(report);
      const answered = await Promise.race([status, new Promise<null>((resolve) => onceScpClosed(scp, () => resolve(null)))]);
      return { transactionUid, callingAe, via: 'same', outcome: answered === null ? { sent: false, reason: 'the association closed before the N-EVENT-REPORT-RSP' } : { sent: true, status: answered } };
    }
    if (mode === 'same') return { transactionUid, callingAe, via: 'none', outcome: { sent: false, reason: 'the SCU released the association before the report was due (report mode "same")' } };
    const destination = config.destinations.get(callingAe);
    if (!destination) return { transactionUid, callingAe, via: 'none', outcome: { sent: false, reason: `${callingAe} is not in the AE table: nowhere to send the report` } };
    return { transactionUid, callingAe, via: 'new', outcome: await reportOnNewAssociation(runtime, { ae: callingAe, ...destination }, result) };
  })();
  const tracked = work
    .catch((e: unknown): CommitmentRun => ({ transactionUid, callingAe, via: 'none', outcome: { sent: false, reason: String((e as Error)?.message ?? e) } }))
    .then((run) => {
      if (!duplicate) transactions.delete(transactionUid);
      onRun?.(run);
      return run;
    });
  runtime.background.add(tracked);
  void tracked.finally(() => runtime.background.delete(tracked));
}
