/**
 * The pure side of DICOM over TLS: recording format version 3 (its frozen
 * file, made by a real `pacscope echo +tls` against DCMTK storescp +tls, and
 * a version 2 reader's view of a `tls` record), the ClientHello/ServerHello
 * reader on bytes of a real Node TLS handshake, the route syntax, DCMTK's
 * two-value `+tls KEY CERT`, and the TLS rules on facts of each kind.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RecordingDecoder } from '../../../shared/capture/recording/recording-decoder.ts';
import { encodeHeader, encodeRecord } from '../../../shared/capture/recording/encode.ts';
import { readRecordV2 } from '../../../shared/capture/recording/format-v2.ts';
import { readClearHandshake } from '../../../shared/capture/tls/handshake.ts';
import { looksLikeTlsHandshake } from '../../../shared/capture/tls/tls-records.ts';
import { alertOfMessage } from '../../../shared/capture/tls/alerts.ts';
import { parseRoute, formatRoute } from '../../../server/proxy/route-spec.ts';
import { parseArgs } from '../../../server/cli/args.ts';
import { TLS_CLIENT_OPTIONS, tlsSettingsFrom } from '../../../server/tls/tls-options.ts';
import { tlsMessage } from '../../../server/tls/tls-facts.ts';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import type { WireEvent, WireTls } from '../../../shared/capture/wire-event.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { summarize } from '../../../shared/model/summarize.ts';

const decode = (b: Uint8Array) => {
  const d = new RecordingDecoder();
  const a = d.push(b);
  const z = d.end();
  return { events: [...a.events, ...z.events], errors: [...a.errors, ...z.errors], meta: d.meta };
};

describe('recording format version 3', () => {
  // Written once by `pacscope echo +tls … --record` against DCMTK storescp +tls; never regenerate it.
  const v3 = fileURLToPath(new URL('../../fixtures/recording/v3-tls-echo.pacscope', import.meta.url));

  it('the frozen file reads: the TLS leg after the open, then the decrypted A-ASSOCIATE-RQ', () => {
    const r = decode(new Uint8Array(readFileSync(v3)));
    expect(r.errors).toEqual([]);
    expect(r.meta?.formatVersion).toBe(3);
    expect(r.events.slice(0, 3).map((e) => e.kind)).toEqual(['open', 'tls', 'data']);
    const tls = r.events[1] as WireTls;
    expect(tls).toMatchObject({ leg: 'acceptor', role: 'client', outcome: 'established', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', peerVerified: true });
    expect(tls.peerCertificate?.issuer).toBe('CN=pacscope test CA');
    expect((r.events[2] as { bytes: Uint8Array }).bytes[0]).toBe(0x01);
    expect(readFileSync(v3).length).toBe(2212);
  });

  it('round-trips a tls event; a version 2 reader could not read one (why the version changed)', () => {
    const tls: WireTls = { kind: 'tls', conn: 1, time: 5, leg: 'requestor', role: 'server', outcome: 'failed', version: null, cipher: null, sni: 'pacs', peerCertificate: null, peerVerified: null, verifyError: null, error: { code: 'ERR_SSL_NO_SHARED_CIPHER', message: 'no shared cipher', alert: 40, alertFrom: 'acceptor' }, offered: { versions: ['TLSv1.2'], cipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] } };
    const events: WireEvent[] = [{ kind: 'open', conn: 1, time: 1, requestor: { host: '127.0.0.1', port: 5 }, acceptor: { host: '127.0.0.1', port: 2762 } }, tls];
    const header = encodeHeader({ tool: { name: 'pacscope', version: 't' }, startTime: 0, source: { kind: 't', description: 't' }, metadata: {} });
    const records = events.map(encodeRecord);
    const file = new Uint8Array([...header, ...records.flatMap((r) => [...r])]);
    const r = decode(file);
    expect(r.errors).toEqual([]);
    expect(r.events).toEqual(events);
    expect(readRecordV2(records[1], 0, records[1].length)).toBe('event record is not a valid wire event (kind "tls")');
  });
});

describe('TLS records and handshake in clear', () => {
  // A ClientHello as OpenSSL 3 sends it (TLS 1.3 and 1.2 offered, SNI "pacs.example"), built by hand to the RFC 8446 layout.
  const hello = (() => {
    const sni = new TextEncoder().encode('pacs.example');
    const ext = [0, 0, 0, sni.length + 5, 0, sni.length + 3, 0, 0, sni.length, ...sni, 0, 43, 0, 5, 4, 3, 4, 3, 3];
    const body = [3, 3, ...new Array(32).fill(7), 0, 0, 4, 0x13, 0x02, 0xc0, 0x2f, 1, 0, 0, ext.length, ...ext];
    const hs = [1, 0, body.length >> 8, body.length & 255, ...body];
    return new Uint8Array([22, 3, 1, hs.length >> 8, hs.length & 255, ...hs]);
  })();

  it('reads the versions, suites and SNI a client offers', () => {
    expect(looksLikeTlsHandshake(hello)).toBe(true);
    expect(looksLikeTlsHandshake(Uint8Array.of(1, 0, 0, 0, 0, 0xcd, 0, 1))).toBe(false); // an A-ASSOCIATE-RQ
    const r = readClearHandshake(hello);
    expect(r.clientHello).toEqual({ versions: ['TLSv1.3', 'TLSv1.2'], cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], sni: 'pacs.example' });
    // Bad input is data: every truncation reads without throwing.
    for (let n = 0; n < hello.length; n++) expect(() => readClearHandshake(hello.subarray(0, n))).not.toThrow();
  });

  it('names alerts from OpenSSL\'s words', () => {
    expect(alertOfMessage('ssl3_read_bytes:tlsv1 alert unknown ca:…:SSL alert number 48')).toBe(48);
    expect(alertOfMessage('sslv3 alert certificate expired')).toBe(45);
    expect(tlsMessage('80CC4FFDBD7F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48')).toBe('tlsv1 alert unknown ca (SSL alert number 48)');
  });
});

describe('TLS on the command line and in routes', () => {
  it('takes DCMTK\'s +tls KEY CERT, +cf, -ic, +pz', () => {
    const a = parseArgs(['+tls', 'k.pem', 'c.pem', '+cf', 'ca.pem', '-ic', '+pz', 'host', '104'], TLS_CLIENT_OPTIONS);
    expect(a.positionals).toEqual(['host', '104']);
    const s = tlsSettingsFrom(a)!;
    expect([s.keyFile, s.certFile, s.caFiles, s.verify, s.profile]).toEqual(['k.pem', 'c.pem', ['ca.pem'], 'ignore', 'bcp195-ex']);
    expect(() => parseArgs(['+tls', 'k.pem'], TLS_CLIENT_OPTIONS)).toThrow(/two values/);
    expect(() => tlsSettingsFrom(parseArgs(['+cf', 'ca.pem'], TLS_CLIENT_OPTIONS))).toThrow(/TLS option/);
  });

  it('routes mark a TLS leg with tls:', () => {
    expect(parseRoute('tls:127.0.0.1:2762=127.0.0.1:4242')).toEqual({ listen: { host: '127.0.0.1', port: 2762 }, upstream: { host: '127.0.0.1', port: 4242 }, listenTls: true });
    const both = parseRoute('tls::2762=tls:pacs.local:2762');
    expect(both).toMatchObject({ listenTls: true, upstreamTls: true, upstream: { host: 'pacs.local', port: 2762 } });
    expect(formatRoute(both)).toBe('tls:127.0.0.1:2762=tls:pacs.local:2762');
    expect(parseRoute('127.0.0.1:1=127.0.0.1:2')).toEqual({ listen: { host: '127.0.0.1', port: 1 }, upstream: { host: '127.0.0.1', port: 2 } });
  });
});

describe('the TLS rules', () => {
  const open = (conn: number): WireEvent => ({ kind: 'open', conn, time: conn * 1000, requestor: { host: '10.0.0.5', port: 40000 + conn }, acceptor: { host: '10.0.0.9', port: 2762 } });
  const leg = (conn: number, o: Partial<WireTls>): WireTls => ({ kind: 'tls', conn, time: conn * 1000 + 1, leg: 'acceptor', role: 'client', outcome: 'failed', version: null, cipher: null, sni: null, peerCertificate: null, peerVerified: null, verifyError: null, error: null, ...o });
  const cert = { subject: 'CN=pacs', issuer: 'CN=Hospital CA', validFrom: '2019-01-01T00:00:00.000Z', validTo: '2020-01-01T00:00:00.000Z', subjectAltNames: ['DNS:pacs'], fingerprint256: null };
  const close = (conn: number): WireEvent => ({ kind: 'close', conn, time: conn * 1000 + 2, from: 'acceptor', how: 'reset' });

  async function run(events: WireEvent[]) {
    const summary: Summary = await summarize([events], { path: 't', format: 'recording' });
    return diagnose(summary);
  }

  it('tells each cause apart, with the values of the wire in the fix', async () => {
    const f = await run([
      open(1), leg(1, { verifyError: 'CERT_HAS_EXPIRED', peerCertificate: cert, error: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired', alert: null, alertFrom: null } }), close(1),
      open(2), leg(2, { error: { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'tlsv1 alert protocol version', alert: 70, alertFrom: 'acceptor' }, allowed: { versions: ['TLSv1.3'], ciphers: '' } }), close(2),
      open(3), { kind: 'data', conn: 3, time: 3001, from: 'requestor', bytes: Uint8Array.of(22, 3, 1, 0, 5, 1, 0, 0, 1, 0) }, { kind: 'data', conn: 3, time: 3002, from: 'acceptor', bytes: Uint8Array.of(7, 0, 0, 0, 0, 4, 0, 0, 0, 0) }, close(3),
    ]);
    expect(f.filter((x) => x.severity === 'error').map((x) => x.rule)).toEqual(['tls.certificate-expired', 'tls.no-shared-version', 'tls.tls-on-plain-port']);
    expect(f[0].fix).toContain('("CN=pacs", expired 2020-01-01)');
    expect(f[2].text).toContain('an A-ABORT');
    expect(f.some((x) => x.rule.startsWith('association.') || x.rule === 'connection.no-dicom')).toBe(false);
  });

  it('keeps the TLS facts in the summary model: legs with their times, first bytes that show TLS, nothing for plain DICOM', async () => {
    const summary = await summarize(
      [[
        open(1), leg(1, { outcome: 'established', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }), close(1),
        open(2), { kind: 'data', conn: 2, time: 2001, from: 'requestor', bytes: Uint8Array.of(22, 3, 1, 0, 5, 1, 0, 0, 1, 0) }, { kind: 'data', conn: 2, time: 2002, from: 'acceptor', bytes: Uint8Array.of(7, 0, 0, 0, 0, 4, 0, 0, 0, 0) }, close(2),
        open(3), { kind: 'data', conn: 3, time: 3001, from: 'requestor', bytes: Uint8Array.of(1, 0, 0, 0, 0, 4, 0, 1, 0, 0) }, close(3),
      ]],
      { path: 't', format: 'recording' },
    );
    const [a1, a2, a3] = summary.associations;
    expect(a1.tls?.legs).toHaveLength(1);
    expect(a1.tls?.legs[0]).toMatchObject({ outcome: 'established', version: 'TLSv1.3', role: 'client', time: 0.001 });
    expect(a1.tls?.legs[0]).not.toHaveProperty('kind');
    expect(a2.tls).toEqual({ legs: [], firstBytes: { requestor: '16030100050100000100', acceptor: '07000000000400000000' } });
    expect(a3.tls).toBeNull();
    // The JSON form round-trips: what `summary --json` writes is what the rules read.
    const again: Summary = JSON.parse(JSON.stringify(summary));
    expect(diagnose(again).map((f) => f.rule)).toEqual(diagnose(summary).map((f) => f.rule));
    expect(diagnose(again).some((f) => f.rule === 'tls.tls-on-plain-port')).toBe(true);
  });
});
