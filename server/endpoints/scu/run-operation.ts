/**
 * One association of a dcmjs-dimse Client through the wire tap, from connect
 * to release (PS3.8 §7.1–7.3), and how it ended. The operation files build the
 * requests and listen to their responses; this file owns the association:
 *
 * - the proposal: transfer syntaxes of every presentation context, our
 *   maximum PDU length (set on the association *before* the A-ASSOCIATE-RQ is
 *   written: after the A-ASSOCIATE-AC the library keeps the peer's value there,
 *   which is the one it must send with — never lower it later; docs/architecture.md,
 *   "Known traps"), SCP/SCU role selection items (PS3.7 D.3.3.4);
 * - the end: released, A-ASSOCIATE-RJ, A-ABORT (the Client forwards no abort
 *   event: we listen on its Network), refused connection, timeout;
 * - C-STORE requests the peer sends on this association (C-GET, PS3.4 C.4.3),
 *   handed over with the data set's bytes as received.
 */
import dimse from '../../dimse/library.ts';
import type { association as assocNs, Client as ClientType, Dataset as DatasetType, requests as rq, responses as rs } from '../../dimse/library.ts';
import { sendTapped } from '../dimse-tap.ts';
import { clientSocket, onPeerAbort, rewriteProposal, takeIncomingStoreBytes } from '../../dimse/client-network.ts';
import { tlsMessage } from '../../tls/tls-facts.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import { abortReasonText, abortSourceText, associateRjReasonText, presentationContextResultText } from '../../../shared/pdu/meanings.ts';
import { DEFAULT_MAX_PDU, DEFAULT_TIMEOUT_MS, type ScuTarget } from './options.ts';
import { DEFAULT_TRANSFER_SYNTAXES, NATIVE_TRANSFER_SYNTAXES } from './sop-classes.ts';

const { Client, Dataset, constants } = dimse;

type Association = InstanceType<typeof assocNs.Association>;
type Request = InstanceType<typeof rq.Request>;
type CStoreRequest = InstanceType<typeof rq.CStoreRequest>;
type CStoreResponse = InstanceType<typeof rs.CStoreResponse>;

/** How the association ended. */
export type AssociationEnd =
  | { kind: 'released' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'aborted'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'error'; reason: string };

/** A presentation context we propose on top of those the requests need (e.g. storage contexts of a C-GET). */
export interface ExtraContext {
  abstractSyntax: string;
  /** Role selection (PS3.7 D.3.3.4): propose the SCP role (we store) and/or the SCU role. */
  scpRole?: boolean;
  scuRole?: boolean;
}

/** A C-STORE that arrived on the association: the command and the data set bytes as received. */
export interface IncomingStore {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  dataset: Uint8Array;
}

export interface AssociationPlan {
  target: ScuTarget;
  requests: Request[];
  extraContexts?: ExtraContext[];
  /** Answers a C-STORE from the peer with a status (PS3.4 B.2.3). Without it, such requests get 0x0124 (refused). */
  onStore?: (store: IncomingStore) => Promise<number>;
  /** Called once the association is accepted, before the requests are sent. */
  onAccepted?: (association: Association) => void;
}

export interface RunningAssociation {
  client: ClientType;
  connection: number;
  /** Resolves once the connection is closed, with how the association ended. */
  ended: Promise<AssociationEnd>;
  /** The accepted association, once there is one. */
  association(): Association | null;
  /** Sends an A-ABORT (PS3.8 §7.3) and closes the connection. */
  abort(): void;
  /** Sends a C-CANCEL for `request` (PS3.7 §9.3.2.3), now if it was sent, else right after it is. */
  cancel(request: Request): void;
}

/** "called AE title not recognized (1/1/7)" from the A-ASSOCIATE-RJ fields (PS3.8 Table 9-21). */
export function rejectText(r: { result: number; source: number; reason: number }): string {
  return `${associateRjReasonText(r.source, r.reason).replace(/-/g, ' ')} (${r.result}/${r.source}/${r.reason})`;
}

/** Why a request found no accepted presentation context, from the A-ASSOCIATE-AC (PS3.8 Table 9-18). */
export function contextProblem(association: Association, abstractSyntax: string): string {
  const contexts = association.getPresentationContexts().map((c) => c.context).filter((c) => c.getAbstractSyntaxUid() === abstractSyntax);
  if (contexts.length === 0) return `no presentation context was proposed for ${abstractSyntax}`;
  const results = contexts.map((c) => presentationContextResultText(c.getResult()));
  return `presentation context for ${abstractSyntax} not accepted: ${[...new Set(results)].join(', ')}`;
}

/**
 * A response that is still pending (0xFF00 or 0xFF01, PS3.7 Annex C.4) must not end the request: dcmjs-dimse
 * ends it on anything but 0xFF00 (docs/architecture.md, "Known traps"), so 0xFF01 would release the association too early.
 */
export function keepPendingOpen(request: Request): void {
  let last = -1;
  request.on('response', (response: { getStatus(): number }) => {
    last = response.getStatus();
  });
  const original = request.raiseDoneEvent.bind(request);
  request.raiseDoneEvent = () => {
    if (last === 0xff01) return;
    original();
  };
}

/** Starts the association; never throws for network trouble (that is in `ended`). */
export function startAssociation(plan: AssociationPlan, hub: CaptureHub): RunningAssociation {
  const { target } = plan;
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const syntaxes = target.transferSyntaxes?.length ? target.transferSyntaxes : [...DEFAULT_TRANSFER_SYNTAXES];
  const client = new Client();
  for (const r of plan.requests) client.addRequest(r);
  for (const extra of plan.extraContexts ?? []) {
    const pc = new dimse.association.PresentationContext(0, extra.abstractSyntax);
    for (const ts of syntaxes) pc.addTransferSyntaxUid(ts);
    client.addAdditionalPresentationContext(pc, false);
  }

  let end: AssociationEnd | null = null;
  let accepted: Association | null = null;
  const settle = (e: AssociationEnd) => {
    if (!end) end = e;
  };
  const cancels = new Set<Request>();
  const rawDatasets = new WeakMap<DatasetType, { bytes: Uint8Array; ts: string }>();

  const invalid = targetProblem(target);
  if (invalid) return deadAssociation(client, { kind: 'error', reason: invalid });
  const connection = sendTapped(client, hub, {
    host: target.host,
    port: target.port,
    callingAeTitle: target.callingAeTitle,
    calledAeTitle: target.calledAeTitle,
    // The library's connectTimeout is a socket idle timeout for the whole life of the connection, which
    // closes without an A-ABORT: keep it behind the association/PDU timeouts (checked each second, they abort).
    clientOptions: { connectTimeout: timeout + 2000, associationTimeout: timeout, pduTimeout: timeout },
    tls: target.tls,
  });
  const socket = clientSocket(client);
  socket?.setNoDelay(true);
  // A TLS connection that fails before its handshake ends is a connection that never came about (exit code 3).
  let handshaken = !target.tls;
  socket?.once('secureConnect', () => (handshaken = true));

  rewriteProposal(client, (association) => propose(association, plan, syntaxes, target.maxPdu ?? DEFAULT_MAX_PDU));
  // Keep the data set of an incoming C-STORE as the bytes that arrived; the library need not parse it.
  takeIncomingStoreBytes(client, (bytes, ts) => {
    const dataset = new Dataset({}, ts);
    rawDatasets.set(dataset, { bytes, ts });
    return dataset;
  });
  onPeerAbort(client, (a) => {
    settle({ kind: 'aborted', reason: `association aborted by the peer: ${abortSourceText(a.source)}, ${abortReasonText(a.source, a.reason)} (${a.source}/${a.reason})` });
    // PS3.8 §9.2 (State Sta13/AA-3): on an A-ABORT the transport connection is closed; the library's Client does not.
    socket?.destroy();
  });

  let connected = false;
  client.on('connected', () => {
    connected = true;
  });
  client.on('associationAccepted', (association: Association) => {
    accepted = association;
    plan.onAccepted?.(association);
    // The library sends the requests synchronously after this event; cancels asked for before go right after.
    setImmediate(() => {
      for (const r of cancels) sendCancel(r);
      cancels.clear();
    });
  });
  client.on('associationRejected', (r: { result: number; source: number; reason: number }) => {
    settle({ kind: 'rejected', reason: `association rejected: ${rejectText(r)}` });
  });
  client.on('associationReleased', () => settle({ kind: 'released' }));
  client.on('networkError', (err: Error) => {
    // The library only ends the socket; make sure it closes, so `ended` always settles.
    setTimeout(() => {
      if (socket && !socket.destroyed) socket.destroy();
    }, 1000).unref();
    const m = err.message.replace(/^.*?->\s*/, '');
    const detail = m.replace(/^Connection error:\s*/, '');
    if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(m)) settle({ kind: 'refused', reason: `cannot connect to ${target.host}:${target.port}: ${detail}` });
    else if (!handshaken && connected) settle({ kind: 'refused', reason: `TLS handshake with ${target.host}:${target.port} failed: ${tlsMessage(detail)}` });
    else if (/alert/i.test(m) && target.tls) settle({ kind: 'aborted', reason: `the peer ended TLS with an alert: ${tlsMessage(detail)}` });
    else if (/timeout/i.test(m) && !connected) settle({ kind: 'refused', reason: `cannot connect to ${target.host}:${target.port}: no answer within ${timeout + 2000} ms` });
    else if (/timeout/i.test(m)) settle({ kind: 'aborted', reason: `timed out after ${timeout} ms without a PDU from the peer; A-ABORT sent` });
    else if (/ECONNRESET|EPIPE/.test(m)) settle({ kind: 'aborted', reason: `the peer reset the connection (${detail})` });
    else settle({ kind: 'error', reason: m });
  });
  client.on('cStoreRequest', (request: CStoreRequest, callback: (r: CStoreResponse) => void) => {
    const response = dimse.responses.CStoreResponse.fromRequest(request);
    const raw = rawDatasets.get(request.getDataset() as DatasetType);
    const handler = plan.onStore;
    if (!handler || !raw) {
      response.setStatus(constants.Status.NotAuthorized);
      callback(response);
      return;
    }
    handler({ sopClassUid: request.getAffectedSopClassUid(), sopInstanceUid: request.getAffectedSopInstanceUid(), transferSyntax: raw.ts, dataset: raw.bytes })
      .catch(() => constants.Status.ProcessingFailure)
      .then((status) => {
        response.setStatus(status);
        callback(response);
      });
  });

  const ended = new Promise<AssociationEnd>((resolve) => {
    // A transport close without release is an A-P-ABORT (PS3.8 §7.4).
    client.on('closed', () =>
      resolve(end ?? { kind: 'aborted', reason: accepted ? 'the peer closed the connection without a release' : 'the peer closed the connection before answering the association request' }),
    );
  });

  function sendCancel(r: Request): void {
    try {
      client.cancel(r as InstanceType<typeof rq.CFindRequest>);
    } catch {
      // Network already gone: nothing to cancel.
    }
  }

  return {
    client,
    connection,
    ended,
    association: () => accepted,
    abort: () => {
      settle({ kind: 'aborted', reason: 'association aborted by us' });
      try {
        client.abort(constants.AbortSource.ServiceUser, constants.AbortReason.NotSpecified);
      } catch {
        // not connected yet
      }
      setTimeout(() => {
        if (socket && !socket.destroyed) socket.destroy();
      }, 200).unref();
    },
    cancel: (r: Request) => {
      if (accepted && r.getMessageId()) sendCancel(r);
      else cancels.add(r);
    },
  };
}

/** Rewrites the proposal the library built: our transfer syntaxes, max PDU, and role selection of the extra contexts. */
function propose(association: Association, plan: AssociationPlan, syntaxes: readonly string[], maxPdu: number): void {
  association.setMaxPduLength(maxPdu);
  const roles = new Map((plan.extraContexts ?? []).map((e) => [e.abstractSyntax, e]));
  for (const { context } of association.getPresentationContexts()) {
    // Keep any non-native syntax the library added for an encapsulated file; replace the native ones by ours.
    const kept = context.getTransferSyntaxUids().filter((ts) => !NATIVE_TRANSFER_SYNTAXES.has(ts));
    const own = kept.length > 0 && context.getTransferSyntaxUids().every((ts) => !NATIVE_TRANSFER_SYNTAXES.has(ts));
    for (const ts of [...context.getTransferSyntaxUids()]) context.removeTransferSyntaxUid(ts);
    for (const ts of own ? kept : [...syntaxes, ...kept]) context.addTransferSyntaxUid(ts);
    const role = roles.get(context.getAbstractSyntaxUid());
    if (role && (role.scpRole !== undefined || role.scuRole !== undefined)) {
      context.setUserRole(role.scuRole ?? false);
      context.setProviderRole(role.scpRole ?? false);
    }
  }
}

/** The context a request was accepted on, or why there is none. */
export function acceptedContextOf(association: Association, request: Request): { ok: true; transferSyntax: string } | { ok: false; reason: string } {
  const pc = association.getAcceptedPresentationContextFromRequest(request);
  if (pc) return { ok: true, transferSyntax: pc.getAcceptedTransferSyntaxUid() ?? '' };
  return { ok: false, reason: contextProblem(association, request.getAffectedSopClassUid()) };
}

/** A target that cannot be connected to, in words (PS3.5 Table 6.2-1 for AE titles), or null. */
export function targetProblem(t: ScuTarget): string | null {
  if (!t.host) return 'no host given';
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `port out of range: ${t.port}`;
  for (const [what, ae] of [['calling', t.callingAeTitle], ['called', t.calledAeTitle]] as const) {
    if (typeof ae !== 'string' || ae.trim() === '' || ae.length > 16 || /[\\\x00-\x1f]/.test(ae)) return `${what} AE title must have 1 to 16 characters, no backslash: "${String(ae)}"`;
  }
  if (t.maxPdu !== undefined && (!Number.isInteger(t.maxPdu) || t.maxPdu < 0 || t.maxPdu > 0xffffffff)) return `max PDU out of range: ${t.maxPdu}`;
  return null;
}

/** The association that never started: `ended` is already settled. */
function deadAssociation(client: ClientType, end: AssociationEnd): RunningAssociation {
  return { client, connection: 0, ended: Promise.resolve(end), association: () => null, abort: () => undefined, cancel: () => undefined };
}
