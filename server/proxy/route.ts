/**
 * One proxy route: a listening socket whose every accepted client becomes a
 * RelayConnection to the route's upstream, with the route's counters.
 */
import net from 'node:net';
import type { Side } from '../../shared/capture/wire-event.ts';
import type tls from 'node:tls';
import { RelayConnection, type ProxyCapture, type RelayEnd } from './relay.ts';
import { formatEndpoint, formatRoute, type RouteSpec } from './route-spec.ts';
import { routeTlsServer, TlsRelayConnection } from './tls-relay.ts';
import type { TlsMaterial } from '../tls/tls-settings.ts';

// Declared once with the HTTP API's bodies (GET /api/routes), for the server and the browser.
export type { ProxyRouteCounters as RouteCounters, ProxyRouteInfo as RouteInfo } from '../../shared/events/live-api.ts';
import type { ProxyRouteCounters as RouteCounters, ProxyRouteInfo as RouteInfo } from '../../shared/events/live-api.ts';

export interface ProxyRouteOptions {
  capture: ProxyCapture;
  connectTimeoutMs: number;
  now: () => number;
  /** A client was accepted on this route and got connection number `conn` (before its first wire event). */
  onConnection?: (conn: number, route: ProxyRoute) => void;
  /** The proxy's TLS certificates and trust, for the `tls:` legs (PS3.15 Annex B). */
  tls?: TlsMaterial | null;
}

export class ProxyRoute {
  readonly counters: RouteCounters = { connections: 0, active: 0, refused: 0, resets: 0, errors: 0, bytesToUpstream: 0, bytesToClient: 0 };
  lastFailure: string | null = null;
  readonly relays = new Set<RelayConnection | TlsRelayConnection>();
  private readonly server: net.Server;
  /** The TLS server of a `tls:` listen address. */
  private readonly tlsServer: tls.Server | null;
  private bound = '';

  private constructor(
    readonly spec: RouteSpec,
    private readonly o: ProxyRouteOptions,
  ) {
    // pauseOnConnect: a client's bytes wait in the kernel until the upstream answers.
    // allowHalfOpen: a FIN from the client must not end our side (it is passed on instead).
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.accept(client));
    if ((spec.listenTls || spec.upstreamTls) && !o.tls) throw new Error(`route ${formatRoute(spec)}: a tls: leg needs the proxy's TLS settings (--tls KEY CERT, +cf CA…)`);
    this.tlsServer = spec.listenTls && o.tls ? routeTlsServer(o.tls, o.connectTimeoutMs) : null;
  }

  /** Binds the listen address; rejects with a clear message (address in use, not allowed). */
  static async listen(spec: RouteSpec, o: ProxyRouteOptions): Promise<ProxyRoute> {
    const route = new ProxyRoute(spec, o);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const where = formatEndpoint(spec.listen);
        if (err.code === 'EADDRINUSE') reject(new Error(`cannot listen on ${where}: address in use`));
        else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`cannot listen on ${where}: no such local address`));
        else if (err.code === 'EACCES') reject(new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`));
        else reject(new Error(`cannot listen on ${where}: ${err.message}`));
      };
      route.server.once('error', onError);
      route.server.listen({ host: spec.listen.host, port: spec.listen.port, exclusive: true }, () => {
        route.server.off('error', onError);
        resolve();
      });
    });
    const addr = route.server.address() as net.AddressInfo;
    route.bound = formatEndpoint({ host: addr.address, port: addr.port });
    // A listener error after start (rare: e.g. EMFILE on accept) must not crash the process.
    route.server.on('error', (err) => {
      route.lastFailure = `listener error: ${err.message}`;
    });
    return route;
  }

  /** The bound listen address "HOST:PORT" (the key of the route). */
  get listen(): string {
    return this.bound;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo | null)?.port ?? 0;
  }

  info(): RouteInfo {
    return {
      listen: this.bound,
      upstream: formatEndpoint(this.spec.upstream),
      spec: formatRoute(this.spec),
      counters: { ...this.counters },
      lastFailure: this.lastFailure,
    };
  }

  /**
   * Stops accepting. Connections being relayed go on to their natural end
   * unless `closeConnections` (then both sides of each are closed now).
   * Resolves when the address is free again (and, with `closeConnections`,
   * every connection is gone).
   */
  async close(closeConnections: boolean, reason = 'route removed'): Promise<void> {
    // server.close() stops accepting at once; its callback would wait for every
    // connection, which a graceful remove must not.
    this.server.close();
    if (closeConnections) {
      const relays = [...this.relays];
      for (const r of relays) r.stop(reason);
      await Promise.all(relays.map((r) => r.done));
    }
    // The listening handle is released on the next turn of the loop: then the address can be bound again.
    await new Promise((r) => setImmediate(r));
  }

  private accept(client: net.Socket): void {
    this.counters.connections += 1;
    this.counters.active += 1;
    if (this.spec.listenTls || this.spec.upstreamTls) return this.acceptTls(client);
    const relay = new RelayConnection(client, {
      upstream: this.spec.upstream,
      connectTimeoutMs: this.o.connectTimeoutMs,
      capture: {
        nextConnection: () => {
          const conn = this.o.capture.nextConnection();
          this.o.onConnection?.(conn, this);
          return conn;
        },
        sink: (e) => this.o.capture.sink(e),
        lend: this.o.capture.lend ? (e, lease) => this.o.capture.lend!(e, lease) : undefined,
        alsoKnownAs: this.o.capture.alsoKnownAs ? (conn, legs) => this.o.capture.alsoKnownAs!(conn, legs) : undefined,
      },
      now: this.o.now,
      onBytes: (from: Side, n: number) => {
        if (from === 'requestor') this.counters.bytesToUpstream += n;
        else this.counters.bytesToClient += n;
      },
      onEnd: (r, how) => {
        this.counters.active -= 1;
        if (how === 'refused') this.counters.refused += 1;
        else if (how === 'reset') this.counters.resets += 1;
        else if (how === 'error') this.counters.errors += 1;
        if (r.failure && how !== 'stopped') this.lastFailure = r.failure;
        this.relays.delete(r);
      },
    });
    this.relays.add(relay);
  }

  /** A route with TLS on a leg (tls-relay.ts). */
  private acceptTls(client: net.Socket): void {
    const relay = new TlsRelayConnection(client, {
      upstream: this.spec.upstream,
      connectTimeoutMs: this.o.connectTimeoutMs,
      capture: {
        nextConnection: () => {
          const conn = this.o.capture.nextConnection();
          this.o.onConnection?.(conn, this);
          return conn;
        },
        sink: (e) => this.o.capture.sink(e),
        alsoKnownAs: this.o.capture.alsoKnownAs ? (conn, legs) => this.o.capture.alsoKnownAs!(conn, legs) : undefined,
      },
      now: this.o.now,
      clientTls: this.tlsServer && this.o.tls ? { server: this.tlsServer, material: this.o.tls } : null,
      upstreamTls: this.spec.upstreamTls ? (this.o.tls ?? null) : null,
      onBytes: (from, n) => {
        if (from === 'requestor') this.counters.bytesToUpstream += n;
        else this.counters.bytesToClient += n;
      },
      onEnd: (r, how: RelayEnd) => {
        this.counters.active -= 1;
        if (how === 'refused') this.counters.refused += 1;
        else if (how === 'reset') this.counters.resets += 1;
        else if (how === 'error') this.counters.errors += 1;
        if (r.failure && how !== 'stopped') this.lastFailure = r.failure;
        this.relays.delete(r);
      },
    });
    this.relays.add(relay);
  }
}
