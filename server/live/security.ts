/**
 * Who may talk to the live server (issue 4, docs/live-api.md "Security"):
 *
 * - Origin: a state-changing request (POST/PUT) and the WebSocket upgrade are
 *   refused when they carry an Origin that is not the server's own (another
 *   web site in the same browser). No Origin: a non-browser client, allowed.
 * - Host: on a loopback bind only loopback host names are answered, so a web
 *   page whose name resolves to 127.0.0.1 (DNS rebinding) cannot read the API.
 * - Token: a server bound to a non-loopback address (only with --public)
 *   requires the access token printed at start on every /api request, as
 *   `?token=` or `Authorization: Bearer …`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface AccessPolicy {
  /** The address the server listens on (after listen: the real port). */
  host: string;
  port: number;
  /** Required on every /api request when set. */
  token: string | null;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A fresh access token: 32 random bytes, base64url. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The Host header's name and port, lower case; null when it cannot be read. */
function hostHeader(req: IncomingMessage): { name: string; port: number | null } | null {
  const raw = req.headers.host;
  if (!raw) return null;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.trim().toLowerCase());
  if (!m) return null;
  return { name: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : null };
}

/** Why the Host header is not acceptable, or null. */
export function hostProblem(req: IncomingMessage, policy: AccessPolicy): string | null {
  if (!isLoopbackHost(policy.host)) return null; // public: the token guards the API
  const h = hostHeader(req);
  if (!h) return 'missing or malformed Host header';
  if (!isLoopbackHost(h.name) || (h.port !== null && h.port !== policy.port)) return `host "${req.headers.host}" is not this server`;
  return null;
}

/** Why the Origin header is not this server's own, or null (also when there is none). */
export function originProblem(req: IncomingMessage, policy: AccessPolicy): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `origin "${origin}" is not a URL`;
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (url.protocol !== 'http:' || port !== policy.port) return `origin ${origin} is not this server`;
  if (isLoopbackHost(policy.host)) return isLoopbackHost(name) ? null : `origin ${origin} is not this server`;
  // Public: the page must come from the name the browser used for this request.
  const h = hostHeader(req);
  return h && h.name === name ? null : `origin ${origin} is not this server`;
}

/** Why the request lacks the access token, or null (also when none is required). */
export function tokenProblem(req: IncomingMessage, url: URL, policy: AccessPolicy): string | null {
  if (policy.token === null) return null;
  const auth = req.headers.authorization;
  const given = url.searchParams.get('token') ?? (auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : null);
  if (!given) return 'access token required (?token= or Authorization: Bearer)';
  const a = Buffer.from(given);
  const b = Buffer.from(policy.token);
  return a.length === b.length && timingSafeEqual(a, b) ? null : 'wrong access token';
}
