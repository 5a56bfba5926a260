/**
 * TLS cipher suites by their IANA code and name (the TLS Cipher Suites
 * registry; RFC 8446 §B.4 for TLS 1.3) and OpenSSL's name: the suites DCMTK's
 * security profiles name (PS3.15 Annex B.9–B.11, the BCP 195 profiles; DCMTK
 * dcmtls/libsrc/tlsciphr.cc) and those OpenSSL 3 and Node offer by default.
 * Data: `+cs NAME` takes the IANA name as DCMTK does, a ClientHello read from
 * a capture is named with it, and Node's getCipher().standardName is one.
 */

export interface CipherSuite {
  code: number;
  iana: string;
  /** OpenSSL's name, as Node's `ciphers` option takes it (TLS 1.3 suites have only the IANA name). */
  openssl: string;
}

export const CIPHER_SUITES: readonly CipherSuite[] = Object.freeze([
  { code: 0x1301, iana: 'TLS_AES_128_GCM_SHA256', openssl: 'TLS_AES_128_GCM_SHA256' },
  { code: 0x1302, iana: 'TLS_AES_256_GCM_SHA384', openssl: 'TLS_AES_256_GCM_SHA384' },
  { code: 0x1303, iana: 'TLS_CHACHA20_POLY1305_SHA256', openssl: 'TLS_CHACHA20_POLY1305_SHA256' },
  { code: 0xc02f, iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { code: 0xc030, iana: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { code: 0x009e, iana: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'DHE-RSA-AES128-GCM-SHA256' },
  { code: 0x009f, iana: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'DHE-RSA-AES256-GCM-SHA384' },
  { code: 0xc02b, iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
  { code: 0xc02c, iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
  { code: 0xcca8, iana: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-RSA-CHACHA20-POLY1305' },
  { code: 0xcca9, iana: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { code: 0xccaa, iana: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'DHE-RSA-CHACHA20-POLY1305' },
  { code: 0xc027, iana: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'ECDHE-RSA-AES128-SHA256' },
  { code: 0xc028, iana: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', openssl: 'ECDHE-RSA-AES256-SHA384' },
  { code: 0xc013, iana: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', openssl: 'ECDHE-RSA-AES128-SHA' },
  { code: 0xc014, iana: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', openssl: 'ECDHE-RSA-AES256-SHA' },
  { code: 0x002f, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA', openssl: 'AES128-SHA' },
  { code: 0x0035, iana: 'TLS_RSA_WITH_AES_256_CBC_SHA', openssl: 'AES256-SHA' },
  { code: 0x003c, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA256', openssl: 'AES128-SHA256' },
  { code: 0x009c, iana: 'TLS_RSA_WITH_AES_128_GCM_SHA256', openssl: 'AES128-GCM-SHA256' },
  { code: 0x009d, iana: 'TLS_RSA_WITH_AES_256_GCM_SHA384', openssl: 'AES256-GCM-SHA384' },
  { code: 0x000a, iana: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', openssl: 'DES-CBC3-SHA' },
  { code: 0x00ff, iana: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', openssl: '' },
]);

const byCode = new Map(CIPHER_SUITES.map((c) => [c.code, c]));
const byName = new Map(CIPHER_SUITES.flatMap((c) => [[c.iana.toUpperCase(), c], [c.openssl.toUpperCase(), c]] as [string, CipherSuite][]).filter(([k]) => k !== ''));

/** The IANA name of a suite code, or "0xC0A1" for one this table does not name. */
export function cipherSuiteName(code: number): string {
  return byCode.get(code)?.iana ?? `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A suite by its IANA or OpenSSL name (any case), or undefined. */
export function cipherSuiteByName(name: string): CipherSuite | undefined {
  return byName.get(name.trim().toUpperCase());
}

/** TLS protocol versions by their wire code (RFC 8446 §4.2.1; RFC 5246 §A.1). */
export function tlsVersionName(code: number): string {
  switch (code) {
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLSv1';
    case 0x0302: return 'TLSv1.1';
    case 0x0303: return 'TLSv1.2';
    case 0x0304: return 'TLSv1.3';
    default: return (code & 0x0f0f) === 0x0a0a ? 'GREASE' : `0x${code.toString(16).padStart(4, '0')}`;
  }
}
