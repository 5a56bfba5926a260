/**
 * Every TLS failure of issue 17, reproduced with a real peer (DCMTK 3.6.7,
 * its OpenSSL 3) and diagnosed by its cause from the recording
 * (`pacscope summary --json`): plain DICOM sent to a TLS port and TLS sent to
 * a plain one, told by the first bytes; a certificate not trusted, expired or
 * for another name; no TLS version or cipher suite in common; a client
 * certificate required but not sent — each seen from both roles where
 * pacscope can play them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess, runTool } from './harness/process.ts';
import { freePorts, waitListening } from './harness/net.ts';
import { makeTlsCerts, type TlsCerts } from './harness/tls-certs.ts';
import { dcmtkTls, findings, pacscope, startTlsServe, type TlsServe } from './harness/tls-lab.ts';
import type { Finding } from '../../shared/diagnosis/types.ts';

let certs: TlsCerts;
let dir: string;
beforeAll(async () => {
  certs = await makeTlsCerts();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-tls-failures-'));
});
afterAll(async () => {
  await certs?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** A serve with TLS ports and a recording; `run` uses it; the findings of the recording come back. */
async function withServe(extra: string[], run: (s: TlsServe) => Promise<void>): Promise<Finding[]> {
  const record = join(dir, `serve-${++n}.pacscope`);
  const s = await startTlsServe(join(dir, `data-${n}`), [...extra, '--record', record]);
  try {
    await run(s);
  } finally {
    await s.stop();
  }
  return findings(record);
}

/** A DCMTK storescp (its TLS options given) and a pacscope echo against it, recorded; the findings come back. */
async function againstStorescp(storescpArgs: string[], echoArgs: string[]): Promise<{ findings: Finding[]; echo: string }> {
  const [port] = await freePorts(1);
  const out = join(dir, `rx-${++n}`);
  await mkdir(out, { recursive: true });
  const scp = new RunningProcess('storescp', [...storescpArgs, '-od', out, String(port)]);
  await waitListening(port, 10_000, () => scp.output);
  const record = join(dir, `echo-${n}.pacscope`);
  let echo = '';
  try {
    const r = await pacscope(['echo', ...echoArgs, '--record', record, '127.0.0.1', String(port)]);
    expect(r.code).not.toBe(0);
    echo = r.output;
  } finally {
    await scp.stop();
  }
  return { findings: await findings(record), echo };
}

const rules = (f: Finding[]) => f.filter((x) => x.severity === 'error').map((x) => x.rule);
const one = (f: Finding[], rule: string): Finding => {
  const hit = f.filter((x) => x.rule === rule);
  expect(hit, JSON.stringify(f.map((x) => `${x.rule}: ${x.title}`), null, 1)).toHaveLength(1);
  return hit[0];
};

describe('TLS failures against pacscope serve (DCMTK echoscu as the client)', () => {
  it('plain DICOM to the TLS port, TLS to the plain port, an untrusted certificate, a missing client certificate', async () => {
    const f = await withServe(['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca], async (s) => {
      expect((await runTool('echoscu', ['-aet', 'PLAINSCU', '-aec', 'PACSCOPE', '127.0.0.1', String(s.pacsTlsPort)])).code).not.toBe(0);
      expect((await runTool('echoscu', ['-aet', 'TLSSCU', '-aec', 'PACSCOPE', ...dcmtkTls(certs), '127.0.0.1', String(s.pacsPort)])).code).not.toBe(0);
      expect((await runTool('echoscu', ['-aec', 'PACSCOPE', '+tls', certs.client.key, certs.client.cert, '127.0.0.1', String(s.pacsTlsPort)])).code).not.toBe(0); // no +cf: our CA unknown to it
      expect((await runTool('echoscu', ['-aec', 'PACSCOPE', '+tla', '+cf', certs.ca, '127.0.0.1', String(s.pacsTlsPort)])).code).not.toBe(0);
    });
    expect(rules(f).sort()).toEqual(['tls.certificate-untrusted', 'tls.client-certificate-missing', 'tls.plain-on-tls-port', 'tls.tls-on-plain-port']);
    const plain = one(f, 'tls.plain-on-tls-port');
    expect(plain.text).toContain('"PLAINSCU"'); // its A-ASSOCIATE-RQ was read
    expect(plain.fix).toMatch(/DCMTK: \+tls KEY\.pem CERT\.pem/); // identified from the A-ASSOCIATE-RQ's implementation class UID
    expect(one(f, 'tls.tls-on-plain-port').text).toMatch(/ClientHello/);
    const untrusted = one(f, 'tls.certificate-untrusted');
    expect(untrusted.text).toMatch(/did not trust pacscope's certificate.*"CN=localhost" issued by "CN=pacscope test CA"/);
    expect(untrusted.text).toMatch(/unknown_ca \(48\) sent by the requestor/);
    expect(untrusted.fix).toMatch(/trust the CA "pacscope test CA"/);
    expect(one(f, 'tls.client-certificate-missing').fix).toMatch(/-vc or -ic/);
  }, 90_000);

  it('no TLS version in common: echoscu +pz (TLS 1.2 only) against a TLS 1.3-only port', async () => {
    const f = await withServe(['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '--tls-min-version', '1.3'], async (s) => {
      expect((await runTool('echoscu', ['-aec', 'PACSCOPE', ...dcmtkTls(certs), '+pz', '127.0.0.1', String(s.pacsTlsPort)])).code).not.toBe(0);
    });
    expect(rules(f)).toEqual(['tls.no-shared-version']);
    expect(one(f, 'tls.no-shared-version').text).toMatch(/the client offered TLSv1\.2, pacscope allows TLSv1\.3/);
  }, 60_000);

  it('no cipher suite in common: echoscu +pz (BCP 195 AES-GCM suites) against a port allowing ChaCha20 only', async () => {
    const f = await withServe(['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '--tls-max-version', '1.2', '--tls-ciphers', 'ECDHE-RSA-CHACHA20-POLY1305'], async (s) => {
      expect((await runTool('echoscu', ['-aec', 'PACSCOPE', ...dcmtkTls(certs), '+pz', '127.0.0.1', String(s.pacsTlsPort)])).code).not.toBe(0);
    });
    expect(rules(f)).toEqual(['tls.no-shared-cipher']);
    expect(one(f, 'tls.no-shared-cipher').text).toMatch(/the client offered .*TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
  }, 60_000);
});

describe('TLS failures against DCMTK storescp (pacscope echo as the client)', () => {
  it('an untrusted server certificate', async () => {
    const { findings: f, echo } = await againstStorescp(['+tls', certs.untrusted.key, certs.untrusted.cert, '+cf', certs.ca], ['+tls', certs.client.key, certs.client.cert, '+cf', certs.ca]);
    expect(echo).toMatch(/refused — TLS handshake with 127\.0\.0\.1:\d+ failed: self[- ]signed certificate/);
    const x = one(f, 'tls.certificate-untrusted');
    expect(x.text).toMatch(/pacscope did not trust the certificate of the SCP at 127\.0\.0\.1:\d+: "CN=localhost" issued by "CN=localhost"/);
    expect(x.fix).toMatch(/\+cf/);
  }, 60_000);

  it('an expired server certificate', async () => {
    const { findings: f } = await againstStorescp(['+tls', certs.expired.key, certs.expired.cert, '+cf', certs.ca], ['+tls', certs.client.key, certs.client.cert, '+cf', certs.ca]);
    const x = one(f, 'tls.certificate-expired');
    expect(x.text).toMatch(/valid 2020-01-01 to 2020-02-01/);
    expect(x.text).toMatch(/expired on 2020-02-01/);
    expect(x.fix).toMatch(/Renew the certificate of the SCP at 127\.0\.0\.1:\d+ \("CN=localhost", expired 2020-02-01\)/);
  }, 60_000);

  it('a certificate for another name', async () => {
    const { findings: f } = await againstStorescp(['+tls', certs.wrongName.key, certs.wrongName.cert, '+cf', certs.ca], ['+tls', certs.client.key, certs.client.cert, '+cf', certs.ca]);
    const x = one(f, 'tls.certificate-wrong-name');
    expect(x.text).toMatch(/names DNS:pacs\.example.*"127\.0\.0\.1" is not among them/);
    expect(x.fix).toMatch(/subjectAltName IP:127\.0\.0\.1/);
  }, 60_000);

  it('a client certificate required (storescp -rc, its default) but not sent (+tla)', async () => {
    const { findings: f } = await againstStorescp(['+tls', certs.server.key, certs.server.cert, '+cf', certs.ca], ['+tla', '+cf', certs.ca]);
    const x = one(f, 'tls.client-certificate-missing');
    expect(x.text).toMatch(/certificate_required \(116\) sent by the acceptor/);
    expect(x.fix).toMatch(/Give pacscope .*a certificate signed by a CA that the SCP at 127\.0\.0\.1:\d+ trusts: pacscope: \+tls KEY\.pem CERT\.pem/);
  }, 60_000);

  it('TLS sent to a plain DICOM port', async () => {
    const { findings: f } = await againstStorescp([], ['+tls', certs.client.key, certs.client.cert, '+cf', certs.ca]);
    const x = one(f, 'tls.tls-on-plain-port');
    expect(x.fix).toMatch(/Send plain DICOM/);
  }, 60_000);
});
