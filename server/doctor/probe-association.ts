/**
 * One association that proposes exactly the planned presentation contexts
 * (context-plan.ts), sends a C-ECHO on the Verification context so the
 * association has something to do, and releases (PS3.8 §7.1–7.2). Made on a
 * dcmjs-dimse Client tapped into the capture hub; the contexts are written
 * into the A-ASSOCIATE-RQ with their planned ids (the Client's own proposal,
 * and the SCU operations' rewrite of it, would merge or re-order them).
 *
 * What the peer answered is read afterwards from the hub's decoding of the
 * A-ASSOCIATE-AC (docs/architecture.md §1: `setResult()` of the library
 * discards what was proposed).
 */
import dimse from '../dimse/library.ts';
import type { association as assocNs } from '../dimse/library.ts';
import { sendTapped } from '../endpoints/dimse-tap.ts';
import { clientSocket, onPeerAbort, rewriteProposal } from '../dimse/client-network.ts';
import type { CaptureHub } from '../capture/hub.ts';
import type { ScuTarget } from '../endpoints/scu/options.ts';
import { DEFAULT_MAX_PDU, DEFAULT_TIMEOUT_MS } from '../endpoints/scu/options.ts';
import { rejectText, targetProblem, type AssociationEnd } from '../endpoints/scu/run-operation.ts';
import { abortReasonText, abortSourceText } from '../../shared/pdu/meanings.ts';
import type { PlannedContext } from './context-plan.ts';

type Association = InstanceType<typeof assocNs.Association>;

export interface ProbeEnd {
  end: AssociationEnd;
  /** The hub's connection number (0 when no connection was attempted). */
  connection: number;
}

/** Proposes `contexts` (ids as planned) to the target; resolves when the connection has closed. */
export function proposeContexts(target: ScuTarget, contexts: readonly PlannedContext[], hub: CaptureHub): Promise<ProbeEnd> {
  const invalid = targetProblem(target);
  if (invalid) return Promise.resolve({ end: { kind: 'error', reason: invalid }, connection: 0 });
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new dimse.Client();
  client.addRequest(new dimse.requests.CEchoRequest());
  let end: AssociationEnd | null = null;
  let accepted = false;
  let connected = false;
  const settle = (e: AssociationEnd) => {
    if (!end) end = e;
  };
  const connection = sendTapped(client, hub, {
    host: target.host,
    port: target.port,
    callingAeTitle: target.callingAeTitle,
    calledAeTitle: target.calledAeTitle,
    // As in run-operation.ts: the socket idle timeout stays behind the association/PDU timeouts, which abort.
    clientOptions: { connectTimeout: timeout + 2000, associationTimeout: timeout, pduTimeout: timeout },
  });
  const socket = clientSocket(client);
  rewriteProposal(client, (association: Association) => {
    // Only ever lower the max PDU, and before the A-ASSOCIATE-RQ (docs/architecture.md, "Known traps").
    association.setMaxPduLength(target.maxPdu ?? DEFAULT_MAX_PDU);
    association.clearPresentationContexts();
    for (const c of contexts) {
      // Ids ascend, so the library keeps the one given (it only raises an id that is taken).
      const id = association.addPresentationContext(c.abstractSyntax, c.id);
      for (const ts of c.transferSyntaxes) association.addTransferSyntaxToPresentationContext(id, ts);
    }
  });
  onPeerAbort(client, (a) => {
    settle({ kind: 'aborted', reason: `association aborted by the peer: ${abortSourceText(a.source)}, ${abortReasonText(a.source, a.reason)} (${a.source}/${a.reason})` });
    socket?.destroy();
  });
  client.on('connected', () => {
    connected = true;
  });
  client.on('associationAccepted', () => {
    accepted = true;
  });
  client.on('associationRejected', (r: { result: number; source: number; reason: number }) => settle({ kind: 'rejected', reason: `association rejected: ${rejectText(r)}` }));
  client.on('associationReleased', () => settle({ kind: 'released' }));
  client.on('networkError', (err: Error) => {
    setTimeout(() => {
      if (socket && !socket.destroyed) socket.destroy();
    }, 1000).unref();
    const m = err.message.replace(/^.*?->\s*/, '').replace(/^Connection error:\s*/, '');
    if (!connected) settle({ kind: 'refused', reason: `cannot connect to ${target.host}:${target.port}: ${/timeout/i.test(m) ? `no answer within ${timeout + 2000} ms` : m}` });
    else if (/timeout/i.test(m)) settle({ kind: 'aborted', reason: `timed out after ${timeout} ms without a PDU from the peer` });
    else settle({ kind: 'aborted', reason: m });
  });
  return new Promise<ProbeEnd>((resolve) => {
    client.on('closed', () =>
      resolve({
        end: end ?? { kind: 'aborted', reason: accepted ? 'the peer closed the connection without a release' : 'the peer closed the connection before answering the association request' },
        connection,
      }),
    );
  });
}
