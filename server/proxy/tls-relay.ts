/**
 * A relayed connection with TLS on either leg (PS3.15 Annex B): the proxy
 * terminates TLS — as the server towards the client on a `tls:` listen
 * address, as the client towards a `tls:` upstream — and relays the
 * decrypted DICOM, recorded once as a connection client → upstream with the
 * `tls` event of each TLS leg (shared/capture/wire-event.ts). What a real
 * TLS server would do, the proxy does: a client whose first bytes are no
 * TLS handshake is recorded as it came and closed; a handshake that fails on
 * either leg is recorded with its cause, and the other leg is closed.
 *
 * Order: the client's handshake first (its first byte decides), then the
 * upstream's connection and handshake, then relaying. Relaying is what
 * relay.ts does for plain legs — forward first, then capture; backpressure
 * through pause and 'drain'; a FIN passed on as a FIN, a reset as a reset (a
 * TLS socket is reset through its TCP socket) — with 'data' events: a TLS
 * socket cannot read into the relay's slabs, and decryption costs more than
 * the allocations the slabs save.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Endpoint, Side, WireEvent, WireTls } from '../../shared/capture/wire-event.ts';
import { looksLikeTlsHandshake } from '../../shared/capture/tls/tls-records.ts';
import { readClearHandshake } from '../../shared/capture/tls/handshake.ts';
import { establishedFacts, failedFacts, keepPeerCertificate } from '../tls/tls-facts.ts';
import { resettable } from '../tls/tls-accept.ts';
import { logKeys } from '../tls/keylog.ts';
import { clientOptions, serverOptions, type TlsMaterial } from '../tls/tls-settings.ts';
import { formatEndpoint } from './route-spec.ts';
import type { ProxyCapture, RelayEnd } from './relay.ts';

export interface TlsRelayOptions {
  upstream: Endpoint;
  connectTimeoutMs: number;
  capture: ProxyCapture;
  now: () => number;
  /** TLS towards the client (the route listens with `tls:`), and towards the upstream. */
  clientTls: { server: tls.Server; material: TlsMaterial } | null;
  upstreamTls: TlsMaterial | null;
  onBytes?: (from: Side, n: number) => void;
  onEnd?: (relay: TlsRelayConnection, how: RelayEnd) => void;
}

/** One tls.Server per route with a TLS listen address: its sockets are handed back by their TCP socket. */
export function routeTlsServer(material: TlsMaterial, timeoutMs: number): tls.Server {
  const server = tls.createServer({ ...serverOptions(material), handshakeTimeout: timeoutMs });
  logKeys(server, material.settings.keylogFile);
  return server;
}

const waiting = new WeakMap<net.Socket, { secure(s: tls.TLSSocket): void; failed(e: NodeJS.ErrnoException, s: tls.TLSSocket): void }>();
const wired = new WeakSet<tls.Server>();
const parentOf = (s: tls.TLSSocket): net.Socket | undefined => (s as unknown as { _parent?: net.Socket })._parent;

function wire(server: tls.Server): void {
  if (wired.has(server)) return;
  wired.add(server);
  server.on('secureConnection', (s: tls.TLSSocket) => {
    const raw = parentOf(s);
    const w = raw && waiting.get(raw);
    if (w) w.secure(s);
    else s.destroy();
  });
  server.on('tlsClientError', (e: NodeJS.ErrnoException, s: tls.TLSSocket) => {
    const raw = parentOf(s);
    const w = raw && waiting.get(raw);
    if (w) w.failed(e, s);
  });
}

export class TlsRelayConnection {
  readonly conn: number;
  readonly clientAddress: Endpoint;
  failure: string | null = null;
  readonly bytes: Record<Side, number> = { requestor: 0, acceptor: 0 };
  private client: net.Socket;
  private up: net.Socket | null = null;
  private readonly pendingEvents: WireEvent[] = [];
  private opened = false;
  private terminal = false;
  private endHow: RelayEnd = 'closed';
  private open = 0;
  private finished = false;
  private timer: NodeJS.Timeout | null = null;
  private resolveDone: () => void = () => undefined;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly raw: net.Socket,
    private readonly o: TlsRelayOptions,
  ) {
    this.client = raw;
    this.conn = o.capture.nextConnection();
    this.clientAddress = { host: raw.remoteAddress ?? '', port: raw.remotePort ?? 0 };
    this.open += 1;
    raw.once('close', () => this.onSocketClose());
    raw.on('error', (err: NodeJS.ErrnoException) => this.onError('requestor', err));
    raw.setNoDelay(true);
    this.o.capture.alsoKnownAs?.(this.conn, [{ requestor: this.clientAddress, acceptor: { host: raw.localAddress ?? '', port: raw.localPort ?? 0 } }]);
    this.timer = setTimeout(() => this.fail(`no TLS handshake and upstream within ${o.connectTimeoutMs / 1000} s`), o.connectTimeoutMs + (o.clientTls ? o.connectTimeoutMs : 0));
    if (o.clientTls) this.clientHandshake(o.clientTls);
    else this.connectUpstream(null);
  }

  stop(reason: string): void {
    if (this.terminal) return;
    this.fail(reason, 'stopped');
  }

  private clientHandshake(t: { server: tls.Server; material: TlsMaterial }): void {
    wire(t.server);
    const local = { host: this.raw.localAddress ?? '', port: this.raw.localPort ?? 0 };
    const where = { local, allowed: t.material.allowed };
    this.raw.once('data', (chunk: Buffer) => {
      this.raw.pause();
      if (!looksLikeTlsHandshake(chunk)) {
        // Plain DICOM (or anything) on the TLS address: recorded as it came, closed as a TLS server would.
        const words = chunk[0] === 0x01 ? 'plain DICOM (an A-ASSOCIATE-RQ)' : `no TLS handshake (first bytes ${chunk.subarray(0, 4).toString('hex')})`;
        this.openEvent(this.o.upstream);
        this.emit({ kind: 'data', conn: this.conn, time: this.o.now(), from: 'requestor', bytes: new Uint8Array(chunk) });
        this.emit({ kind: 'tls', conn: this.conn, time: this.o.now(), leg: 'requestor', role: 'server', ...where, outcome: 'not-tls', version: null, cipher: null, sni: null, peerCertificate: null, peerVerified: null, verifyError: null, error: { code: null, message: `${words} on a TLS port`, alert: null, alertFrom: null } });
        this.fail(`${words} sent to the TLS address ${formatEndpoint(local)}: closed`, 'error', 'acceptor');
        return;
      }
      const hello = readClearHandshake(chunk).clientHello;
      this.raw.unshift(chunk);
      waiting.set(this.raw, {
        secure: (s) => {
          waiting.delete(this.raw);
          if (this.terminal) return void s.destroy();
          resettable(s, this.raw);
          this.client = s;
          s.on('error', (err: NodeJS.ErrnoException) => this.onError('requestor', err));
          this.pendingEvents.push({ ...establishedFacts(s, { conn: this.conn, time: this.o.now(), leg: 'requestor', role: 'server' }), ...where });
          this.connectUpstream(s);
        },
        failed: (e, s) => {
          waiting.delete(this.raw);
          this.openEvent(this.o.upstream);
          const offered = hello ? { versions: hello.versions, cipherSuites: hello.cipherSuites } : null;
          this.emit({ ...failedFacts(s, e, { conn: this.conn, time: this.o.now(), leg: 'requestor', role: 'server' }), ...where, offered });
          s.destroy();
          this.fail(`TLS handshake with the client failed: ${e.message.split('\n')[0]}`, 'error', 'acceptor');
        },
      });
      t.server.emit('connection', this.raw);
    });
    this.raw.resume();
  }

  private connectUpstream(clientTls: tls.TLSSocket | null): void {
    const { upstream } = this.o;
    clientTls?.pause();
    const t = this.o.upstreamTls;
    const up = t
      ? tls.connect({ ...clientOptions(t), host: upstream.host, port: upstream.port, ...(net.isIP(upstream.host) ? {} : { servername: upstream.host }) })
      : net.connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true });
    this.up = up;
    if (t) logKeys(up, t.settings.keylogFile);
    if (t) keepPeerCertificate(up as tls.TLSSocket);
    this.open += 1;
    up.once('close', () => this.onSocketClose());
    up.setNoDelay(true);
    let tcp = false;
    up.once('connect', () => {
      tcp = true;
      this.o.capture.alsoKnownAs?.(this.conn, [{ requestor: { host: up.localAddress ?? '', port: up.localPort ?? 0 }, acceptor: { ...upstream } }]);
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (this.opened && !this.terminal && this.relaying) return this.onError('acceptor', err);
      if (!tcp) {
        const why = err.code === 'ECONNREFUSED' ? 'refused' : `unreachable: ${err.code ?? err.message}`;
        return this.refuse(`upstream ${formatEndpoint(upstream)} ${why}`);
      }
      // Connected, handshake failed.
      this.openEvent({ host: up.remoteAddress ?? upstream.host, port: up.remotePort ?? upstream.port });
      if (t) this.emit({ ...failedFacts(up as tls.TLSSocket, err, { conn: this.conn, time: this.o.now(), leg: 'acceptor', role: 'client' }), local: { host: up.localAddress ?? '', port: up.localPort ?? 0 }, allowed: t.allowed });
      this.fail(`TLS handshake with upstream ${formatEndpoint(upstream)} failed: ${err.message.split('\n')[0]}`, 'error', 'acceptor');
    });
    up.once(t ? 'secureConnect' : 'connect', () => {
      if (this.terminal) return;
      this.openEvent({ host: up.remoteAddress ?? upstream.host, port: up.remotePort ?? upstream.port });
      if (t) {
        resettable(up as tls.TLSSocket, up);
        this.emit({ ...establishedFacts(up as tls.TLSSocket, { conn: this.conn, time: this.o.now(), leg: 'acceptor', role: 'client' }), local: { host: up.localAddress ?? '', port: up.localPort ?? 0 }, allowed: t.allowed });
      }
      this.relay();
    });
  }

  private relaying = false;

  private relay(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.relaying = true;
    const client = this.client;
    const up = this.up!;
    this.pipe(client, up, 'requestor');
    this.pipe(up, client, 'acceptor');
    client.resume();
  }

  private pipe(src: net.Socket, dst: net.Socket, from: Side): void {
    src.on('data', (chunk: Buffer) => {
      const ok = dst.destroyed ? true : dst.write(chunk);
      this.bytes[from] += chunk.length;
      this.o.onBytes?.(from, chunk.length);
      this.emit({ kind: 'data', conn: this.conn, time: this.o.now(), from, bytes: chunk });
      if (!ok) {
        src.pause();
        dst.once('drain', () => src.resume());
      }
    });
    src.once('end', () => {
      if (this.terminal) return;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from, how: 'fin' });
      if (!dst.destroyed) dst.end();
    });
  }

  private onError(side: Side, err: NodeJS.ErrnoException): void {
    if (this.terminal) return;
    if (!this.relaying) return this.fail(`${side === 'requestor' ? 'client' : 'upstream'} went away (${err.code ?? err.message}) before relaying began`, 'error', side);
    this.terminal = true;
    const peer = side === 'requestor' ? this.up : this.client;
    const alert = /alert/i.test(err.message ?? '');
    if (alert && side === 'acceptor' && this.o.upstreamTls) this.emit({ ...failedFacts(this.up as tls.TLSSocket, err, { conn: this.conn, time: this.o.now(), leg: 'acceptor', role: 'client' }), allowed: this.o.upstreamTls.allowed });
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      this.endHow = 'reset';
      this.failure = `reset by ${side === 'requestor' ? 'client' : 'upstream'}`;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from: side, how: 'reset', reason: `${this.failure} (${err.code})` });
      if (peer && !peer.destroyed) peer.resetAndDestroy();
    } else {
      this.endHow = 'error';
      this.failure = `${side === 'requestor' ? 'client' : 'upstream'} socket error: ${err.message.split('\n')[0]}`;
      this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from: null, how: 'error', reason: this.failure });
      peer?.destroy();
    }
    (side === 'requestor' ? this.client : this.up)?.destroy();
  }

  private openEvent(acceptor: Endpoint): void {
    if (this.opened) return;
    this.opened = true;
    this.emit({ kind: 'open', conn: this.conn, time: this.o.now(), requestor: this.clientAddress, acceptor });
    for (const e of this.pendingEvents.splice(0)) this.emit({ ...e, time: Math.max(e.time, this.o.now()) } as WireTls);
  }

  private refuse(reason: string): void {
    if (this.terminal) return;
    this.terminal = true;
    this.endHow = 'refused';
    this.failure = reason;
    if (this.timer) clearTimeout(this.timer);
    this.emit({ kind: 'refused', conn: this.conn, time: this.o.now(), requestor: this.clientAddress, acceptor: { ...this.o.upstream }, reason });
    this.up?.destroy();
    this.client.destroy();
    this.raw.destroy();
  }

  /** Ends the connection before or instead of relaying: recorded as closed by `from` (null: by the proxy). */
  private fail(reason: string, how: RelayEnd = 'error', from: Side | null = null): void {
    if (this.terminal) return;
    if (!this.opened) return this.refuse(reason);
    this.terminal = true;
    this.endHow = how;
    this.failure = reason;
    if (this.timer) clearTimeout(this.timer);
    this.emit({ kind: 'close', conn: this.conn, time: this.o.now(), from, how: 'fin', reason });
    this.up?.destroy();
    this.client.destroy();
    this.raw.destroy();
  }

  private onSocketClose(): void {
    this.open -= 1;
    if (this.open > 0) return;
    if (this.timer) clearTimeout(this.timer);
    if (!this.finished) {
      this.finished = true;
      this.o.onEnd?.(this, this.endHow);
      this.resolveDone();
    }
  }

  private emit(event: WireEvent): void {
    try {
      this.o.capture.sink(event);
    } catch {
      // The capture must never stop the relay (docs/architecture.md §6).
    }
  }
}
