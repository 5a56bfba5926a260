/**
 * One relayed connection: a client accepted on a route's listen address is
 * connected to the route's upstream, then bytes are relayed both ways at
 * once and unchanged (docs/architecture.md §6), and reported to the capture as
 * ONE connection "client talked to upstream": requestor = the client's
 * address, acceptor = the upstream's.
 *
 * - Forward first, capture second: each chunk is handed to the other socket
 *   before the capture sees it. A capture error never reaches the relay.
 * - Reads go into reusable slabs (read-slabs.ts), not a fresh Buffer per
 *   read: moving 1 GiB between busy sockets, that allocation and the small
 *   reads took more than half of a Node relay's CPU. A chunk's slab is
 *   held until its write is done and, for a capture that borrows bytes
 *   (`lend`), until the capture releases them; a capture that only has
 *   `sink` gets a copy of its own.
 * - Backpressure: when the other side's write buffer is full (`write` returns
 *   false) the reading side stops until 'drain'; nothing is buffered
 *   beyond Node's stream high-water mark, the kernel's buffers do the rest.
 * - Half-close: both sockets allow half-open; a FIN from one side becomes
 *   `end()` on the other (after what was written before it), and the other
 *   direction keeps flowing.
 * - Reset: ECONNRESET/EPIPE from one side resets the other
 *   (`resetAndDestroy`: the other peer gets an RST, not a FIN), also when
 *   libuv reported the reset as an end of stream (see onEndOf) or the
 *   upstream reset the connection as it was set up; any other socket error
 *   destroys the other side.
 * - Upstream refuses or does not answer within the connect timeout: the
 *   client socket is closed (a FIN, as a real network shows a dead peer behind
 *   a live one) and the capture gets a `refused` event "upstream H:P refused".
 * - The client is accepted paused (`pauseOnConnect`): what it sends before
 *   the upstream answers waits in the kernel, not in this process.
 */
import net from 'node:net';
import type { Endpoint, Side, WireEvent } from '../../shared/capture/wire-event.ts';
import { Lease, SlabPool, SlabReader, type ReadSlab } from './read-slabs.ts';
import { formatEndpoint } from './route-spec.ts';
import { readIntoOwnBuffers } from './user-buffer-read.ts';

/** The slabs of every relay that is not given a pool of its own. */
const sharedSlabs = new SlabPool();

/** Where a relay sends its wire events. The CaptureHub satisfies it. */
export interface ProxyCapture {
  nextConnection(): number;
  sink(event: WireEvent): void;
  /**
   * A data event whose bytes the relay lends (they are part of a read slab):
   * the capture calls `lease.release()` when it keeps no reference to them
   * any more; until then the slab is not read into again. A capture without
   * it gets a copy of the bytes through `sink`.
   */
  lend?(event: WireEvent & { kind: 'data' }, lease: Lease): void;
  /**
   * The two TCP legs (client → proxy, proxy → upstream) of connection `conn`,
   * told before its `open`: a tap of this same process on either leg (an own
   * SCU calling through the proxy, the built-in PACS behind it) then sees the
   * same connection, not another one (CaptureHub's mirror dedupe).
   */
  alsoKnownAs?(conn: number, legs: { requestor: Endpoint; acceptor: Endpoint }[]): void;
}

export type RelayState = 'connecting' | 'relaying' | 'ended';
/** How a relayed connection ended: normally, refused by the upstream, reset, another error, or stopped by us. */
export type RelayEnd = 'closed' | 'refused' | 'reset' | 'error' | 'stopped';

export interface RelayOptions {
  upstream: Endpoint;
  connectTimeoutMs: number;
  capture: ProxyCapture;
  now: () => number;
  /** Bytes relayed, as they go (the route's counters). */
  onBytes?: (from: Side, n: number) => void;
  /** Once, when both sockets are gone; `refused` when the upstream never answered. */
  onEnd?: (relay: RelayConnection, how: RelayEnd) => void;
  /** Where reads go (default: one pool shared by the process's relays). */
  slabs?: SlabPool;
}

export class RelayConnection {
  readonly conn: number;
  readonly client: net.Socket;
  readonly clientAddress: Endpoint;
  state: RelayState = 'connecting';
  /** Bytes sent by each side, relayed to the other. */
  readonly bytes: Record<Side, number> = { requestor: 0, acceptor: 0 };
  /** Why the connection ended badly (refused reason, reset, error), if it did. */
  failure: string | null = null;
  private upstreamSocket: net.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private terminal = false;
  private endHow: RelayEnd = 'closed';
  private socketsOpen = 0;
  private finished = false;
  private resolveDone: () => void = () => undefined;
  private readonly readers: Record<Side, SlabReader | null> = { requestor: null, acceptor: null };
  /** How the client socket is read: into slabs, or (a Node without the internals) with 'data' events. */
  clientReads: 'slabs' | 'data' | null = null;
  /** A side whose reading is stopped until the other side's 'drain'. */
  private readonly waiting: Record<Side, boolean> = { requestor: false, acceptor: false };
  /** Resolves once both sockets are closed. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    client: net.Socket,
    private readonly o: RelayOptions,
  ) {
    this.client = client;
    this.conn = o.capture.nextConnection();
    this.clientAddress = { host: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
    this.connectUpstream();
  }

  /** Ends the connection now (the proxy or its route is stopped): both sides are closed. */
  stop(reason: string): void {
    if (this.state === 'ended') return;
    if (this.state === 'connecting') {
      this.refuse(`${reason} before upstream ${formatEndpoint(this.o.upstream)} answered`);
      this.endHow = 'stopped';
      return;
    }
    if (!this.terminal) {
      this.terminal = true;
      this.endHow = 'stopped';
      this.failure = reason;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from: null, how: 'error', reason });
    }
    this.client.destroy();
    this.upstreamSocket?.destroy();
  }

  private connectUpstream(): void {
    const { upstream, connectTimeoutMs } = this.o;
    // The client cannot go anywhere while we connect: it is paused, and an
    // error on it (none expected: it is not read or written) just ends this.
    this.client.on('error', (err: NodeJS.ErrnoException) => this.onError('requestor', err));
    this.socketsOpen += 1;
    this.client.once('close', () => this.onSocketClose());
    // The client leg is known now: an own SCU on it (same process) is the same connection.
    this.o.capture.alsoKnownAs?.(this.conn, [{ requestor: this.clientAddress, acceptor: { host: this.client.localAddress ?? '', port: this.client.localPort ?? 0 } }]);
    const reader = new SlabReader(this.o.slabs ?? sharedSlabs);
    this.readers.acceptor = reader;
    const up = net.connect({
      host: upstream.host,
      port: upstream.port,
      allowHalfOpen: true,
      onread: { buffer: reader.region, callback: (n: number) => this.onRead('acceptor', n) },
    });
    this.upstreamSocket = up;
    // The upstream leg as soon as its local port is bound (the tick after
    // connect() was called): an own SCP behind the proxy accepts it in the
    // next poll, which can come before our 'connect'.
    process.nextTick(() => {
      const local = boundAddress(up);
      if (local) this.o.capture.alsoKnownAs?.(this.conn, [{ requestor: local, acceptor: { ...upstream } }]);
    });
    this.socketsOpen += 1;
    up.once('close', () => {
      reader.close();
      this.onSocketClose();
    });
    // The proxy must not add Nagle delays of its own: the peers' timing stays theirs.
    up.setNoDelay(true);
    this.client.setNoDelay(true);
    const seconds = connectTimeoutMs / 1000;
    this.timer = setTimeout(() => this.refuse(`upstream ${formatEndpoint(upstream)} did not answer within ${seconds} s`), connectTimeoutMs);
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (this.state !== 'connecting') return this.onError('acceptor', err);
      if (err.code === 'ECONNRESET') return this.refuse(`upstream ${formatEndpoint(upstream)} reset the connection as it was set up (ECONNRESET)`, true);
      const why = err.code === 'ECONNREFUSED' ? 'refused' : `unreachable: ${err.code ?? err.message}`;
      this.refuse(`upstream ${formatEndpoint(upstream)} ${why}`);
    });
    up.once('connect', () => this.onConnected(up));
  }

  private onConnected(up: net.Socket): void {
    if (this.state !== 'connecting') return;
    this.clearTimer();
    this.state = 'relaying';
    const upstreamAddress: Endpoint = { host: up.remoteAddress ?? this.o.upstream.host, port: up.remotePort ?? this.o.upstream.port };
    this.o.capture.alsoKnownAs?.(this.conn, [{ requestor: { host: up.localAddress ?? '', port: up.localPort ?? 0 }, acceptor: upstreamAddress }]);
    this.emit({ kind: 'open', conn: this.conn, time: this.o.now(), requestor: this.clientAddress, acceptor: upstreamAddress });
    const reader = new SlabReader(this.o.slabs ?? sharedSlabs);
    if (readIntoOwnBuffers(this.client, { buffer: reader.region, callback: (n: number) => this.onRead('requestor', n) })) {
      this.readers.requestor = reader;
      this.clientReads = 'slabs';
      this.client.once('close', () => reader.close());
    } else {
      reader.close();
      this.clientReads = 'data';
      this.client.on('data', (chunk: Buffer) => {
        if (!this.forward('requestor', chunk, null)) this.client.pause();
      });
    }
    this.onEndOf(this.client, up, 'requestor');
    this.onEndOf(up, this.client, 'acceptor');
    this.client.resume();
  }

  /** `n` bytes were read from `from`'s socket into its slab; false stops reading until the other side drains. */
  private onRead(from: Side, n: number): boolean {
    const reader = this.readers[from];
    if (!reader) return true;
    const { bytes, slab } = reader.took(n);
    return this.forward(from, bytes, slab);
  }

  /**
   * Relays `bytes` sent by `from` to the other side, then hands them to the
   * capture. False when the other side's buffer is full: the reading side
   * must stop, it is resumed on 'drain'.
   */
  private forward(from: Side, bytes: Buffer, slab: ReadSlab | null): boolean {
    const src = from === 'requestor' ? this.client : this.upstreamSocket!;
    const dst = from === 'requestor' ? this.upstreamSocket! : this.client;
    let ok = true;
    if (!dst.destroyed) {
      if (slab) {
        slab.hold();
        ok = dst.write(bytes, () => slab.release());
      } else {
        ok = dst.write(bytes);
      }
    }
    this.bytes[from] += bytes.length;
    this.o.onBytes?.(from, bytes.length);
    this.capture(from, bytes, slab);
    if (!ok && !this.waiting[from]) {
      this.waiting[from] = true;
      dst.once('drain', () => {
        this.waiting[from] = false;
        src.resume();
      });
    }
    return ok;
  }

  private capture(from: Side, bytes: Buffer, slab: ReadSlab | null): void {
    const capture = this.o.capture;
    const time = this.o.now();
    if (slab === null) {
      // Node's own buffer for this read: nobody reads into it again.
      return this.emit({ kind: 'data', conn: this.conn, time, from, bytes });
    }
    if (!capture.lend) return this.emit({ kind: 'data', conn: this.conn, time, from, bytes: Buffer.from(bytes) });
    const lease = new Lease(slab);
    try {
      capture.lend({ kind: 'data', conn: this.conn, time, from, bytes }, lease);
    } catch {
      // The capture must never stop the relay (docs/architecture.md §6); its bytes go back.
      lease.release();
    }
  }

  /**
   * `from`'s FIN goes on to the other side, after the bytes written before it.
   *
   * An 'end' is not always a FIN: libuv reports a reset that arrives while
   * received bytes are still queued as end of stream (uv__stream_io takes
   * POLLHUP after a partial read as EOF and never reads the ECONNRESET). So
   * the kernel is asked first, with a write of zero bytes: on a socket whose
   * peer sent a FIN it succeeds (CLOSE-WAIT, RFC 9293 §3.6), on one reset by
   * its peer it fails with ECONNRESET (EPIPE once the error was taken) —
   * that error reaches onError, which passes a reset on.
   */
  private onEndOf(src: net.Socket, dst: net.Socket, from: Side): void {
    src.once('end', () => {
      if (this.terminal) return;
      const passFin = () => {
        if (this.terminal) return;
        this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from, how: 'fin' });
        if (!dst.destroyed) dst.end();
      };
      // Our own FIN went to `src` already: it cannot be written to any more, and a reset after both FINs changes nothing for either side.
      // Bytes still queued for `src` (its peer reads slowly or not at all): the probe would wait behind them, and the FIN must not.
      if (src.destroyed || src.writableEnded || src.writableLength > 0) return passFin();
      src.write(NO_BYTES, (err) => {
        if (!err) passFin();
        // else: the 'error' event carries it to onError.
      });
    });
  }

  /** A socket error once relaying: a reset is passed on as a reset, anything else as a close. */
  private onError(side: Side, err: NodeJS.ErrnoException): void {
    if (this.state === 'connecting' && side === 'requestor') {
      this.refuse(`client ${formatEndpoint(this.clientAddress)} went away (${err.code ?? err.message}) before upstream ${formatEndpoint(this.o.upstream)} answered`);
      return;
    }
    if (this.terminal) return;
    this.terminal = true;
    const peer = side === 'requestor' ? this.upstreamSocket : this.client;
    // EPIPE: we wrote to a side that had already reset; the reset is what happened on the wire.
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      this.endHow = 'reset';
      this.failure = `reset by ${side === 'requestor' ? 'client' : 'upstream'}`;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from: side, how: 'reset', reason: `${this.failure} (${err.code})` });
      if (peer) passReset(peer);
    } else {
      this.endHow = 'error';
      this.failure = `${side === 'requestor' ? 'client' : 'upstream'} socket error: ${err.message}`;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from: null, how: 'error', reason: this.failure });
      peer?.destroy();
    }
    (side === 'requestor' ? this.client : this.upstreamSocket)?.destroy();
  }

  /**
   * The upstream never became a relayed connection. `reset`: it accepted and
   * reset at once (the RST came with, or before, the end of the handshake:
   * Node reports it as a connect error), and the client is reset too; for a
   * refusal or no answer the client sees its connection close.
   */
  private refuse(reason: string, reset = false): void {
    if (this.state !== 'connecting') return;
    this.clearTimer();
    this.state = 'ended';
    this.terminal = true;
    this.endHow = 'refused';
    this.failure = reason;
    const local = this.upstreamSocket;
    this.emit({
      kind: 'refused',
      conn: this.conn,
      time: this.o.now(),
      requestor: this.clientAddress,
      acceptor: { ...this.o.upstream },
      reason,
    });
    local?.destroy();
    // What a real network shows when nothing answers behind a live address: the connection closes.
    if (reset) passReset(this.client);
    else this.client.destroy();
  }

  private onSocketClose(): void {
    this.socketsOpen -= 1;
    if (this.socketsOpen > 0) {
      // One side is gone for good: the other cannot be relayed to any more.
      // (After both FINs this is the normal end; after an error it was destroyed already.)
      return;
    }
    this.clearTimer();
    if (this.state !== 'ended') this.state = 'ended';
    if (!this.finished) {
      this.finished = true;
      this.o.onEnd?.(this, this.endHow);
      this.resolveDone();
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(event: WireEvent): void {
    try {
      this.o.capture.sink(event);
    } catch {
      // The capture must never stop the relay (docs/architecture.md §6).
    }
  }
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Resets `socket` (an RST, not a FIN). libuv refuses to reset a socket whose
 * shutdown (our FIN after end()) is still queued behind unwritten bytes —
 * and Node then drops the handle without closing it — so such a socket is
 * reset once the FIN is out, or closed after a second if it never gets out.
 */
function passReset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (!socket.writableEnded || socket.writableFinished) {
    socket.resetAndDestroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    if (!socket.destroyed) socket.resetAndDestroy();
  });
}

/**
 * The local address of a socket still connecting. `socket.localPort` is
 * undefined until 'connect', but the kernel bound the port in connect();
 * Node's handle tells it. Undefined if that internal is not there.
 */
function boundAddress(socket: net.Socket): Endpoint | undefined {
  const handle = (socket as unknown as { _handle?: { getsockname?: (out: { address?: string; port?: number }) => number } })._handle;
  const out: { address?: string; port?: number } = {};
  if (!handle?.getsockname || handle.getsockname(out) !== 0 || !out.port || out.address === undefined) return undefined;
  return { host: out.address, port: out.port };
}
