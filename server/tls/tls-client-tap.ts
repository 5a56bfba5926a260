/**
 * The tap of a TLS client socket (an SCU's, a sub-association's): the
 * decrypted stream is recorded like a plain one (server/sources/tap.ts), with
 * the leg's `tls` event after the `open`. What the application writes before
 * the handshake ends is not on the wire yet — dcmjs-dimse writes its
 * A-ASSOCIATE-RQ on TCP connect, and TLS holds it — so it is recorded when
 * the handshake completes, and not at all when it fails (docs/architecture.md
 * §1: the wire is the truth). In TLS 1.3 the server judges the client's
 * certificate after the client finished (RFC 8446 §4.4.2.4): an alert that
 * ends the connection then is recorded as a second, failed `tls` event.
 */
import type tls from 'node:tls';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { tapSocket, wallClock, type TapOptions } from '../sources/tap.ts';
import { establishedFacts, failedFacts, keepPeerCertificate, tlsMessage } from './tls-facts.ts';

/** `allowed`: what our side allowed (TlsMaterial.allowed), recorded with the leg. */
export function tapTlsClient(socket: tls.TLSSocket, o: TapOptions, allowed: { versions: string[]; ciphers: string } | null = null): void {
  const now = o.now ?? wallClock;
  let state: 'handshake' | 'secure' | 'failed' = 'handshake';
  const held: WireEvent[] = [];
  const base = () => ({ conn: o.conn, time: now(), leg: 'acceptor' as const, role: 'client' as const });
  const where = () => ({ local: { host: socket.localAddress ?? '', port: socket.localPort ?? 0 }, allowed });
  const sink = (e: WireEvent) => {
    if (e.kind === 'close' && e.reason) e = { ...e, reason: tlsMessage(e.reason) };
    if (state === 'handshake' && e.kind === 'data') held.push(e);
    else if (!(state === 'failed' && e.kind === 'data')) o.sink(e);
  };
  keepPeerCertificate(socket);
  tapSocket(socket, { ...o, sink });
  socket.once('secureConnect', () => {
    if (state !== 'handshake') return;
    state = 'secure';
    const facts = { ...establishedFacts(socket, base()), ...where() };
    o.sink(facts);
    for (const e of held) o.sink({ ...e, time: facts.time });
    held.length = 0;
  });
  // Prepended: the tap's own 'error' listener records the close, which must come after the cause.
  socket.prependListener('error', (err: NodeJS.ErrnoException) => {
    if (state === 'handshake') {
      // Connected at TCP level (else the tap records a refusal): the TLS handshake failed.
      if (socket.connecting) return;
      state = 'failed';
      held.length = 0;
      o.sink({ ...failedFacts(socket, err, base()), ...where() });
    } else if (state === 'secure' && /alert/i.test(err.message ?? '')) {
      o.sink({ ...failedFacts(socket, err, base()), ...where() });
    }
  });
}
