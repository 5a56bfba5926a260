/**
 * What pacscope reaches inside a dcmjs-dimse Scp (one per association): its
 * association, the events its Network emits on itself ('close',
 * 'associationReleaseRequested', 'networkError'), its entry points and its
 * command stream. None of it is in the library's typings (dcmjs-dimse 0.3.3;
 * its GitHub source is the reference): this file is the only place that
 * knows these names (docs/architecture.md, "Known traps").
 */
import type net from 'node:net';
import type { EventEmitter } from 'node:events';
import type { Association, Scp } from './library.ts';

/** An Scp class of ours: made on a connection, our state in `opts.customOptions`. */
export type ScpClass = new (socket: net.Socket, opts?: Record<string, unknown>) => Scp;

/** The association of an Scp (set when the A-ASSOCIATE-RQ arrived). */
export function scpAssociation(scp: Scp): Association {
  return (scp as unknown as { association: Association }).association;
}

/** Calls `listener` once when the Scp's connection closes; returns the way to stop listening. */
export function onceScpClosed(scp: Scp, listener: () => void): () => void {
  scp.once('close', listener);
  return () => scp.off('close', listener);
}

/** Calls `listener` once when the peer asks for release (A-RELEASE-RQ). */
export function onceReleaseRequested(scp: Scp, listener: () => void): void {
  scp.once('associationReleaseRequested', listener);
}

/** What the guard of a connection offers the Scp made on it. */
export interface ScpGuard {
  /** An exception in our SCP code or the library: aborts this association only. */
  internalFailure(error: unknown, where: string): void;
}

/** The SCP methods the library calls on events: an exception in one ends that association, never the process. */
const SCP_ENTRY_POINTS = [
  'associationRequested',
  'associationReleaseRequested',
  'cEchoRequest',
  'cFindRequest',
  'cStoreRequest',
  'cMoveRequest',
  'cGetRequest',
  'nCreateRequest',
  'nActionRequest',
  'nDeleteRequest',
  'nEventReportRequest',
  'nGetRequest',
  'nSetRequest',
  'cCancelRequest',
  'abort',
  'createStoreWritableStream',
  'createDatasetFromStoreWritableStream',
] as const;

/**
 * Makes `ScpClass` on `socket` (the guard's stand-in for the TCP socket,
 * ../endpoints/guard/library-socket.ts, which implements the part of net.Socket the
 * library uses) and guards it.
 *
 * The library's event listeners run its handlers asynchronously and rethrow
 * what they throw as an uncaught exception (async-event-emitter2): each entry
 * point is wrapped so that an exception aborts its own association instead
 * (docs/architecture.md, "Known traps"). The maximum length announced in the
 * A-ASSOCIATE-AC is the guard's `maxPdu` (the library would announce the
 * peer's own value, and 0 — no limit — when the peer says 0).
 */
export function createGuardedScp(ScpClass: ScpClass, socket: EventEmitter, opts: Record<string, unknown>, guard: ScpGuard, maxPdu: number): Scp {
  const scp = new ScpClass(socket as unknown as net.Socket, opts);
  const target = scp as unknown as Record<string, unknown>;
  for (const name of SCP_ENTRY_POINTS) {
    const f = target[name];
    if (typeof f !== 'function') continue;
    target[name] = function (this: unknown, ...args: unknown[]) {
      try {
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      } catch (e) {
        guard.internalFailure(e, name);
        return undefined;
      }
    };
  }
  const accept = target.sendAssociationAccept as () => void;
  target.sendAssociationAccept = function (this: Scp) {
    const association = scpAssociation(this);
    const peer = association.getMaxPduLength();
    association.setMaxPduLength(peer === 0 ? maxPdu : Math.min(peer, maxPdu));
    return accept.call(this);
  };
  scp.on('networkError', (e: unknown) => guard.internalFailure(e, 'dcmjs-dimse'));
  return scp;
}

/**
 * dcmjs-dimse 0.3.3 keeps the stream of a command that has no data set
 * after handling it (Network._processPDataTf resets it only after a command
 * with a data set), so every later command is parsed together with all the
 * earlier ones: quadratic work over a long association (6000 C-CANCEL-RQs
 * took 98 s), and earlier command elements show through in later ones
 * (docs/architecture.md, "Known traps"). At a message boundary (no message
 * in progress in the library) the stale stream is dropped before the next
 * command is handed on.
 */
export function dropStaleCommandStream(scp: Scp | null): void {
  const network = scp as { dimse?: unknown; dimseStream?: unknown } | null;
  if (network && network.dimse === undefined) network.dimseStream = undefined;
}
