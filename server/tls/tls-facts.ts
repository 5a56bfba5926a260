/**
 * The TLS facts of a live Node TLSSocket as a `tls` wire event
 * (shared/capture/wire-event.ts): version, cipher suite, SNI, the peer's and
 * our certificate, whether the peer's verified, and for a failure OpenSSL's
 * code with the alert (RFC 8446 §6) and who sent it. Node names an alert it
 * received "…alert unknown ca…" (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: the peer
 * sent it); one it sent after its own check failed carries the check's code
 * (CERT_HAS_EXPIRED, ERR_SSL_NO_SHARED_CIPHER, …).
 */
import type tls from 'node:tls';
import type { Side, TlsCertificate, TlsFailure, WireTls } from '../../shared/capture/wire-event.ts';
import { alertOfMessage } from '../../shared/capture/tls/alerts.ts';

/**
 * The alert OpenSSL itself sends when the handshake fails on its side
 * (RFC 8446 §6.2). A certificate Node finds untrusted, expired or for
 * another name gets no alert: Node checks it after OpenSSL's handshake and
 * closes the connection (the peer sees it end).
 */
const ALERT_SENT_FOR: Readonly<Record<string, number>> = {
  ERR_SSL_NO_SHARED_CIPHER: 40,
  ERR_SSL_UNSUPPORTED_PROTOCOL: 70,
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 70,
};

type PeerCert = tls.PeerCertificate | tls.DetailedPeerCertificate;

function dn(o: Record<string, string | string[]> | undefined): string {
  if (!o) return '';
  return Object.entries(o)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** A certificate as Node's getPeerCertificate()/getCertificate() gives it; null for an empty one. */
export function certificateFacts(c: PeerCert | object | null | undefined): TlsCertificate | null {
  const cert = c as PeerCert | null | undefined;
  if (!cert || !cert.subject || Object.keys(cert).length === 0) return null;
  const date = (t: string | undefined) => (t ? new Date(t).toISOString() : '');
  return {
    subject: dn(cert.subject as unknown as Record<string, string>),
    issuer: dn(cert.issuer as unknown as Record<string, string>),
    validFrom: date(cert.valid_from),
    validTo: date(cert.valid_to),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    fingerprint256: cert.fingerprint256 ?? null,
  };
}

/**
 * A TLS error of `socket`'s leg in the recording's terms. `localSide` is the
 * side of the connection pacscope plays on this leg (acceptor on the
 * requestor leg, requestor on the acceptor leg).
 */
export function failureFacts(err: NodeJS.ErrnoException, localSide: Side): TlsFailure {
  const message = tlsMessage(String(err.message ?? err));
  const code = err.code ?? null;
  const peerSide: Side = localSide === 'requestor' ? 'acceptor' : 'requestor';
  const received = alertOfMessage(err.message ?? '');
  if (received !== null && /alert/i.test(err.message ?? '')) return { code, message, alert: received, alertFrom: peerSide };
  const sent = code ? ALERT_SENT_FOR[code] : undefined;
  return { code, message, alert: sent ?? null, alertFrom: sent === undefined ? null : localSide };
}

/** Peer certificates kept when Node destroys a socket over them (below). */
const kept = new WeakMap<tls.TLSSocket, TlsCertificate | null>();

/**
 * Keeps the peer's certificate of a client socket for its failure: Node
 * checks it after the handshake and destroys the socket with the error
 * (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID), and once destroyed the
 * socket shows no certificate — the one fact the fix needs.
 */
export function keepPeerCertificate(socket: tls.TLSSocket): void {
  const destroy = socket.destroy;
  socket.destroy = function (this: tls.TLSSocket, error?: Error) {
    if (error && !kept.has(this)) {
      try {
        kept.set(this, certificateFacts(this.getPeerCertificate()));
      } catch {
        kept.set(this, null);
      }
    }
    return destroy.call(this, error);
  } as typeof socket.destroy;
}

export interface TlsEventBase {
  conn: number;
  time: number;
  leg: Side;
  role: 'server' | 'client';
}

/** The facts of an established TLS leg. */
export function establishedFacts(socket: tls.TLSSocket, base: TlsEventBase): WireTls {
  const peer = certificateFacts(socket.getPeerCertificate());
  const verifyError = socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : null;
  return {
    kind: 'tls',
    ...base,
    outcome: 'established',
    version: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? null,
    sni: typeof (socket as unknown as { servername?: unknown }).servername === 'string' ? (socket as unknown as { servername: string }).servername : null,
    peerCertificate: peer,
    peerVerified: peer === null ? null : socket.authorized,
    verifyError,
    localCertificate: certificateFacts(socket.getCertificate()),
    error: null,
  };
}

/** The facts of a failed leg: what was agreed before the failure, and the failure. */
export function failedFacts(socket: tls.TLSSocket | null, err: NodeJS.ErrnoException, base: TlsEventBase): WireTls {
  const localSide: Side = base.leg === 'requestor' ? 'acceptor' : 'requestor';
  const error = failureFacts(err, localSide);
  let peer: TlsCertificate | null = null;
  try {
    peer = socket ? (kept.get(socket) ?? certificateFacts(socket.getPeerCertificate())) : null;
  } catch {
    peer = null;
  }
  const verify = error.code && /CERT|SIGNATURE|ISSUER|ALTNAME/.test(error.code) && error.alertFrom === localSide ? error.code : null;
  return {
    kind: 'tls',
    ...base,
    outcome: 'failed',
    version: (socket?.getProtocol?.() as string | null | undefined) ?? null,
    cipher: socket?.getCipher?.()?.standardName ?? null,
    sni: socket && typeof (socket as unknown as { servername?: unknown }).servername === 'string' ? (socket as unknown as { servername: string }).servername : null,
    peerCertificate: peer,
    peerVerified: verify ? false : null,
    verifyError: verify,
    localCertificate: socket ? certificateFacts(socket.getCertificate?.()) : null,
    error,
  };
}

/** OpenSSL's error text without its error-queue prefix and source location: "tlsv13 alert certificate required (SSL alert number 116)". */
export function tlsMessage(text: string): string {
  const line = String(text).split('\n')[0];
  const alert = /SSL alert number (\d+)/.exec(line);
  const core = line
    .replace(/^.*?-> Connection error: /, '')
    .replace(/^(Connection error: )?[0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z_0-9]+:/, '')
    .replace(/:\.\.\/deps\/openssl\/.*$/, '')
    .replace(/:[a-z_/.]+\.c:\d+:.*$/, '');
  return alert && !core.includes('alert number') ? `${core} (SSL alert number ${alert[1]})` : core;
}
