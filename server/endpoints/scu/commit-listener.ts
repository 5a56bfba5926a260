/**
 * The storage commitment SCU's own port (PS3.4 J.3.3.1.3: "an SCU shall be
 * capable of receiving an N-EVENT-REPORT on a different association than
 * the one on which the N-ACTION operation was performed … the SCU accepts an
 * association where the SCP role is proposed by the Storage Commitment SCP
 * acting as an association requestor"): a guarded, tapped SCP (dimse-tap.ts)
 * that accepts the Push Model (and Verification), answers the requestor's
 * SCP/SCU Role Selection item with its SCP role accepted (PS3.7 D.3.3.4) —
 * or refused, to show that misconfiguration — and answers each
 * N-EVENT-REPORT-RQ with 0x0000, handing its facts on.
 *
 * AE policy, as a modality's: the called AE title must be its own (else
 * A-ASSOCIATE-RJ 1/1/7); with `knownCallers`, the calling AE title must be
 * one of them (else 1/1/3), policy.ts.
 */
import type net from 'node:net';
import dimse from '../../dimse/library.ts';
import type { association as assocNs, requests as rq, responses as rs } from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import { listenTapped, type TappedServer } from '../dimse-tap.ts';
import { scpAssociation } from '../../dimse/scp.ts';
import { checkAssociation } from '../pacs/policy.ts';
import { negotiateContexts, UNCOMPRESSED } from '../pacs/qr-scp.ts';
import { commitmentFacts, EVENT_TYPES, STORAGE_COMMITMENT_PUSH_MODEL, type CommitmentFacts } from '../../../shared/dimse/storage-commitment.ts';

type Association = InstanceType<typeof assocNs.Association>;
type NEventReportRequest = InstanceType<typeof rq.NEventReportRequest>;
type NEventReportResponse = InstanceType<typeof rs.NEventReportResponse>;
type CEchoRequest = InstanceType<typeof rq.CEchoRequest>;
type CEchoResponse = InstanceType<typeof rs.CEchoResponse>;

/** A report as it arrived. */
export interface ReceivedReport {
  eventTypeId: number;
  facts: CommitmentFacts;
  /** Calling AE title of the association it came on (the SCP). */
  from: string;
}

export interface CommitListenerConfig {
  /** The AE title it answers to. */
  ae: string;
  host: string;
  port: number;
  /** Calling AE titles it accepts; undefined: any. */
  knownCallers?: string[];
  /** Answer the SCP role proposed for the Push Model with 0 (a misconfigured SCU). */
  refuseScpRole?: boolean;
}

export interface RunningCommitListener {
  readonly ae: string;
  readonly host: string;
  readonly port: number;
  /** Every report received, in order. */
  readonly reports: ReceivedReport[];
  /** Called for each report as it arrives. */
  onReport: ((report: ReceivedReport) => void) | null;
  close(): Promise<void>;
}

const NO_SUCH_EVENT_TYPE = 0x0113;

interface ListenerState {
  config: CommitListenerConfig;
  listener: RunningCommitListener;
}

class CommitListenerScp extends dimse.Scp {
  private readonly state: ListenerState;

  constructor(socket: net.Socket, opts?: Record<string, unknown>) {
    super(socket, opts);
    this.state = (opts?.customOptions as { commit: ListenerState }).commit;
  }

  override associationRequested(association: Association): void {
    const { config } = this.state;
    const reject = checkAssociation(config.knownCallers ? 'known' : 'called', config.ae, association.getCalledAeTitle(), association.getCallingAeTitle(), config.knownCallers ?? []);
    if (reject) return this.sendAssociationReject(reject.result, reject.source, reject.reason);
    negotiateContexts(association, (uid) => uid === STORAGE_COMMITMENT_PUSH_MODEL || uid === dimse.constants.SopClass.Verification, UNCOMPRESSED);
    for (const { context } of association.getPresentationContexts()) {
      if (context.getAbstractSyntaxUid() !== STORAGE_COMMITMENT_PUSH_MODEL || context.getProviderRole() === undefined) continue;
      // PS3.7 D.3.3.4: 1 accepts the SCP role the requestor proposed, 0 refuses it; its SCU role is not ours to give here.
      if (config.refuseScpRole) context.setProviderRole(false);
    }
    this.sendAssociationAccept();
  }

  override nEventReportRequest(request: NEventReportRequest, callback: (response: NEventReportResponse) => void): void {
    const rsp = dimse.responses.NEventReportResponse.fromRequest(request);
    const eventTypeId = request.getEventTypeId();
    if (!EVENT_TYPES.has(eventTypeId)) {
      rsp.setStatus(NO_SUCH_EVENT_TYPE);
      return callback(rsp);
    }
    const report: ReceivedReport = {
      eventTypeId,
      facts: commitmentFacts((request.getDataset()?.getElements() ?? {}) as Record<string, unknown>),
      from: scpAssociation(this).getCallingAeTitle().trim(),
    };
    rsp.setStatus(dimse.constants.Status.Success);
    callback(rsp);
    this.state.listener.reports.push(report);
    this.state.listener.onReport?.(report);
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
    const rsp = dimse.responses.CEchoResponse.fromRequest(request);
    rsp.setStatus(dimse.constants.Status.Success);
    callback(rsp);
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  /** An A-ABORT: the guard recorded it and closes the connection. */
  override abort(): void {}
}

/** Listens on host:port (127.0.0.1 unless told otherwise), tapped into the hub. */
export async function startCommitListener(config: CommitListenerConfig, hub: CaptureHub): Promise<RunningCommitListener> {
  const listener: RunningCommitListener = { ae: config.ae, host: config.host, port: config.port, reports: [], onReport: null, close: async () => {} };
  const state: ListenerState = { config, listener };
  const server: TappedServer = await listenTapped(CommitListenerScp, hub, config.host, config.port, { customOptions: { commit: state } }, { name: `storage commitment SCU ${config.ae}` });
  return Object.assign(listener, { port: server.port, close: () => server.close() });
}
