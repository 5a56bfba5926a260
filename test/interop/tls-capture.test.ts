/**
 * A capture of the wire (dumpcap) of DICOM over TLS between pacscope echo
 * and DCMTK storescp +tls, with the TLS key log pacscope wrote
 * (--tls-keylog): tshark decrypts it with the key log (TLS 1.3 handshake
 * messages after the ServerHello, encrypted on the wire, are read), and not
 * without; `pacscope summary` of the same capture says what it can show —
 * the handshake read in clear, the same version and suite as tshark reads —
 * and what it cannot: the DICOM inside, with how to see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess, runTool } from './harness/process.ts';
import { freePorts, waitListening } from './harness/net.ts';
import { makeTlsCerts, type TlsCerts } from './harness/tls-certs.ts';
import { findings, pacscope } from './harness/tls-lab.ts';

let certs: TlsCerts;
let dir: string;
beforeAll(async () => {
  certs = await makeTlsCerts();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-tls-capture-'));
});
afterAll(async () => {
  await certs?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a pcap of DICOM over TLS', () => {
  it('is decrypted by tshark with the key log pacscope wrote; pacscope summary reads its handshake and says it is encrypted', async () => {
    const [port] = await freePorts(1);
    await mkdir(join(dir, 'rx'));
    const scp = new RunningProcess('storescp', ['+tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '-od', join(dir, 'rx'), String(port)]);
    await waitListening(port, 10_000, () => scp.output);
    const pcap = join(dir, 'tls.pcapng');
    const keys = join(dir, 'keys.log');
    const cap = new RunningProcess('dumpcap', ['-q', '-i', 'lo', '-f', `tcp port ${port}`, '-w', pcap]);
    await cap.waitFor(/Capturing on/, 10_000);
    try {
      const echo = await pacscope(['echo', '+tls', certs.client.key, certs.client.cert, '+cf', certs.ca, '--tls-keylog', keys, '127.0.0.1', String(port)]);
      expect(echo.code, echo.output).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await cap.stop('SIGINT', 5000);
      await scp.stop();
    }
    expect(await readFile(keys, 'utf8')).toMatch(/^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]+$/m);
    // TLS 1.3 sends its Certificate encrypted: tshark shows it only with the key log.
    const fields = ['-d', `tcp.port==${port},tls`, '-T', 'fields', '-e', 'tls.handshake.type'];
    const without = await runTool('tshark', ['-r', pcap, ...fields], { timeoutMs: 60_000 });
    const withKeys = await runTool('tshark', ['-r', pcap, '-o', `tls.keylog_file:${keys}`, ...fields], { timeoutMs: 60_000 });
    const certificateMessages = (r: { output: string }) => r.output.split('\n').filter((l) => /(^|,)11(,|$)/.test(l.trim())).length;
    expect(certificateMessages(without)).toBe(0);
    expect(certificateMessages(withKeys)).toBeGreaterThanOrEqual(2); // the server's and the client's
    const hello = await runTool('tshark', ['-r', pcap, '-d', `tcp.port==${port},tls`, '-Y', 'tls.handshake.type==2', '-T', 'fields', '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.extensions.supported_version'], { timeoutMs: 60_000 });
    const [suiteHex, versionHex] = hello.output.trim().split('\n').at(-1)!.split('\t');
    // pacscope: the same handshake facts, and what it cannot show.
    const text = await pacscope(['summary', pcap, '--dicom-port', String(port)]);
    expect(text.code, text.output).toBe(0);
    expect(versionHex).toBe('0x0304');
    expect(text.output).toMatch(/encrypted \(seen in a capture\) TLSv1\.3 TLS_AES_(256_GCM_SHA384|128_GCM_SHA256)/);
    expect(text.output).toContain(suiteHex === '0x1302' ? 'TLS_AES_256_GCM_SHA384' : 'TLS_AES_128_GCM_SHA256');
    const f = await findings(pcap, ['--dicom-port', String(port)]);
    const info = f.find((x) => x.rule === 'tls.encrypted');
    expect(info?.title).toBe(`TLS on port ${port} between 127.0.0.1 and 127.0.0.1: 1 connection, encrypted`);
    expect(info?.fix).toMatch(/tls\.keylog_file/);
    expect(f.filter((x) => x.rule === 'connection.no-dicom')).toEqual([]);
  }, 90_000);
});
