/**
 * Consistent replacements: the same input gives the same output everywhere in
 * a file (and in every file redacted with the same salt), so a C-FIND's
 * matching keys still line up with its responses, a C-STORE's Affected SOP
 * Instance UID with the instance's SOP Instance UID, and a C-MOVE's Move
 * Destination with the called AE title of its sub-association. Each is a
 * keyed hash (HMAC-SHA-256 under the salt) of a domain label and the value,
 * so nothing can be looked up without the salt (PS3.15 E.3.9: UIDs replaced
 * by ones that cannot be traced back; the mapping is "consistent within the
 * set" as the Annex asks).
 *
 * UIDs become `2.25.<decimal of 128 bits>`, the UUID-derived form of PS3.5
 * B.2 (at most 44 characters, under the 64 of PS3.5 §9.1). Addresses and
 * ports must also stay distinct (two connections must not collide into one
 * TCP stream), so those maps probe past a value already taken.
 */
import { hmacSha256 } from './sha256.ts';

/** What a pseudonym stands for: the label keeps two kinds of value from ever sharing a pseudonym. */
export type PseudonymDomain = 'patient-name' | 'person-name' | 'patient-id' | 'accession' | 'study-id' | 'other-id' | 'user' | 'ae';

/** Text before the hash, per domain; each result fits its VR (SH and AE: at most 16 characters). */
const FORMAT: Readonly<Record<PseudonymDomain, { prefix: string; hexDigits: number }>> = Object.freeze({
  'patient-name': { prefix: 'ANON^', hexDigits: 8 },
  'person-name': { prefix: 'PERSON^', hexDigits: 8 },
  'patient-id': { prefix: 'PID-', hexDigits: 10 },
  accession: { prefix: 'ACC-', hexDigits: 10 },
  'study-id': { prefix: 'SID-', hexDigits: 8 },
  'other-id': { prefix: 'ID-', hexDigits: 10 },
  user: { prefix: 'USER-', hexDigits: 8 },
  ae: { prefix: 'AE-', hexDigits: 10 },
});

/** Well-known UIDs (PS3.6 Annex A: SOP classes, transfer syntaxes, …) identify no one and are kept. */
const DICOM_UID_ROOT = '1.2.840.10008.';
/** Cached results are dropped beyond this many (recomputing is cheap; memory stays bounded on huge captures). */
const CACHE_LIMIT = 200_000;

const utf8 = new TextEncoder();

function hexOf(b: Uint8Array, digits: number): string {
  let s = '';
  for (let i = 0; s.length < digits; i++) s += b[i].toString(16).padStart(2, '0');
  return s.slice(0, digits).toUpperCase();
}

export class Pseudonyms {
  private readonly key: Uint8Array;
  private readonly cache = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
  private readonly hostsTaken = new Set<string>();
  private readonly ports = new Map<number, number>();
  private readonly portsTaken = new Set<number>();

  constructor(salt: string) {
    this.key = utf8.encode(salt);
  }

  /** HMAC of "domain NUL value". */
  digest(domain: string, value: string): Uint8Array {
    return hmacSha256(this.key, utf8.encode(`${domain}\0${value}`));
  }

  private cached(key: string, make: () => string): string {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, value);
    return value;
  }

  /** A UID (padding removed) → its replacement; empty values and well-known DICOM UIDs are kept. */
  uid(uid: string): string {
    const u = uid.replace(/[\0 ]+$/, '').trim();
    if (u === '' || u.startsWith(DICOM_UID_ROOT)) return u;
    return this.cached(`uid\0${u}`, () => {
      const d = this.digest('uid', u);
      let n = 0n;
      for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(d[i]);
      return `2.25.${n.toString()}`;
    });
  }

  /** The pseudonym of a (normalised) value in a domain. */
  of(domain: PseudonymDomain, value: string): string {
    return this.cached(`${domain}\0${value}`, () => {
      const f = FORMAT[domain];
      return f.prefix + hexOf(this.digest(domain, value), f.hexDigits);
    });
  }

  /** An IP address → a distinct private one of the same family (10.0.0.0/8, fd00::/8). */
  host(host: string): string {
    const known = this.hosts.get(host);
    if (known !== undefined) return known;
    const d = this.digest('host', host);
    const v6 = host.includes(':');
    let probe = 0;
    let mapped: string;
    do {
      if (v6) {
        const g = (i: number) => (((d[i] << 8) | d[i + 1]) ^ probe).toString(16);
        mapped = `fd00::${g(0)}:${g(2)}:${g(4)}:${g(6)}`;
      } else {
        const n = (((d[0] << 16) | (d[1] << 8) | d[2]) + probe) % 0xfffffe;
        mapped = `10.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${(n & 0xff) || 1}`;
      }
      probe++;
    } while (this.hostsTaken.has(mapped));
    this.hosts.set(host, mapped);
    this.hostsTaken.add(mapped);
    return mapped;
  }

  /** A TCP port → a distinct one in 20000–59999. */
  port(port: number): number {
    const known = this.ports.get(port);
    if (known !== undefined) return known;
    const d = this.digest('port', String(port));
    let n = ((d[0] << 8) | d[1]) % 40_000;
    while (this.portsTaken.has(20_000 + n)) n = (n + 1) % 40_000;
    this.ports.set(port, 20_000 + n);
    this.portsTaken.add(20_000 + n);
    return 20_000 + n;
  }

  /** A whole number of days in −3650 … −365 derived from the salt: the default date shift. */
  defaultDateShift(): number {
    const d = this.digest('date-shift', '');
    return -(365 + (((d[0] << 8) | d[1]) % 3286));
  }
}
