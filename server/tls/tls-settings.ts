/**
 * What TLS an endpoint of pacscope speaks (PS3.15 Annex B, secure transport
 * connection profiles), read once from the files it is given and turned into
 * Node's `tls` options. The profiles are DCMTK's (dcmtls/libsrc/tlsciphr.cc),
 * after PS3.15 B.9–B.11 and BCP 195 (RFC 9325):
 *
 * - bcp195-nd (default, DCMTK +py): TLS 1.2 or 1.3; for TLS 1.2 only
 *   ECDHE/DHE with RSA and AES-GCM (the Non-downgrading BCP 195 profile);
 * - bcp195 (+px): the same suites plus TLS_RSA_WITH_AES_128_CBC_SHA, from
 *   TLS 1.0 on as far as OpenSSL's security level lets it;
 * - bcp195-ex (+pz): TLS 1.2 only, the BCP 195 suites with RSA or ECDSA.
 *
 * Peer authentication as DCMTK's -rc (require the peer's certificate and
 * verify it: the default), -vc (verify it if one is sent; a server only) and
 * -ic (do not verify). With no trusted certificate given (+cf, +cd), Node's
 * own list of public CAs is used.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type tls from 'node:tls';
import { cipherSuiteByName } from '../../shared/capture/tls/cipher-suites.ts';

export type PeerVerification = 'require' | 'verify-if-present' | 'ignore';
export type TlsProfile = 'bcp195-nd' | 'bcp195' | 'bcp195-ex';
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** TLS settings as given (file names, not yet read). */
export interface TlsSettings {
  /** Own private key and certificate (PEM files); both null: anonymous TLS (a client only, DCMTK +tla). */
  keyFile: string | null;
  certFile: string | null;
  /** Password of an encrypted private key (DCMTK +pw). */
  passphrase?: string;
  /** Trusted certificates: files (+cf) and folders of PEM files (+cd). */
  caFiles: string[];
  caDirs: string[];
  verify: PeerVerification;
  profile: TlsProfile;
  /** Extra suites by IANA name (DCMTK +cs), added to the profile's. */
  addCiphers: string[];
  /** An OpenSSL cipher list that replaces the profile's TLS 1.2 suites (--tls-ciphers). */
  cipherList: string | null;
  minVersion: TlsVersion | null;
  maxVersion: TlsVersion | null;
  /** Append the TLS secrets (NSS key log format) here, for Wireshark (--tls-keylog, else $SSLKEYLOGFILE). */
  keylogFile: string | null;
}

const PROFILE_SUITES: Record<TlsProfile, string[]> = {
  'bcp195-nd': ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  bcp195: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  'bcp195-ex': [
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  ],
};

export const PROFILE_NAMES: Record<TlsProfile, string> = {
  'bcp195-nd': 'Non-downgrading BCP 195 TLS Profile (PS3.15 B.10)',
  bcp195: 'BCP 195 TLS Profile (PS3.15 B.9)',
  'bcp195-ex': 'Extended BCP 195 TLS Profile (PS3.15 B.11)',
};

/** The settings read: PEM bytes and Node options, plus what was given (for messages and fixes). */
export interface TlsMaterial {
  settings: TlsSettings;
  key: Buffer | null;
  cert: Buffer | null;
  ca: Buffer[] | undefined;
  /** Node's options shared by servers and clients. */
  common: tls.SecureContextOptions;
  /** A line for the start-up output: "TLS (CN=localhost until 2026-01-01, 1 trusted certificate, peers verified)". */
  describe(role: 'server' | 'client'): string;
  /** What this side allows, for the recording (WireTls.allowed). */
  allowed: { versions: string[]; ciphers: string };
}

const VERSIONS: TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Every PEM certificate in a folder (DCMTK +cd reads OpenSSL's hashed folder; this reads each file). */
function readCaDir(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`trusted certificate folder ${dir}: ${(e as Error).message}`);
  }
  return names
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p))
    .filter((b) => b.includes('-----BEGIN CERTIFICATE-----'));
}

/** The OpenSSL cipher list of the settings (TLS 1.2 and older; TLS 1.3 keeps OpenSSL's suites). */
export function cipherListOf(s: TlsSettings): string {
  if (s.cipherList) return s.cipherList;
  const names = [...PROFILE_SUITES[s.profile], ...s.addCiphers];
  return names
    .map((n) => {
      const suite = cipherSuiteByName(n);
      if (!suite || !suite.openssl) throw new Error(`+cs ${n}: not a TLS cipher suite pacscope knows (IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`);
      return suite.openssl;
    })
    .join(':');
}

export function loadTls(s: TlsSettings): TlsMaterial {
  if ((s.keyFile === null) !== (s.certFile === null)) throw new Error('TLS: give both the private key and the certificate (+tls KEY CERT)');
  let key = s.keyFile ? readPem(s.keyFile, 'private key') : null;
  const cert = s.certFile ? readPem(s.certFile, 'certificate') : null;
  if (key && s.passphrase !== undefined) {
    // dcmjs-dimse passes no passphrase on to Node: the key is decrypted here.
    key = Buffer.from(createPrivateKey({ key, passphrase: s.passphrase }).export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  let certificate: X509Certificate | null = null;
  if (cert) {
    try {
      certificate = new X509Certificate(cert);
    } catch (e) {
      throw new Error(`certificate ${s.certFile}: not a PEM certificate (${(e as Error).message})`);
    }
  }
  if (key && certificate) {
    try {
      if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error('it does not match the private key');
    } catch (e) {
      throw new Error(`certificate ${s.certFile} and private key ${s.keyFile}: ${(e as Error).message}`);
    }
  }
  const caList = [...s.caFiles.map((f) => readPem(f, 'trusted certificate')), ...s.caDirs.flatMap(readCaDir)];
  const ca = caList.length > 0 ? caList : undefined;
  const minVersion = s.minVersion ?? (s.profile === 'bcp195' ? 'TLSv1' : 'TLSv1.2');
  const maxVersion = s.maxVersion ?? (s.profile === 'bcp195-ex' ? 'TLSv1.2' : 'TLSv1.3');
  const common: tls.SecureContextOptions = {
    ...(key ? { key } : {}),
    ...(cert ? { cert } : {}),
    ...(ca ? { ca } : {}),
    minVersion,
    maxVersion,
    ciphers: cipherListOf(s),
  };
  const trust = ca ? `${caList.length} trusted certificate${caList.length === 1 ? '' : 's'}` : "Node's public CAs";
  const verify = { require: 'peer certificate required and verified', 'verify-if-present': 'peer certificate verified if sent', ignore: 'peer certificate not verified' }[s.verify];
  return {
    settings: s,
    key,
    cert,
    ca,
    common,
    allowed: { versions: VERSIONS.slice(VERSIONS.indexOf(minVersion), VERSIONS.indexOf(maxVersion) + 1), ciphers: common.ciphers as string },
    describe: (role) =>
      `TLS ${minVersion === maxVersion ? minVersion : `${minVersion}–${maxVersion}`}, ${certificate ? `certificate ${certificate.subject.replace(/\n/g, ', ')} (until ${new Date(certificate.validTo).toISOString().slice(0, 10)})` : role === 'client' ? 'no certificate (anonymous)' : 'no certificate'}, ${trust}, ${verify}`,
  };
}

/** Options of a TLS server (an SCP's port, the client leg of the proxy). */
export function serverOptions(m: TlsMaterial): tls.TlsOptions {
  if (!m.key || !m.cert) throw new Error('a TLS port needs its own private key and certificate: +tls KEY CERT');
  const v = m.settings.verify;
  return { ...m.common, requestCert: v !== 'ignore', rejectUnauthorized: v === 'require' };
}

/** Options of a TLS client (an SCU, a sub-association of the PACS, the upstream leg of the proxy). */
export function clientOptions(m: TlsMaterial): tls.ConnectionOptions {
  return { ...m.common, rejectUnauthorized: m.settings.verify !== 'ignore' };
}

export function defaultTlsSettings(): TlsSettings {
  return { keyFile: null, certFile: null, caFiles: [], caDirs: [], verify: 'require', profile: 'bcp195-nd', addCiphers: [], cipherList: null, minVersion: null, maxVersion: null, keylogFile: process.env.SSLKEYLOGFILE || null };
}
