/**
 * The small pure pieces of the redactor: SHA-256 / HMAC against the published
 * test vectors, the pseudonym formats and their consistency, date shifting.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hmacSha256, sha256 } from '../../../shared/redact/sha256.ts';
import { Pseudonyms } from '../../../shared/redact/pseudonyms.ts';
import { shiftDates } from '../../../shared/redact/date-shift.ts';
import { deflateStored } from '../../../shared/redact/deflate-stored.ts';
import { inflateRawSync } from 'node:zlib';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('SHA-256 and HMAC-SHA-256', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(hex(sha256(bytes('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(bytes('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(bytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('gives the RFC 4231 HMAC test case 2', () => {
    expect(hex(hmacSha256(bytes('Jefe'), bytes('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('agrees with Node crypto on any input and key (block boundaries included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 150 }), (msg, key) => {
        expect(hex(sha256(msg))).toBe(createHash('sha256').update(msg).digest('hex'));
        expect(hex(hmacSha256(key, msg))).toBe(createHmac('sha256', key).update(msg).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('pseudonyms', () => {
  const p = new Pseudonyms('salt');

  it('maps a UID to 2.25.<decimal> consistently, keeps well-known and empty UIDs', () => {
    const a = p.uid('1.2.3.4');
    expect(a).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(p.uid('1.2.3.4\0')).toBe(a);
    expect(new Pseudonyms('salt').uid('1.2.3.4')).toBe(a);
    expect(new Pseudonyms('other').uid('1.2.3.4')).not.toBe(a);
    expect(p.uid('1.2.840.10008.5.1.4.1.1.2')).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(p.uid('')).toBe('');
  });

  it('fits each VR: AE and SH pseudonyms within 16 characters', () => {
    expect(p.of('ae', 'STORESCP')).toMatch(/^AE-[0-9A-F]{10}$/);
    expect(p.of('accession', 'ACC001').length).toBeLessThanOrEqual(16);
    expect(p.of('study-id', 'S1').length).toBeLessThanOrEqual(16);
    expect(p.of('patient-name', 'DOE^JOHN')).toMatch(/^ANON\^[0-9A-F]{8}$/);
    expect(p.of('patient-id', 'X')).not.toBe(p.of('accession', 'X'));
  });

  it('maps addresses and ports one to one, within private ranges', () => {
    const hosts = Array.from({ length: 300 }, (_, i) => `192.168.${i >> 8}.${i & 0xff}`).map((h) => p.host(h));
    expect(new Set(hosts).size).toBe(300);
    expect(hosts.every((h) => /^10\.\d+\.\d+\.\d+$/.test(h))).toBe(true);
    expect(p.host('::1')).toMatch(/^fd00:/);
    const ports = Array.from({ length: 2000 }, (_, i) => p.port(30000 + i));
    expect(new Set(ports).size).toBe(2000);
    expect(ports.every((x) => x >= 20000 && x < 60000)).toBe(true);
    expect(p.port(30000)).toBe(ports[0]);
  });

  it('derives a default date shift from the salt, within −3650 … −365 days', () => {
    const d = new Pseudonyms('a').defaultDateShift();
    expect(d).toBe(new Pseudonyms('a').defaultDateShift());
    expect(d).toBeGreaterThanOrEqual(-3650);
    expect(d).toBeLessThanOrEqual(-365);
  });
});

describe('date shift (PS3.15 E.3.6, values of PS3.5 §6.2)', () => {
  it('moves DA values, multi-values, ranges and the ACR-NEMA form', () => {
    expect(shiftDates('DA', '20240115', -10)).toBe('20240105');
    expect(shiftDates('DA', '20240301', -1)).toBe('20240229');
    expect(shiftDates('DA', '20240101-20241231', 31)).toBe('20240201-20250131');
    expect(shiftDates('DA', '-20240115', 1)).toBe('-20240116');
    expect(shiftDates('DA', '20240115-', 1)).toBe('20240116-');
    expect(shiftDates('DA', '20240115\\20240116 ', 1)).toBe('20240116\\20240117');
    expect(shiftDates('DA', '2024.01.15', 1)).toBe('2024.01.16');
    expect(shiftDates('DA', '', 5)).toBe('');
  });

  it('moves DT values with their precision and offset kept', () => {
    expect(shiftDates('DT', '20240115103000.123456+0100', -15)).toBe('20231231103000.123456+0100');
    expect(shiftDates('DT', '202401', -31)).toBe('202312');
    expect(shiftDates('DT', '2024', 400)).toBe('2025');
    expect(shiftDates('DT', '20240115-0500', 1)).toBe('20240116-0500');
    expect(shiftDates('DT', '20240101-20240201', 1)).toBe('20240102-20240202');
  });

  it('empties what is no date at all (it could be one in disguise)', () => {
    expect(shiftDates('DA', 'JOHN DOE', 1)).toBe('');
    expect(shiftDates('DA', '20241340', 1)).toBe('');
  });
});

describe('stored DEFLATE', () => {
  it('inflates back to the input with zlib, at block boundaries too', () => {
    for (const n of [0, 1, 65535, 65536, 140_000]) {
      const input = new Uint8Array(n).map((_, i) => (i * 31) & 0xff);
      expect(new Uint8Array(inflateRawSync(deflateStored(input)))).toEqual(input);
    }
  });
});
