/**
 * A TLS port of an SCP (PS3.15 Annex B): each accepted TCP connection is told
 * by its first bytes (a TLS handshake record starts 0x16 0x03, RFC 8446
 * §5.1; an A-ASSOCIATE-RQ 0x01 0x00, PS3.8 §9.3.2). A TLS one goes through
 * the handshake (Node's tls.Server, which verifies the peer's certificate
 * as told); once secure, the decrypted stream is handed on, to the guard and
 * the SCP like a plain connection. Anything else is recorded as it came
 * (plain DICOM sent to a TLS port is the most common TLS mistake, and its
 * A-ASSOCIATE-RQ names the AE titles) and the connection closed, as a TLS
 * server must. A failed handshake is recorded with its cause: open, the
 * `tls` event, close.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { WireEvent, WireTls } from '../../shared/capture/wire-event.ts';
import { looksLikeTlsHandshake } from '../../shared/capture/tls/tls-records.ts';
import { readClearHandshake } from '../../shared/capture/tls/handshake.ts';
import { wallClock } from '../sources/tap.ts';
import { establishedFacts, failedFacts } from './tls-facts.ts';
import { logKeys } from './keylog.ts';
import { serverOptions, type TlsMaterial } from './tls-settings.ts';

export interface TlsAcceptor {
  /** Takes an accepted TCP connection: `secure` gets the TLS socket once the handshake is done. */
  accept(raw: net.Socket, o: AcceptOptions): void;
}

export interface AcceptOptions {
  acceptedAt: number;
  sink: (event: WireEvent) => void;
  nextConnection: () => number;
  /** The handshake is done: the decrypted stream, and its facts (to record after its `open`). */
  secure(socket: tls.TLSSocket, facts: Omit<WireTls, 'conn'>): void;
  /** For the guard's record: a connection that ended before it was DICOM over TLS. */
  note(kind: string, what: string): void;
}

/** Bytes of a plain first PDU read before the connection is closed (an A-ASSOCIATE-RQ is a few hundred). */
const MAX_PLAIN_BYTES = 64 * 1024;

export function tlsAcceptor(material: TlsMaterial, timeoutMs: number): TlsAcceptor {
  const server = tls.createServer({ ...serverOptions(material), handshakeTimeout: timeoutMs });
  logKeys(server, material.settings.keylogFile);
  const pending = new WeakMap<net.Socket, { secure(s: tls.TLSSocket): void; failed(e: NodeJS.ErrnoException, s: tls.TLSSocket | null): void }>();
  const parentOf = (s: tls.TLSSocket): net.Socket | undefined => (s as unknown as { _parent?: net.Socket })._parent;
  server.on('secureConnection', (s: tls.TLSSocket) => {
    const raw = parentOf(s);
    const p = raw && pending.get(raw);
    if (p) p.secure(s);
    else s.destroy();
  });
  server.on('tlsClientError', (e: NodeJS.ErrnoException, s: tls.TLSSocket) => {
    const raw = parentOf(s);
    const p = raw && pending.get(raw);
    if (p) p.failed(e, s);
  });
  return {
    accept(raw, o) {
      const endpointOf = (s: net.Socket) => ({ requestor: { host: s.remoteAddress ?? '', port: s.remotePort ?? 0 }, acceptor: { host: s.localAddress ?? '', port: s.localPort ?? 0 } });
      const addresses = endpointOf(raw);
      const where = { local: addresses.acceptor, allowed: material.allowed };
      let done = false;
      const idle = setTimeout(() => {
        if (done) return;
        done = true;
        o.note('artim', `no byte within ${timeoutMs / 1000} s on a TLS port: closed`);
        raw.destroy();
      }, timeoutMs);
      idle.unref();
      const recordFailure = (facts: Omit<WireTls, 'conn'>, first: Uint8Array | null, reason: string) => {
        const conn = o.nextConnection();
        o.sink({ kind: 'open', conn, time: o.acceptedAt, ...addresses });
        if (first) o.sink({ kind: 'data', conn, time: facts.time, from: 'requestor', bytes: first });
        o.sink({ ...facts, conn } as WireTls);
        const alertBy = facts.error?.alertFrom ?? 'acceptor';
        o.sink({ kind: 'close', conn, time: wallClock(), from: alertBy, how: 'fin', reason });
      };
      raw.once('data', (chunk: Buffer) => {
        if (done) return;
        raw.pause();
        if (looksLikeTlsHandshake(chunk)) {
          const hello = readClearHandshake(chunk).clientHello;
          const offered = hello ? { versions: hello.versions, cipherSuites: hello.cipherSuites } : null;
          raw.unshift(chunk);
          pending.set(raw, {
            secure: (s) => {
              if (done) return;
              done = true;
              clearTimeout(idle);
              pending.delete(raw);
              const facts = { ...establishedFacts(s, { conn: 0, time: wallClock(), leg: 'requestor', role: 'server' }), ...where };
              // -vc: a certificate that is sent must verify (tls.Server accepts any with rejectUnauthorized false).
              if (material.settings.verify === 'verify-if-present' && facts.peerCertificate && !s.authorized) {
                const err = Object.assign(new Error(`peer certificate not verified: ${facts.verifyError}`), { code: facts.verifyError ?? 'CERT_UNTRUSTED' });
                recordFailure({ ...failedFacts(s, err, { conn: 0, time: wallClock(), leg: 'requestor', role: 'server' }), ...where, peerCertificate: facts.peerCertificate, peerVerified: false, verifyError: facts.verifyError }, null, `TLS: ${err.message}`);
                s.destroy();
                return;
              }
              resettable(s, raw);
              const { conn: _c, ...rest } = facts;
              o.secure(s, rest);
            },
            failed: (e, s) => {
              if (done) return;
              done = true;
              clearTimeout(idle);
              pending.delete(raw);
              const facts = { ...failedFacts(s, e, { conn: 0, time: wallClock(), leg: 'requestor', role: 'server' }), ...where, offered };
              const { conn: _c, ...rest } = facts;
              recordFailure(rest, null, `TLS handshake failed: ${facts.error?.message ?? e.message}`);
              s?.destroy();
            },
          });
          server.emit('connection', raw);
          return;
        }
        // Not TLS: read on until the first PDU is whole (its length is in its header, PS3.8 §9.3.1), then close.
        let first = Buffer.from(chunk);
        const need = first.length >= 6 ? 6 + first.readUInt32BE(2) : MAX_PLAIN_BYTES;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(idle);
          raw.off('data', more);
          const time = wallClock();
          const words = first[0] === 0x01 ? 'plain DICOM (an A-ASSOCIATE-RQ)' : `no TLS handshake (first bytes ${first.subarray(0, 4).toString('hex')})`;
          recordFailure(
            { kind: 'tls', time, leg: 'requestor', role: 'server', ...where, outcome: 'not-tls', version: null, cipher: null, sni: null, peerCertificate: null, peerVerified: null, verifyError: null, error: { code: null, message: `${words} on a TLS port`, alert: null, alertFrom: null } },
            new Uint8Array(first.subarray(0, MAX_PLAIN_BYTES)),
            `${words} sent to this TLS port: closed`,
          );
          raw.destroy();
        };
        const more = (c: Buffer) => {
          first = Buffer.concat([first, c]);
          if (first.length >= Math.min(need, MAX_PLAIN_BYTES)) finish();
        };
        if (first.length >= Math.min(need, MAX_PLAIN_BYTES)) return finish();
        raw.on('data', more);
        raw.resume();
        setTimeout(finish, 500).unref();
      });
      raw.on('error', () => {});
      raw.once('close', () => {
        if (done) return;
        done = true;
        clearTimeout(idle);
        pending.delete(raw);
      });
    },
  };
}

/**
 * A TLS socket's reset is its TCP socket's: Node's resetAndDestroy() takes
 * TCP handles only (ERR_INVALID_HANDLE_TYPE on a TLS one), and the guard and
 * the proxy pass resets on (docs/architecture.md, "Known traps").
 */
export function resettable(s: tls.TLSSocket, raw: net.Socket): void {
  s.resetAndDestroy = function (this: tls.TLSSocket) {
    if (!raw.destroyed) raw.resetAndDestroy();
    this.destroy();
    return this;
  };
}
