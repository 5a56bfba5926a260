/**
 * DICOM over TLS (PS3.15 Annex B) on every endpoint, against real peers:
 * DCMTK echoscu, findscu and storescu with +tls into `pacscope serve`'s TLS
 * ports; movescu (which DCMTK 3.6.7 builds without TLS) through pacscope's
 * proxy onto the PACS's TLS port, the C-MOVE's sub-association going over TLS
 * to DCMTK storescp +tls; pacscope's SCU commands with +tls against storescp
 * +tls; the proxy terminating TLS on either leg. Every recording carries the
 * decrypted DICOM and the TLS facts of each leg; the pcapng export of one is
 * read by tshark as DICOM with the TLS facts as a packet comment.
 * Certificates are made by openssl for the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess, runTool } from './harness/process.ts';
import { freePorts } from './harness/net.ts';
import { makeTlsCerts, type TlsCerts } from './harness/tls-certs.ts';
import { dcmtkTls, findings, pacscope, recordedEvents, startProxy, startTlsServe, tlsEvents, type TlsServe } from './harness/tls-lab.ts';
import { waitListening } from './harness/net.ts';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';

let certs: TlsCerts;
let dir: string;
beforeAll(async () => {
  certs = await makeTlsCerts();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-tls-endpoints-'));
});
afterAll(async () => {
  await certs?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function storescpTls(port: number, out: string, extra: string[] = []): Promise<RunningProcess> {
  await mkdir(out, { recursive: true });
  const p = new RunningProcess('storescp', ['-aet', 'TLSDEST', '+tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '-od', out, ...extra, String(port)]);
  await waitListening(port, 10_000, () => p.output);
  return p;
}

const anInstance = async (dataDir: string): Promise<string> => join(dataDir, 'pacs', 'instances', (await readdir(join(dataDir, 'pacs', 'instances'))).filter((f) => f.endsWith('.dcm'))[0]);

describe('pacscope serve --tls with DCMTK', () => {
  it('answers echoscu, findscu, storescu over TLS, and moves over TLS to storescp +tls (movescu through the TLS proxy)', async () => {
    const data = join(dir, 'serve');
    const record = join(dir, 'serve.pacscope');
    const proxyRecord = join(dir, 'move-proxy.pacscope');
    const [destPort] = await freePorts(1);
    const dest = await storescpTls(destPort, join(dir, 'dest'));
    const serve: TlsServe = await startTlsServe(data, ['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '--dest', `TLSDEST=tls:127.0.0.1:${destPort}`, '--record', record]);
    let proxy: RunningProcess | null = null;
    try {
      const echo = await runTool('echoscu', ['-aec', 'PACSCOPE', ...dcmtkTls(certs), '127.0.0.1', String(serve.pacsTlsPort)]);
      expect(echo.code, echo.output).toBe(0);
      const find = await runTool('findscu', ['-S', '-aec', 'PACSCOPE', ...dcmtkTls(certs), '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '127.0.0.1', String(serve.pacsTlsPort)]);
      expect(find.code, find.output).toBe(0);
      expect(find.output.match(/StudyInstanceUID/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
      const file = await anInstance(data);
      const store = await runTool('storescu', ['-aec', 'STORESCP', ...dcmtkTls(certs), '127.0.0.1', String(serve.storeTlsPort), file]);
      expect(store.code, store.output).toBe(0);
      expect((await readdir(join(data, 'store-scp'))).filter((f) => f.endsWith('.dcm'))).toHaveLength(1);

      // movescu has no TLS in DCMTK 3.6.7: a plain leg to the proxy, TLS from the proxy to the PACS.
      const p = await startProxy(['--route', `127.0.0.1:0=tls:127.0.0.1:${serve.pacsTlsPort}`, '--tls', certs.client.key, certs.client.cert, '+cf', certs.ca, '--record', proxyRecord]);
      proxy = p.proc;
      const move = await runTool('movescu', ['-S', '-aec', 'PACSCOPE', '-aem', 'TLSDEST', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(1)}`, '127.0.0.1', String(p.ports[0])], { timeoutMs: 60_000 });
      expect(move.code, move.output).toBe(0);
      const moved = (await readdir(join(dir, 'dest'))).length;
      expect(moved).toBeGreaterThan(0);
    } finally {
      await proxy?.stop('SIGINT', 10_000);
      await serve.stop();
      await dest.stop();
    }
    // The serve's recording: every association over TLS, decrypted, with its leg's facts.
    const events = await recordedEvents(record);
    const legs = tlsEvents(events);
    const servers = legs.filter((l) => l.role === 'server' && l.outcome === 'established');
    expect(servers.length).toBeGreaterThanOrEqual(4); // echo, find, store, the proxied move
    for (const l of servers) {
      expect(l.version).toMatch(/^TLSv1\.[23]$/);
      expect(l.cipher).toMatch(/^TLS_/);
      expect(l.peerVerified).toBe(true);
    }
    expect(servers.some((l) => /CN=TLSSCU/.test(l.peerCertificate?.subject ?? ''))).toBe(true);
    // The sub-association: pacscope the TLS client towards storescp +tls.
    const sub = legs.find((l) => l.role === 'client');
    expect(sub?.outcome).toBe('established');
    expect(sub?.peerCertificate?.subject).toBe('CN=localhost');
    const summary = await pacscope(['summary', record, '--json']);
    const json = JSON.parse(summary.output) as { messages: { commandField: number }[]; errors: unknown[]; findings: { rule: string; severity: string }[] };
    expect(json.errors).toEqual([]);
    const commands = new Set(json.messages.map((m) => m.commandField));
    for (const c of [0x0030, 0x0020, 0x0021, 0x0001]) expect(commands.has(c)).toBe(true); // C-ECHO, C-FIND, C-MOVE, C-STORE
    expect(json.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // The proxy's recording: the upstream leg's TLS facts, the C-MOVE decoded from the decrypted stream.
    const proxied = tlsEvents(await recordedEvents(proxyRecord));
    expect(proxied.map((l) => `${l.leg} ${l.role} ${l.outcome}`)).toEqual(['acceptor client established']);
  }, 120_000);
});

describe('pacscope SCU commands with +tls against DCMTK storescp +tls', () => {
  it('echoes and stores over TLS, recording the decrypted DICOM with the server certificate it verified', async () => {
    const data = join(dir, 'scu-data');
    const serve = await startTlsServe(data, ['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca]); // only for its synthetic instances
    await serve.stop();
    const [port] = await freePorts(1);
    const scp = await storescpTls(port, join(dir, 'scu-rx'));
    const record = join(dir, 'scu.pacscope');
    try {
      const echo = await pacscope(['echo', '--aec', 'TLSDEST', '+tls', certs.client.key, certs.client.cert, '+cf', certs.ca, '127.0.0.1', String(port)]);
      expect(echo.code, echo.output).toBe(0);
      const store = await pacscope(['store', '--aec', 'TLSDEST', '+tls', certs.client.key, certs.client.cert, '+cf', certs.ca, '--record', record, '127.0.0.1', String(port), await anInstance(data)]);
      expect(store.code, store.output).toBe(0);
    } finally {
      await scp.stop();
    }
    expect(await readdir(join(dir, 'scu-rx'))).toHaveLength(1);
    const legs = tlsEvents(await recordedEvents(record));
    expect(legs).toHaveLength(1);
    expect(legs[0]).toMatchObject({ leg: 'acceptor', role: 'client', outcome: 'established', peerVerified: true });
    expect(legs[0].peerCertificate?.issuer).toBe('CN=pacscope test CA');
    expect(legs[0].localCertificate?.subject).toBe('CN=TLSSCU');
    const text = await pacscope(['summary', record]);
    expect(text.output).toMatch(/C-STORE-RSP .*0x0000 Success/);
    expect(text.output).toMatch(/established \(acceptor leg, pacscope the TLS client\) TLSv1\.3 TLS_AES/);
  }, 90_000);
});

describe('pacscope proxy terminating TLS', () => {
  it('relays TLS → plain, plain → TLS and TLS → TLS, records the decrypted DICOM with each leg, and exports a pcapng tshark reads as DICOM', async () => {
    const data = join(dir, 'proxy-data');
    const serve = await startTlsServe(data, ['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca]);
    await serve.stop();
    const file = await anInstance(data);
    const [plainPort, tlsPort] = await freePorts(2);
    await mkdir(join(dir, 'plain-rx'), { recursive: true });
    const plain = new RunningProcess('storescp', ['-od', join(dir, 'plain-rx'), String(plainPort)]);
    await waitListening(plainPort, 10_000, () => plain.output);
    const secure = await storescpTls(tlsPort, join(dir, 'tls-rx'));
    const record = join(dir, 'proxy.pacscope');
    const p = await startProxy(['--route', `tls:127.0.0.1:0=127.0.0.1:${plainPort}`, '--route', `127.0.0.1:0=tls:127.0.0.1:${tlsPort}`, '--route', `tls:127.0.0.1:0=tls:127.0.0.1:${tlsPort}`, '--tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '--record', record]);
    try {
      const [a, b, c] = p.ports;
      for (const [port, tls] of [[a, true], [b, false], [c, true]] as const) {
        const r = await runTool('storescu', [...(tls ? dcmtkTls(certs) : []), '127.0.0.1', String(port), file]);
        expect(r.code, r.output).toBe(0);
      }
    } finally {
      await p.proc.stop('SIGINT', 10_000);
      await plain.stop();
      await secure.stop();
    }
    expect(await readdir(join(dir, 'plain-rx'))).toHaveLength(1);
    expect(await readdir(join(dir, 'tls-rx'))).toHaveLength(1); // the same instance twice: one file
    const events = await recordedEvents(record);
    const byConn = new Map<number, string[]>();
    for (const l of tlsEvents(events)) byConn.set(l.conn, [...(byConn.get(l.conn) ?? []), `${l.leg}:${l.role}:${l.outcome}`]);
    expect([...byConn.values()]).toEqual([['requestor:server:established'], ['acceptor:client:established'], ['requestor:server:established', 'acceptor:client:established']]);
    const f = await findings(record);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    const stores = (await pacscope(['summary', record])).output.match(/C-STORE-RSP .*0x0000 Success/g) ?? [];
    expect(stores).toHaveLength(3);

    // Wireshark: the export carries the decrypted stream (Wireshark 4.0 has no DICOM inside TLS), and the TLS facts as comments.
    const pcap = join(dir, 'proxy.pcapng');
    const ex = await pacscope(['export', record, '--pcapng', pcap]);
    expect(ex.code, ex.output).toBe(0);
    const ports = [...new Set(events.flatMap((e) => (e.kind === 'open' ? [e.acceptor.port] : [])))];
    const decode = ports.flatMap((port) => ['-d', `tcp.port==${port},dicom`]);
    const shown = await runTool('tshark', ['-r', pcap, ...decode, '-Y', 'dicom', '-T', 'fields', '-e', 'dicom.pdu.type'], { timeoutMs: 60_000 });
    expect(shown.code, shown.output).toBe(0);
    expect(shown.output.split('\n').filter((l) => /^\d/.test(l)).length).toBeGreaterThanOrEqual(3 * 4); // RQ, AC, P-DATA…, release per association
    const comments = await runTool('tshark', ['-r', pcap, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.comment'], { timeoutMs: 60_000 });
    expect(comments.output).toMatch(/TLS, requestor leg \(pacscope was the server\): established; the DICOM below was decrypted by pacscope; TLSv1\.3; TLS_AES/);
    expect(comments.output).toMatch(/TLS, acceptor leg \(pacscope was the client\): established/);
  }, 120_000);
});
