/**
 * What pacscope reaches inside a dcmjs-dimse Client: its Network, made by
 * `send()` (so every function here is called after it), with the socket, the
 * association proposal, the request queue and the events the Client does not
 * forward. None of it is in the library's typings (dcmjs-dimse 0.3.3; its
 * GitHub source is the reference): this file is the only place that knows
 * these names (docs/architecture.md, "Known traps").
 */
import type net from 'node:net';
import type { Writable } from 'node:stream';
import type { Association, Client, Dataset, PresentationContext, Request } from './library.ts';

/** The part of the Client's Network used here. */
interface NetworkInternals {
  /** A net.Socket, or a tls.TLSSocket with `securityOptions`. */
  socket?: net.Socket;
  association: Association;
  /** Requests not sent yet, sent one after the other as each is done. */
  requests: Request[];
  sendAssociationRequest(association: Association): void;
  sendAssociationReleaseRequest(): void;
  sendRequests(requests: Request | Request[]): void;
  createDatasetFromStoreWritableStream(writable: Writable & { toBuffer(): Buffer }, pc: PresentationContext, callback: (dataset: Dataset) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  removeAllListeners(event: string): void;
}

function networkOf(client: Client): NetworkInternals | undefined {
  return (client as unknown as { network?: NetworkInternals }).network;
}

/** The socket `send()` created (a tls.TLSSocket over TLS); undefined before `send()`. */
export function clientSocket(client: Client): net.Socket | undefined {
  return networkOf(client)?.socket;
}

/**
 * Calls `rewrite` with the association the Client proposes, just before its
 * A-ASSOCIATE-RQ is written: the place to set the maximum PDU length
 * (`setMaxPduLength()` after the A-ASSOCIATE-AC overwrites the peer's value,
 * and then the library sends PDUs larger than the peer accepts: set it only
 * here), the transfer syntaxes, the contexts and their roles.
 */
export function rewriteProposal(client: Client, rewrite: (association: Association) => void): void {
  const network = networkOf(client);
  if (!network) return;
  const send = network.sendAssociationRequest.bind(network);
  network.sendAssociationRequest = (association: Association) => {
    rewrite(association);
    send(association);
  };
}

/** An A-ABORT from the peer: the Client forwards no abort event, so it is listened for on its Network. */
export function onPeerAbort(client: Client, listener: (abort: { source: number; reason: number }) => void): void {
  networkOf(client)?.on('abort', listener as never);
}

/**
 * The data set of a C-STORE the peer sends on this association (C-GET) as
 * the bytes that arrived: `make` builds the Dataset handed to the
 * `cStoreRequest` event (the library need not parse it).
 */
export function takeIncomingStoreBytes(client: Client, make: (bytes: Uint8Array, transferSyntax: string) => Dataset): void {
  const network = networkOf(client);
  if (!network) return;
  network.createDatasetFromStoreWritableStream = (writable, pc, callback) => callback(make(new Uint8Array(writable.toBuffer()), pc.getAcceptedTransferSyntaxUid() ?? ''));
}

/**
 * Runs `check` once the association is accepted, before the queued requests
 * go out: true sends them, false sends none and releases the association.
 */
export function beforeRequestsSent(client: Client, check: (association: Association) => boolean): void {
  const network = networkOf(client);
  if (!network) return;
  const send = network.sendRequests.bind(network);
  network.sendRequests = (queued) => {
    if (check(network.association)) send(queued);
    else network.sendAssociationReleaseRequest();
  };
}

/**
 * The library releases as soon as its requests are done: instead, the
 * release waits for `hold()` (made when they are done), then goes out.
 */
export function holdRelease(client: Client, hold: () => Promise<unknown>): void {
  const network = networkOf(client);
  if (!network) return;
  network.removeAllListeners('done');
  network.on('done', () => {
    void hold().then(() =>
      setImmediate(() => {
        try {
          network.sendAssociationReleaseRequest();
        } catch {
          // already closed
        }
      }),
    );
  });
}

/** Drops the requests the Client has not sent yet (a C-CANCEL stopped them); a no-op before `send()`. */
export function dropQueuedRequests(client: Client): void {
  const queue = networkOf(client)?.requests;
  if (queue) queue.length = 0;
}
