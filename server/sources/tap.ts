/**
 * The capture tap: a live Node socket becomes wire events, the same events a
 * pcap import or a recording gives (docs/architecture.md §2).
 *
 * Received bytes are seen by a `data` listener *prepended* to the socket's
 * listeners (dcmjs-dimse answers synchronously inside its own data handler,
 * so a later listener would see the answer before the question); sent bytes
 * by an instance override of `write` and `end`. Bytes are copied: a library
 * may reuse its buffers. Nagle is switched off (`setNoDelay`), see the
 * "Known traps" of docs/architecture.md.
 *
 * The tap is passive: it does not switch the socket to flowing mode (a
 * prepended listener does not), so it sees received bytes when the
 * application reads them. It adds an 'error' listener, so a socket error
 * becomes a `close` event instead of an uncaught exception.
 */
import net from 'node:net';
import type { Endpoint, Side, WireEvent } from '../../shared/capture/wire-event.ts';

export type WireSink = (event: WireEvent) => void;

/** Connection numbers for one source: 1, 2, 3 … in order of `next()` calls. */
export class ConnectionCounter {
  private last = 0;
  next(): number {
    return ++this.last;
  }
}

export interface TapOptions {
  conn: number;
  /** 'requestor' for a socket we opened (our writes are the requestor's), 'acceptor' for one our server accepted. */
  localSide: Side;
  sink: WireSink;
  /** Clock, ms since the epoch (default Date.now + sub-ms from performance.now). */
  now?: () => number;
  /** For a socket still connecting: where it connects to, so that a failed connect becomes a `refused` event. */
  target?: Endpoint;
}

const t0 = Date.now() - performance.now();
/** Milliseconds since the epoch, fractional. */
export const wallClock = (): number => t0 + performance.now();


function toBytes(chunk: unknown, encoding?: unknown): Uint8Array | null {
  if (typeof chunk === 'string') return new Uint8Array(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  if (chunk instanceof Uint8Array) return new Uint8Array(chunk); // a copy (the caller may reuse its buffer)
  return null;
}

/** Why this side closes a socket (a guard's ARTIM expiry, an abort): carried on the close event it records. */
const closeReasons = new WeakMap<net.Socket, string>();

/** Says why this side is about to end or reset `socket`: the tap's close event carries the reason. */
export function setCloseReason(socket: net.Socket, reason: string): void {
  closeReasons.set(socket, reason);
}

/** Starts emitting the socket's traffic as wire events: `open` now (or on connect), then data, then close. */
export function tapSocket(socket: net.Socket, options: TapOptions): void {
  const { conn, localSide, sink } = options;
  const now = options.now ?? wallClock;
  const peerSide: Side = localSide === 'requestor' ? 'acceptor' : 'requestor';
  let localFin = false;
  let ended = false; // a reset or error ended the connection
  let opened = false;
  socket.setNoDelay(true);

  const emitOpen = () => {
    opened = true;
    const local: Endpoint = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    const remote: Endpoint = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    sink({ kind: 'open', conn, time: now(), requestor: localSide === 'requestor' ? local : remote, acceptor: localSide === 'requestor' ? remote : local });
  };
  // Prepended: a library that writes its first PDU in its own 'connect' handler must not write before `open`.
  if (socket.connecting) socket.prependOnceListener('connect', emitOpen);
  else emitOpen();

  socket.prependListener('data', (chunk: Buffer | string) => {
    const bytes = toBytes(chunk, socket.readableEncoding ?? undefined);
    if (bytes && bytes.length > 0) sink({ kind: 'data', conn, time: now(), from: peerSide, bytes });
  });

  const sent = (chunk: unknown, encoding: unknown) => {
    if (ended || localFin) return;
    const bytes = toBytes(chunk, encoding);
    if (bytes && bytes.length > 0) sink({ kind: 'data', conn, time: now(), from: localSide, bytes });
  };
  const write = socket.write;
  socket.write = function (this: net.Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    sent(chunk, encoding);
    return (write as (c: unknown, e?: unknown, cb?: unknown) => boolean).call(this, chunk, encoding, cb);
  } as typeof socket.write;
  const end = socket.end;
  socket.end = function (this: net.Socket, chunk?: unknown, encoding?: unknown, cb?: unknown): net.Socket {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') sent(chunk, encoding);
    return (end as (c?: unknown, e?: unknown, cb?: unknown) => net.Socket).call(this, chunk, encoding, cb);
  } as typeof socket.end;
  const resetAndDestroy = socket.resetAndDestroy;
  socket.resetAndDestroy = function (this: net.Socket): net.Socket {
    if (!ended) {
      ended = true;
      const why = closeReasons.get(socket);
      sink({ kind: 'close', conn, time: now(), from: localSide, how: 'reset', reason: why ? `reset by this side: ${why}` : 'reset by this side' });
    }
    return resetAndDestroy.call(this);
  };

  // Our FIN: 'finish' fires once end() was called and every write was handed to the kernel.
  socket.once('finish', () => {
    if (ended || localFin) return;
    localFin = true;
    const why = closeReasons.get(socket);
    sink({ kind: 'close', conn, time: now(), from: localSide, how: 'fin', ...(why ? { reason: why } : {}) });
  });
  // The peer's FIN.
  socket.once('end', () => {
    if (!ended) sink({ kind: 'close', conn, time: now(), from: peerSide, how: 'fin' });
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (ended) return;
    ended = true;
    if (!opened) {
      // The connection never came about: ECONNREFUSED, unreachable, timeout.
      const reason = err.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : `connection failed: ${err.message}`;
      const target = options.target ?? { host: '', port: 0 };
      sink({ kind: 'refused', conn, time: now(), requestor: { host: socket.localAddress ?? '', port: socket.localPort ?? 0 }, acceptor: target, reason });
      return;
    }
    if (err.code === 'ECONNRESET') sink({ kind: 'close', conn, time: now(), from: peerSide, how: 'reset', reason: err.message });
    else sink({ kind: 'close', conn, time: now(), from: null, how: 'error', reason: err.message });
  });
  // destroy() without end(): the kernel closes the socket, which sends our FIN.
  socket.once('close', () => {
    if (ended || localFin || !opened) return;
    localFin = true;
    sink({ kind: 'close', conn, time: now(), from: localSide, how: 'fin', reason: 'socket destroyed by this side' });
  });
}

export interface TapConnectOptions {
  host: string;
  port: number;
  conn: number;
  sink: WireSink;
  /** Give up after this long without a connection (default 10 s): a `refused` event. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Opens a tapped client connection. Resolves with the socket once connected
 * (`open` emitted); on ECONNREFUSED, any other connect error or the timeout,
 * emits `refused` and rejects with the error.
 */
export function tapConnect(options: TapConnectOptions): Promise<net.Socket> {
  const { host, port, conn, sink } = options;
  const now = options.now ?? wallClock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const fail = (reason: string, error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sink({ kind: 'refused', conn, time: now(), requestor: { host: socket.localAddress ?? '', port: socket.localPort ?? 0 }, acceptor: { host, port }, reason });
      socket.destroy();
      reject(error);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : `connection failed: ${err.message}`;
      fail(reason, err);
    };
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`, new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', onError);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      tapSocket(socket, { conn, localSide: 'requestor', sink, now });
      resolve(socket);
    });
  });
}
