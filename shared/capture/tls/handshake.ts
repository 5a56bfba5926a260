/**
 * The TLS handshake messages that cross the wire in clear, read from the
 * start of a direction's bytes: the ClientHello (RFC 8446 §4.1.2; the
 * supported_versions §4.2.1 and server_name RFC 6066 §3 extensions), the
 * ServerHello (§4.1.3: the version and suite chosen) and alerts (§6) sent
 * before encryption starts. What follows the ServerHello is encrypted in TLS
 * 1.3 (and after ChangeCipherSpec in TLS 1.2): it is counted, not read.
 * Bad input is data: a malformed message gives what was read before it.
 */
import { cipherSuiteName, tlsVersionName } from './cipher-suites.ts';
import { ContentType } from './tls-records.ts';

export interface ClientHello {
  /** Versions offered: supported_versions, else the legacy version. */
  versions: string[];
  cipherSuites: string[];
  sni: string | null;
}

export interface ServerHello {
  version: string;
  cipherSuite: string;
}

export interface ClearHandshake {
  clientHello: ClientHello | null;
  serverHello: ServerHello | null;
  /** Alerts read in clear: [level, description]. */
  alerts: [number, number][];
  /** Bytes of records after encryption started (or of application data). */
  encryptedBytes: number;
  /** The bytes were not TLS records from the start. */
  notTls: boolean;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

/** Reads the records at the start of `b` (one direction). */
export function readClearHandshake(b: Uint8Array): ClearHandshake {
  const out: ClearHandshake = { clientHello: null, serverHello: null, alerts: [], encryptedBytes: 0, notTls: false };
  let o = 0;
  let encrypted = false;
  while (o + 5 <= b.length) {
    const type = b[o];
    const length = u16(b, o + 3);
    if (type < 20 || type > 23 || b[o + 1] !== 0x03) {
      if (o === 0) out.notTls = true;
      break;
    }
    const body = b.subarray(o + 5, Math.min(b.length, o + 5 + length));
    if (encrypted || type === ContentType.ApplicationData) out.encryptedBytes += length;
    else if (type === ContentType.ChangeCipherSpec) encrypted = out.serverHello?.version !== 'TLSv1.3' && out.serverHello !== null;
    else if (type === ContentType.Alert && body.length >= 2) out.alerts.push([body[0], body[1]]);
    else if (type === ContentType.Handshake) {
      readHandshakes(body, out);
      // TLS 1.3: everything after the ServerHello is encrypted (RFC 8446 §2).
      if (out.serverHello?.version === 'TLSv1.3') encrypted = true;
    }
    o += 5 + length;
  }
  return out;
}

function readHandshakes(b: Uint8Array, out: ClearHandshake): void {
  let o = 0;
  while (o + 4 <= b.length) {
    const type = b[o];
    const length = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    const m = b.subarray(o + 4, Math.min(b.length, o + 4 + length));
    try {
      if (type === 1) out.clientHello = clientHello(m);
      else if (type === 2) out.serverHello = serverHello(m);
    } catch {
      // A truncated or malformed message: what was read before it stands.
    }
    o += 4 + length;
  }
}

function clientHello(m: Uint8Array): ClientHello {
  let o = 2 + 32; // legacy_version, random
  const legacy = u16(m, 0);
  o += 1 + m[o]; // session id
  const suitesLength = u16(m, o);
  const cipherSuites: string[] = [];
  for (let i = 0; i + 1 < suitesLength; i += 2) {
    const code = u16(m, o + 2 + i);
    if ((code & 0x0f0f) !== 0x0a0a) cipherSuites.push(cipherSuiteName(code));
  }
  o += 2 + suitesLength;
  o += 1 + m[o]; // compression methods
  let versions: string[] = [tlsVersionName(legacy)];
  let sni: string | null = null;
  if (o + 2 <= m.length) {
    const end = Math.min(m.length, o + 2 + u16(m, o));
    o += 2;
    while (o + 4 <= end) {
      const ext = u16(m, o);
      const len = u16(m, o + 2);
      const e = m.subarray(o + 4, o + 4 + len);
      if (ext === 43 && e.length >= 1) {
        const list: string[] = [];
        for (let i = 1; i + 1 < 1 + e[0] && i + 1 < e.length; i += 2) {
          const v = u16(e, i);
          if ((v & 0x0f0f) !== 0x0a0a) list.push(tlsVersionName(v));
        }
        if (list.length) versions = list;
      } else if (ext === 0 && e.length >= 5 && e[2] === 0) {
        const n = u16(e, 3);
        sni = new TextDecoder().decode(e.subarray(5, 5 + n));
      }
      o += 4 + len;
    }
  }
  return { versions, cipherSuites, sni };
}

function serverHello(m: Uint8Array): ServerHello {
  let o = 2 + 32;
  let version = tlsVersionName(u16(m, 0));
  o += 1 + m[o];
  const cipherSuite = cipherSuiteName(u16(m, o));
  o += 3; // suite, compression
  if (o + 2 <= m.length) {
    const end = Math.min(m.length, o + 2 + u16(m, o));
    o += 2;
    while (o + 4 <= end) {
      const ext = u16(m, o);
      const len = u16(m, o + 2);
      if (ext === 43 && len === 2) version = tlsVersionName(u16(m, o + 4));
      o += 4 + len;
    }
  }
  return { version, cipherSuite };
}
