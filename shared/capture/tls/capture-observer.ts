/**
 * A TLS connection in a capture, watched from outside: its handshake is read
 * in clear (handshake.ts: ClientHello, ServerHello, alerts before
 * encryption), the rest is counted. pacscope does not decrypt captured TLS —
 * no well-kept JavaScript library decrypts TLS 1.2/1.3 records from a key
 * log (node-forge speaks TLS 1.0–1.2 as an endpoint only), and a home-made
 * record layer would be half of Wireshark's — so the connection becomes a
 * `tls` event with what was readable (outcome 'encrypted', or 'failed' with
 * the alert), and the diagnosis says how to see the DICOM inside.
 */
import type { Side, WireTls } from '../wire-event.ts';
import { readClearHandshake } from './handshake.ts';
import { looksLikeTlsRecord } from './tls-records.ts';

/** Bytes of each direction kept for reading the handshake (a certificate chain fits). */
const KEEP = 64 * 1024;

export class TlsCaptureObserver {
  private readonly kept: Record<Side, Uint8Array[]> = { requestor: [], acceptor: [] };
  private readonly keptBytes: Record<Side, number> = { requestor: 0, acceptor: 0 };
  private readonly total: Record<Side, number> = { requestor: 0, acceptor: 0 };

  push(from: Side, bytes: Uint8Array): void {
    this.total[from] += bytes.length;
    const room = KEEP - this.keptBytes[from];
    if (room <= 0) return;
    const part = bytes.slice(0, room);
    this.kept[from].push(part);
    this.keptBytes[from] += part.length;
  }

  /** The facts, once the connection ends (or the capture does). */
  event(conn: number, time: number): WireTls {
    const join = (s: Side) => {
      const out = new Uint8Array(this.keptBytes[s]);
      let o = 0;
      for (const p of this.kept[s]) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    const rq = readClearHandshake(join('requestor'));
    const acceptorBytes = join('acceptor');
    const ac = readClearHandshake(acceptorBytes);
    const hello = rq.clientHello;
    const alert = ac.alerts.find(([level]) => level === 2) ?? rq.alerts.find(([level]) => level === 2);
    const alertFrom: Side | null = alert ? (ac.alerts.includes(alert) ? 'acceptor' : 'requestor') : null;
    const notTlsAnswer = acceptorBytes.length > 0 ? !looksLikeTlsRecord(acceptorBytes) : false;
    const outcome: WireTls['outcome'] = notTlsAnswer || (acceptorBytes.length === 0 && !ac.serverHello) ? 'not-tls-answer' : alert ? 'failed' : 'encrypted';
    const unread = (s: Side, read: ReturnType<typeof readClearHandshake>) => read.encryptedBytes + Math.max(0, this.total[s] - this.keptBytes[s]);
    return {
      kind: 'tls',
      conn,
      time,
      leg: 'requestor',
      role: 'observer',
      outcome,
      version: ac.serverHello?.version ?? null,
      cipher: ac.serverHello?.cipherSuite ?? null,
      sni: hello?.sni ?? null,
      peerCertificate: null,
      peerVerified: null,
      verifyError: null,
      error: alert ? { code: null, message: `alert ${alert[1]} in clear`, alert: alert[1], alertFrom } : notTlsAnswer ? { code: null, message: `the acceptor answered with no TLS (first bytes ${Array.from(acceptorBytes.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(' ')})`, alert: null, alertFrom: null } : null,
      offered: hello ? { versions: hello.versions, cipherSuites: hello.cipherSuites } : null,
      encryptedBytes: { requestor: unread('requestor', rq), acceptor: unread('acceptor', ac) },
    };
  }
}
