/**
 * The TLS options of the commands, in DCMTK's spellings where it has them
 * (storescu/storescp 3.6.7 `--help`, "transport layer security (TLS)
 * options"): +tls KEY CERT, +tla, +cf, +cd, +pw, -rc/-vc/-ic, +py/+px/+pz,
 * +cs; pacscope's own for what DCMTK does not offer (--tls-ciphers,
 * --tls-min-version, --tls-max-version, --tls-keylog). One table per role,
 * read by the parser and the --help alike (args.ts).
 */
import type { OptionSpec, ParsedArgs } from '../cli/args.ts';
import { defaultTlsSettings, type PeerVerification, type TlsProfile, type TlsSettings, type TlsVersion } from './tls-settings.ts';

const OWN_CERT: OptionSpec = { name: 'tls', value: 'KEY CERT', arity: 2, aliases: ['+tls', '--enable-tls'], help: 'speak DICOM over TLS (PS3.15 Annex B) with this private key and certificate (PEM files) (default: plain TCP)' };
const ANONYMOUS: OptionSpec = { name: 'anonymous-tls', aliases: ['+tla'], help: 'speak TLS without a certificate of our own (DCMTK +tla; a server that requires one refuses it)' };
const PASSWORD: OptionSpec = { name: 'use-passwd', value: 'PASSWORD', aliases: ['+pw'], help: 'password of an encrypted private key (default: none)' };
const CA_FILE: OptionSpec = { name: 'add-cert-file', value: 'FILE', aliases: ['+cf'], help: "a trusted certificate (PEM): the peer's, or the CA that signed it (repeatable; default: Node's public CAs)" };
const CA_DIR: OptionSpec = { name: 'add-cert-dir', value: 'DIR', aliases: ['+cd'], help: 'every PEM certificate in DIR is trusted (repeatable)' };
const PROFILE: OptionSpec = {
  name: 'tls-profile',
  value: 'bcp195-nd|bcp195|bcp195-ex',
  presets: { '+py': 'bcp195-nd', '--profile-bcp195-nd': 'bcp195-nd', '+px': 'bcp195', '--profile-bcp195': 'bcp195', '+pz': 'bcp195-ex', '--profile-bcp195-ex': 'bcp195-ex' },
  help: "DCMTK's security profiles: Non-downgrading BCP 195 (TLS 1.2–1.3, ECDHE/DHE-RSA AES-GCM), BCP 195 (adds AES128-SHA and older versions), Extended BCP 195 (TLS 1.2 only) (default bcp195-nd)",
};
const CIPHER: OptionSpec = { name: 'cipher', value: 'SUITE', aliases: ['+cs'], help: 'add a TLS 1.2 cipher suite by its IANA name, e.g. TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (repeatable)' };
const CIPHER_LIST: OptionSpec = { name: 'tls-ciphers', value: 'LIST', help: "an OpenSSL cipher list that replaces the profile's TLS 1.2 suites, e.g. ECDHE-RSA-CHACHA20-POLY1305 (default: the profile's)" };
const MIN_VERSION: OptionSpec = { name: 'tls-min-version', value: '1.2|1.3', help: "the oldest TLS version accepted (default: the profile's, 1.2)" };
const MAX_VERSION: OptionSpec = { name: 'tls-max-version', value: '1.2|1.3', help: "the newest TLS version offered (default: the profile's, 1.3)" };
const KEYLOG: OptionSpec = { name: 'tls-keylog', value: 'FILE', help: "append the TLS secrets to FILE (NSS key log format) so that Wireshark decrypts a capture of the wire (default: $SSLKEYLOGFILE if set, else none)" };

const peerOption = (server: boolean): OptionSpec => ({
  name: 'peer-cert',
  value: server ? 'require|verify|ignore' : 'require|ignore',
  presets: {
    '-rc': 'require',
    '--require-peer-cert': 'require',
    ...(server ? { '-vc': 'verify', '--verify-peer-cert': 'verify' } : {}),
    '-ic': 'ignore',
    '--ignore-peer-cert': 'ignore',
  },
  help: server
    ? "the peer's certificate: required and verified (-rc), verified if sent (-vc), or not checked (-ic) (default require)"
    : "the peer's certificate: verified against the trusted ones and the name connected to (-rc), or not checked (-ic) (default require)",
});

/** TLS options of a client: the SCU commands. */
export const TLS_CLIENT_OPTIONS: readonly OptionSpec[] = [OWN_CERT, ANONYMOUS, PASSWORD, CA_FILE, CA_DIR, peerOption(false), PROFILE, CIPHER, CIPHER_LIST, MIN_VERSION, MAX_VERSION, KEYLOG];

/** TLS options of a server that also calls out (pacscope serve: its TLS ports, the PACS's sub-associations; pacscope proxy: both legs). */
export const TLS_SERVER_OPTIONS: readonly OptionSpec[] = [OWN_CERT, PASSWORD, CA_FILE, CA_DIR, peerOption(true), PROFILE, CIPHER, CIPHER_LIST, MIN_VERSION, MAX_VERSION, KEYLOG];

function version(text: string | undefined, option: string): TlsVersion | null {
  if (text === undefined) return null;
  const v = text.replace(/^TLSv?/i, '');
  if (v === '1.2' || v === '1.3') return `TLSv${v}`;
  throw new Error(`--${option}: 1.2 or 1.3, got "${text}"`);
}

/** The TLS settings of a command line, or null when it asks for no TLS. */
export function tlsSettingsFrom(args: ParsedArgs): TlsSettings | null {
  const last = (k: string) => args.values.get(k)?.at(-1);
  const pair = args.values.get('tls');
  const anonymous = args.flags.has('anonymous-tls');
  if (!pair && !anonymous) {
    const stray = ['add-cert-file', 'add-cert-dir', 'peer-cert', 'tls-profile', 'cipher', 'tls-ciphers', 'tls-min-version', 'tls-max-version', 'use-passwd'].find((k) => args.values.has(k));
    if (stray) throw new Error(`--${stray} is a TLS option: add +tls KEY CERT${TLS_CLIENT_OPTIONS.includes(ANONYMOUS) ? ' (or +tla)' : ''}`);
    return null;
  }
  if (pair && anonymous) throw new Error('+tls KEY CERT and +tla (anonymous TLS) exclude each other');
  const s = defaultTlsSettings();
  if (pair) [s.keyFile, s.certFile] = pair.slice(-2);
  s.passphrase = last('use-passwd');
  s.caFiles = args.values.get('add-cert-file') ?? [];
  s.caDirs = args.values.get('add-cert-dir') ?? [];
  const peer = last('peer-cert') ?? 'require';
  if (peer !== 'require' && peer !== 'verify' && peer !== 'ignore') throw new Error(`--peer-cert: require, verify or ignore, got "${peer}"`);
  s.verify = (peer === 'verify' ? 'verify-if-present' : peer) as PeerVerification;
  const profile = last('tls-profile') ?? 'bcp195-nd';
  if (profile !== 'bcp195-nd' && profile !== 'bcp195' && profile !== 'bcp195-ex') throw new Error(`--tls-profile: bcp195-nd, bcp195 or bcp195-ex, got "${profile}"`);
  s.profile = profile as TlsProfile;
  s.addCiphers = args.values.get('cipher') ?? [];
  s.cipherList = last('tls-ciphers') ?? null;
  s.minVersion = version(last('tls-min-version'), 'tls-min-version');
  s.maxVersion = version(last('tls-max-version'), 'tls-max-version');
  s.keylogFile = last('tls-keylog') ?? s.keylogFile;
  return s;
}
