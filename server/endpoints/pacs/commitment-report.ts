/**
 * The storage commitment report of the built-in PACS (PS3.4 J.3.3): the
 * N-EVENT-REPORT-RQ (Event Type 1 when every referenced instance is
 * committed, 2 when failures exist, with the Referenced SOP Sequence, the
 * Failed SOP Sequence and a Failure Reason per failed instance, J.3.3.1.1),
 * sent either on the N-ACTION's own association or on a new one the PACS
 * opens to the requestor (J.3.3.1.2) — through the tap into the capture hub
 * like the C-MOVE sub-associations (sub-operations.ts), so it is recorded
 * and drawn. On the new association the PACS is the association requestor
 * and yet the Storage Commitment SCP: it proposes the SCP role by SCP/SCU
 * Role Selection (PS3.7 D.3.3.4; J.3.3.1.3: "the SCU accepts an
 * association where the SCP role is proposed"), and sends nothing when the
 * SCU did not accept that role (read from the wire, docs/architecture.md §1).
 */
import dimse from '../../dimse/library.ts';
import type { association as assocNs, requests as rq, responses as rs } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import { sendTapped } from '../dimse-tap.ts';
import { beforeRequestsSent, rewriteProposal } from '../../dimse/client-network.ts';
import { defaultTlsSettings, loadTls } from '../../tls/tls-settings.ts';
import { rejectText } from '../scu/run-operation.ts';
import { CommitmentEvent, STORAGE_COMMITMENT_INSTANCE, STORAGE_COMMITMENT_PUSH_MODEL } from '../../../shared/dimse/storage-commitment.ts';
import type { PacsRuntime } from './operation.ts';
import type { SubAssociationTarget } from './sub-operations.ts';

const { Client, Dataset, requests } = dimse;
type Association = InstanceType<typeof assocNs.Association>;
type NEventReportRequest = InstanceType<typeof rq.NEventReportRequest>;
type NEventReportResponse = InstanceType<typeof rs.NEventReportResponse>;

export interface CommitmentResult {
  transactionUid: string;
  committed: { sopClass: string; sopInstance: string }[];
  failed: { sopClass: string; sopInstance: string; reason: number }[];
}

/** How a report went: the SCU's N-EVENT-REPORT-RSP status, or why none came. */
export type ReportOutcome = { sent: true; status: number } | { sent: false; reason: string };

/** The N-EVENT-REPORT-RQ of a result, its data set in `transferSyntax` (PS3.4 J.3.3.1.1). */
export function reportRequest(result: CommitmentResult, retrieveAe: string, transferSyntax: string): NEventReportRequest {
  const event = result.failed.length === 0 ? CommitmentEvent.AllCommitted : CommitmentEvent.FailuresExist;
  const request = new requests.NEventReportRequest(STORAGE_COMMITMENT_PUSH_MODEL, STORAGE_COMMITMENT_INSTANCE, event);
  const elements: Record<string, unknown> = { TransactionUID: result.transactionUid, RetrieveAETitle: retrieveAe };
  if (result.committed.length) elements.ReferencedSOPSequence = result.committed.map((i) => ({ ReferencedSOPClassUID: i.sopClass, ReferencedSOPInstanceUID: i.sopInstance }));
  if (result.failed.length) elements.FailedSOPSequence = result.failed.map((i) => ({ ReferencedSOPClassUID: i.sopClass, ReferencedSOPInstanceUID: i.sopInstance, FailureReason: i.reason }));
  request.setDataset(new Dataset(elements, transferSyntax));
  return request;
}

/** Follows the request's response: resolves with its status, or null when the association ended without one. */
export function awaitReportResponse(request: NEventReportRequest): Promise<number> {
  return new Promise((resolve) => request.on('response', (r: NEventReportResponse) => resolve(r.getStatus())));
}

/** The roles the acceptor of connection `conn` accepted for `sopClass` (PS3.7 D.3.3.4), from the hub's decoding of its A-ASSOCIATE-AC; null when it answered no role item. */
export function acceptedRoles(hub: CaptureHub, conn: number, sopClass: string): { scu: boolean; scp: boolean } | null {
  const id = hub.associationOf(conn);
  const a = id === null ? undefined : hub.summary().associations.find((x) => x.id === id);
  return a?.roles.find((r) => r.sopClassUid.replace(/[\0 ]+$/, '') === sopClass)?.accepted ?? null;
}

/**
 * Opens a new association to `target` (the requestor's AE from the PACS's
 * table) proposing the Push Model with the SCP role, sends the report and
 * releases. Never rejects: the outcome says what happened.
 */
export function reportOnNewAssociation(runtime: PacsRuntime, target: SubAssociationTarget, result: CommitmentResult): Promise<ReportOutcome> {
  const hub: CaptureHub = runtime.hub;
  const request = reportRequest(result, runtime.config.ae, dimse.constants.TransferSyntax.ImplicitVRLittleEndian);
  let outcome: ReportOutcome = { sent: false, reason: `no association with ${target.ae} at ${target.host}:${target.port}` };
  request.on('response', (r: NEventReportResponse) => (outcome = { sent: true, status: r.getStatus() }));
  const client = new Client();
  client.addRequest(request);
  const closed = new Promise<ReportOutcome>((resolve) => client.on('closed', () => resolve(outcome)));
  client.on('associationRejected', (r: { result: number; source: number; reason: number }) => (outcome = { sent: false, reason: `the association was rejected: ${rejectText(r)}` }));
  client.on('networkError', (e: Error) => {
    if (!outcome.sent) outcome = { sent: false, reason: e.message.replace(/^.*?->\s*/, '') };
  });
  const conn = sendTapped(client, hub, {
    host: target.host,
    port: target.port,
    callingAeTitle: runtime.config.ae,
    calledAeTitle: target.ae,
    clientOptions: { connectTimeout: 10_000, associationTimeout: 30_000, pduTimeout: 30_000 },
    tls: target.tls ? (runtime.config.tls?.material ?? loadTls(defaultTlsSettings())) : null,
  });
  rewriteProposal(client, (association: Association) => {
    for (const { context } of association.getPresentationContexts()) {
      if (context.getAbstractSyntaxUid() !== STORAGE_COMMITMENT_PUSH_MODEL) continue;
      // SCP/SCU Role Selection (PS3.7 D.3.3.4): the requestor proposes to be the SCP only.
      context.setUserRole(false);
      context.setProviderRole(true);
    }
  });
  // Once accepted: send the report only on a context with the SCP role accepted, else release.
  beforeRequestsSent(client, (association: Association) => {
    const pc = association.getAcceptedPresentationContextFromRequest(request);
    const roles = acceptedRoles(hub, conn, STORAGE_COMMITMENT_PUSH_MODEL);
    const problem = !pc
      ? `${target.ae} did not accept the Storage Commitment Push Model presentation context`
      : !roles?.scp
        ? `${target.ae} did not accept the SCP role for the Storage Commitment Push Model (${roles ? 'answered SCP role 0' : 'answered no role selection item'}, PS3.7 D.3.3.4): the report cannot be sent`
        : null;
    if (problem) {
      outcome = { sent: false, reason: problem };
      return false;
    }
    request.getDataset()?.setTransferSyntaxUid(pc!.getAcceptedTransferSyntaxUid() ?? dimse.constants.TransferSyntax.ImplicitVRLittleEndian);
    return true;
  });
  return closed;
}
