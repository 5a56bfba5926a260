/**
 * A proxy route: where the proxy listens and where it relays to, written
 * `LISTEN=UPSTREAM` on the command line and in config files, e.g.
 * `127.0.0.1:4243=127.0.0.1:4242` or `:4243=pacs.local:104` (an empty host
 * is 127.0.0.1). Parsing is strict so that a typo is an error, not a route
 * somewhere else. A `tls:` before either address puts TLS on that leg
 * (PS3.15 Annex B), terminated by the proxy with the certificates it is
 * given: `tls:127.0.0.1:2762=127.0.0.1:4242` (TLS clients, a plain
 * upstream), `127.0.0.1:4243=tls:pacs:2762`, `tls::2762=tls:pacs:2762`.
 */
import type { Endpoint } from '../../shared/capture/wire-event.ts';
import { parseHostPort } from '../cli/host-port.ts';

export interface RouteSpec {
  listen: Endpoint;
  upstream: Endpoint;
  /** Clients speak TLS to the listen address; the proxy speaks TLS to the upstream. */
  listenTls?: boolean;
  upstreamTls?: boolean;
}

/** "HOST:PORT", with IPv6 hosts in brackets. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

export function formatRoute(r: RouteSpec): string {
  return `${r.listenTls ? 'tls:' : ''}${formatEndpoint(r.listen)}=${r.upstreamTls ? 'tls:' : ''}${formatEndpoint(r.upstream)}`;
}

/** "tls:HOST:PORT" → [true, "HOST:PORT"]. */
function tlsPrefix(text: string): [boolean, string] {
  const t = text.trim();
  return /^tls:/i.test(t) ? [true, t.slice(4)] : [false, t];
}

/** Parses "HOST:PORT" or a bare "PORT" (host 127.0.0.1). */
export function parseEndpoint(text: string, what: string): Endpoint {
  const t = text.trim();
  if (/^\d{1,5}$/.test(t)) return checkPort({ host: '127.0.0.1', port: Number(t) }, what, text);
  let e: Endpoint;
  try {
    e = parseHostPort(t);
  } catch (err) {
    throw new Error(/out of range/.test((err as Error).message) ? `${what}: port out of range in "${text}"` : `${what}: expected HOST:PORT, got "${text}"`);
  }
  return checkPort(e, what, text);
}

function checkPort(e: Endpoint, what: string, text: string): Endpoint {
  if (e.port > 65535) throw new Error(`${what}: port out of range in "${text}"`);
  return e;
}

/** Parses `LISTEN=UPSTREAM`; the upstream needs a real port (0 is only allowed for the listen side: a free port). */
export function parseRoute(text: string): RouteSpec {
  const eq = text.indexOf('=');
  if (eq < 0 || text.indexOf('=', eq + 1) >= 0) throw new Error(`route: expected LISTEN=UPSTREAM (e.g. 127.0.0.1:4243=127.0.0.1:4242), got "${text}"`);
  const [listenTls, listenText] = tlsPrefix(text.slice(0, eq));
  const [upstreamTls, upstreamText] = tlsPrefix(text.slice(eq + 1));
  const listen = parseEndpoint(listenText, `route "${text}": listen address`);
  const upstream = parseEndpoint(upstreamText, `route "${text}": upstream address`);
  if (upstream.port === 0) throw new Error(`route "${text}": the upstream port cannot be 0`);
  if (upstream.host === '') throw new Error(`route "${text}": the upstream host is empty`);
  return { listen, upstream, ...(listenTls ? { listenTls } : {}), ...(upstreamTls ? { upstreamTls } : {}) };
}

/** A route given as text or as an object `{listen, upstream}` (config files, the HTTP API). */
export function toRouteSpec(value: unknown, where: string): RouteSpec {
  if (typeof value === 'string') return parseRoute(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => k !== 'listen' && k !== 'upstream');
    if (keys.length > 0) throw new Error(`${where}: unknown route key "${keys[0]}" (known: listen, upstream)`);
    if (typeof o.listen !== 'string' || typeof o.upstream !== 'string') throw new Error(`${where}: a route needs "listen" and "upstream" as "HOST:PORT" strings`);
    return parseRoute(`${o.listen}=${o.upstream}`);
  }
  throw new Error(`${where}: a route is "LISTEN=UPSTREAM" or {"listen": "HOST:PORT", "upstream": "HOST:PORT"}`);
}
