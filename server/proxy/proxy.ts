/**
 * The transparent DICOM proxy (issue 5): any number of routes
 * LISTEN → UPSTREAM in one process, added and removed while it runs, each
 * relaying bytes at once and unchanged while a capture (the serve's
 * CaptureHub, or the headless recorder of `pacscope proxy`) sees them.
 * Several routes in one process is what captures a C-MOVE completely: route A
 * for SCU → PACS, route B for PACS → destination (the PACS's entry for the
 * destination AE points at route B).
 *
 *   const proxy = new Proxy({ capture: hub });
 *   await proxy.add('127.0.0.1:4243=127.0.0.1:4242');
 *   proxy.list();                    // [{ listen, upstream, counters, … }]
 *   await proxy.remove('127.0.0.1:4243');
 *   await proxy.close();             // every route and connection
 *
 * This is the API an HTTP layer (/api/routes) drives: add, remove, list.
 */
import { isLoopbackHost } from '../live/security.ts';
import { wallClock } from '../sources/tap.ts';
import type { ProxyCapture } from './relay.ts';
import { ProxyRoute, type RouteInfo } from './route.ts';
import { formatEndpoint, parseEndpoint, parseRoute, type RouteSpec } from './route-spec.ts';
import type { TlsMaterial } from '../tls/tls-settings.ts';

export type { RouteInfo, RouteCounters } from './route.ts';
export type { RouteSpec } from './route-spec.ts';
export type { ProxyCapture } from './relay.ts';

export interface ProxyOptions {
  capture: ProxyCapture;
  /** How long to wait for the upstream to accept a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Allow listen addresses that are not loopback (the CLI's --public). */
  allowPublic?: boolean;
  now?: () => number;
  /** Called for each accepted client with its connection number, before its first wire event. */
  onConnection?: (conn: number, route: RouteInfo) => void;
  /** Certificates and trust for routes with a `tls:` leg (PS3.15 Annex B); null: such routes are refused. */
  tls?: TlsMaterial | null;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class Proxy {
  private readonly routes = new Map<string, ProxyRoute>();
  /** Routes being bound, by requested listen address: a second add of the same address fails at once. */
  private readonly pending = new Set<string>();
  /** Removed routes whose connections still run to their end (closed by `close()`). */
  private readonly draining = new Set<ProxyRoute>();
  private closed = false;

  constructor(private readonly o: ProxyOptions) {}

  /** Binds a new route; rejects with a clear message (bad text, not loopback, address in use, duplicate). */
  async add(route: RouteSpec | string): Promise<RouteInfo> {
    if (this.closed) throw new Error('the proxy is stopped');
    const spec = typeof route === 'string' ? parseRoute(route) : route;
    if (!this.o.allowPublic && !isLoopbackHost(spec.listen.host)) {
      throw new Error(`refusing to listen on ${spec.listen.host}: not a loopback address; add --public to allow it`);
    }
    const requested = formatEndpoint(spec.listen);
    if (spec.listen.port !== 0 && (this.routes.has(requested) || this.pending.has(requested))) {
      throw new Error(`a route already listens on ${requested}`);
    }
    this.pending.add(requested);
    try {
      const r = await ProxyRoute.listen(spec, {
        capture: this.o.capture,
        connectTimeoutMs: this.o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        now: this.o.now ?? wallClock,
        onConnection: this.o.onConnection ? (conn, route) => this.o.onConnection!(conn, route.info()) : undefined,
        tls: this.o.tls ?? null,
      });
      if (this.closed) {
        await r.close(true, 'proxy stopped');
        throw new Error('the proxy is stopped');
      }
      this.routes.set(r.listen, r);
      return r.info();
    } finally {
      this.pending.delete(requested);
    }
  }

  /**
   * Removes the route listening on `listen` ("HOST:PORT", or a bare port on
   * 127.0.0.1). Its connections go on to their natural end unless
   * `closeConnections`. False when there is no such route.
   */
  async remove(listen: string, options: { closeConnections?: boolean } = {}): Promise<boolean> {
    const key = formatEndpoint(parseEndpoint(listen, 'route to remove'));
    const r = this.routes.get(key) ?? [...this.routes.values()].find((x) => formatEndpoint(x.spec.listen) === key);
    if (!r) return false;
    this.routes.delete(r.listen);
    for (const d of this.draining) if (d.counters.active === 0) this.draining.delete(d);
    if (options.closeConnections !== true && r.counters.active > 0) this.draining.add(r);
    await r.close(options.closeConnections === true, 'route removed');
    return true;
  }

  /** The routes with their counters, in the order they were added. */
  list(): RouteInfo[] {
    return [...this.routes.values()].map((r) => r.info());
  }

  /** Connections being relayed now, over all routes. */
  get active(): number {
    let n = 0;
    for (const r of this.routes.values()) n += r.counters.active;
    return n;
  }

  /**
   * Stops every route and closes every connection (both sides of each). The
   * capture has every byte relayed before this resolves: bytes are handed to
   * it as they are relayed, and each connection's end is reported.
   */
  async close(): Promise<void> {
    this.closed = true;
    const routes = [...this.routes.values(), ...this.draining];
    this.routes.clear();
    this.draining.clear();
    await Promise.all(routes.map((r) => r.close(true, 'proxy stopped')));
  }
}
