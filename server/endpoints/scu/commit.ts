/**
 * Storage Commitment SCU (PS3.4 J.3, Push Model): an N-ACTION-RQ "Request
 * Storage Commitment" (Action Type 1, J.3.2) naming the instances and a new
 * Transaction UID, then the result, an N-EVENT-REPORT-RQ of Event Type 1
 * (all committed) or 2 (failures exist) carrying the same Transaction UID
 * (J.3.3), answered with 0x0000. The report may come:
 * - on this association: the SCU keeps it open after the N-ACTION-RSP until
 *   the report came or `reportTimeoutMs` passed, then releases. The default
 *   roles suffice (the association's acceptor is the SCP, who sends the
 *   N-EVENT-REPORT; PS3.7 D.3.3.4 role selection is for the reverse
 *   association only, J.3.3.1.3);
 * - on a new association the SCP opens to the SCU's own port (`listen`,
 *   commit-listener.ts): the SCU then releases at once, as modalities do,
 *   and waits there.
 * Everything goes through the capture hub (recorded like the other SCU
 * operations). Resolves, never rejects.
 */
import { randomUUID } from 'node:crypto';
import dimse from '../../dimse/library.ts';
import type { association as assocNs, requests as rq, responses as rs } from '../../dimse/library.ts';
import { holdRelease } from '../../dimse/client-network.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import { commitmentFacts, EVENT_TYPES, REQUEST_STORAGE_COMMITMENT, STORAGE_COMMITMENT_INSTANCE, STORAGE_COMMITMENT_PUSH_MODEL, type CommitmentFacts } from '../../../shared/dimse/storage-commitment.ts';
import type { OperationResult, ScuTarget } from './options.ts';
import { DEFAULT_TIMEOUT_MS } from './options.ts';
import { acceptedContextOf, startAssociation } from './run-operation.ts';
import { encodeInAcceptedSyntax } from './query.ts';
import { operationResult, type FinalStatus } from './result.ts';
import { startCommitListener, type CommitListenerConfig, type ReceivedReport } from './commit-listener.ts';
import type { ReferencedInstance } from './commit-instances.ts';

type NActionResponse = InstanceType<typeof rs.NActionResponse>;
type NEventReportRequest = InstanceType<typeof rq.NEventReportRequest>;
type NEventReportResponse = InstanceType<typeof rs.NEventReportResponse>;
type Association = InstanceType<typeof assocNs.Association>;

export interface CommitTarget extends ScuTarget {
  instances: ReferencedInstance[];
  /** Default: a new 2.25 UID (PS3.5 B.2). */
  transactionUid?: string;
  /** How long to wait for the report after the N-ACTION-RSP (default 30 s). */
  reportTimeoutMs?: number;
  /** Wait for the report on a port of our own (the SCP opens a new association to it). */
  listen?: Omit<CommitListenerConfig, 'ae'> & { ae?: string };
  /** With `listen`: keep our association open too (a report may come on either). */
  keepOpen?: boolean;
}

export interface CommitReport {
  /** Where it came: on the N-ACTION's association or on our port. */
  via: 'same' | 'listener';
  eventTypeId: number;
  facts: CommitmentFacts;
  /** Calling AE of the association it came on (the listener's), or the SCP's. */
  from: string;
}

export interface CommitResult extends OperationResult {
  transactionUid: string;
  /** Status of the N-ACTION-RSP, when one came. */
  actionStatus: number | null;
  report: CommitReport | null;
  /** The listener's port, when there was one. */
  listenPort: number | null;
}

/** A UID under the 2.25 root from a random UUID (PS3.5 B.2). */
export function newTransactionUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

export async function requestCommitment(target: CommitTarget, hub: CaptureHub, options: { onReport?: (r: CommitReport) => void; onActionResponse?: (status: number) => void } = {}): Promise<CommitResult> {
  const transactionUid = target.transactionUid ?? newTransactionUid();
  const base = { transactionUid, actionStatus: null, report: null, listenPort: null };
  if (target.instances.length === 0) return { ...base, ok: false, outcome: 'error', reason: 'no instance to commit' };
  const waitMs = target.reportTimeoutMs ?? DEFAULT_TIMEOUT_MS;

  let report: CommitReport | null = null;
  let reported: () => void = () => {};
  const reportCame = new Promise<void>((resolve) => (reported = resolve));
  const take = (r: CommitReport): void => {
    if (report || r.facts.transactionUid !== transactionUid) return;
    report = r;
    options.onReport?.(r);
    reported();
  };

  let listener = null;
  if (target.listen) {
    try {
      listener = await startCommitListener({ ...target.listen, ae: target.listen.ae ?? target.callingAeTitle }, hub);
    } catch (e) {
      return { ...base, ok: false, outcome: 'error', reason: `cannot listen on ${target.listen.host}:${target.listen.port}: ${(e as Error).message}` };
    }
    listener.onReport = (r: ReceivedReport) => take({ via: 'listener', ...r });
  }
  try {
    const request = new dimse.requests.NActionRequest(STORAGE_COMMITMENT_PUSH_MODEL, STORAGE_COMMITMENT_INSTANCE, REQUEST_STORAGE_COMMITMENT);
    request.setDataset(
      new dimse.Dataset({
        TransactionUID: transactionUid,
        ReferencedSOPSequence: target.instances.map((i) => ({ ReferencedSOPClassUID: i.sopClass, ReferencedSOPInstanceUID: i.sopInstance })),
      }),
    );
    let final: FinalStatus | null = null;
    let actionStatus: number | null = null;
    request.on('response', (r: NActionResponse) => {
      actionStatus = r.getStatus();
      final = { status: actionStatus, service: 'N-ACTION', errorComment: r.getErrorComment() };
      options.onActionResponse?.(actionStatus);
    });
    let problem: string | undefined;
    const run = startAssociation(
      {
        target,
        requests: [request],
        onAccepted: (a: Association) => {
          const ctx = acceptedContextOf(a, request);
          if (!ctx.ok) problem = ctx.reason;
          encodeInAcceptedSyntax(a, request);
        },
      },
      hub,
    );
    // The report on this association (PS3.4 J.3.3.1.2, note 1): answered 0x0000 (0x0113 for an unknown event type).
    run.client.on('nEventReportRequest', (rq: NEventReportRequest, callback: (rsp: NEventReportResponse) => void) => {
      const rsp = dimse.responses.NEventReportResponse.fromRequest(rq);
      const eventTypeId = rq.getEventTypeId();
      rsp.setStatus(EVENT_TYPES.has(eventTypeId) ? dimse.constants.Status.Success : 0x0113);
      callback(rsp);
      if (EVENT_TYPES.has(eventTypeId)) take({ via: 'same', eventTypeId, facts: commitmentFacts((rq.getDataset()?.getElements() ?? {}) as Record<string, unknown>), from: target.calledAeTitle });
    });
    // The library releases once its requests are done: hold the release until the report came (or the wait is over).
    const waitHere = !listener || target.keepOpen;
    holdRelease(run.client, () => {
      const accepted = actionStatus !== null && (actionStatus === 0 || (actionStatus & 0xf000) === 0xb000);
      return waitHere && accepted && !problem ? Promise.race([reportCame, new Promise((r) => setTimeout(r, waitMs).unref())]) : Promise.resolve();
    });
    const end = await run.ended;
    const result = operationResult(end, final, run.connection, problem);
    const accepted = result.outcome === 'success' || result.outcome === 'warning';
    if (accepted && !report && listener) await Promise.race([reportCame, new Promise((r) => setTimeout(r, waitMs).unref())]);
    return { ...commitOutcome(result, report, waitMs, listener !== null), transactionUid, actionStatus, report, listenPort: listener?.port ?? null };
  } finally {
    // Let the reverse association finish its release before the port closes.
    if (listener) {
      const l = listener;
      await new Promise((r) => setTimeout(r, report ? 50 : 0));
      await l.close();
    }
  }
}

/** The outcome: the N-ACTION's when it was not accepted; else the report's (all committed: success; failures: failure; none: timed out). */
function commitOutcome(result: OperationResult, report: CommitReport | null, waitMs: number, listening: boolean): OperationResult {
  if (!result.ok) return result;
  // The N-ACTION-RSP said "request accepted" (it is printed on its own line): the report decides.
  const action: OperationResult = { ...result, status: undefined, statusText: undefined };
  if (!report) {
    return { ...action, ok: false, outcome: 'aborted', reason: `timed out: no N-EVENT-REPORT-RQ with this Transaction UID within ${Math.round(waitMs / 1000)} s after the N-ACTION-RSP${listening ? ', neither on this association nor on our port' : ' on this association (an SCP that reports on a new association needs --port)'}` };
  }
  const failed = report.facts.failed.length;
  if (report.eventTypeId === 1 && failed === 0) return { ...action, ok: true, outcome: 'success' };
  return { ...action, ok: false, outcome: 'failure', reason: `${failed} of ${failed + report.facts.referenced.length} instance(s) not committed (Event Type ${report.eventTypeId})` };
}
