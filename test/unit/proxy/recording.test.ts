/**
 * The headless proxy's recording: nothing relayed is missing when the proxy
 * is stopped or a side dies (read back with server/recording/reader.ts, bytes
 * compared), rotation by size and by time gives files that are each a whole
 * recording, and `pacscope proxy` flushes everything on SIGTERM and prints
 * its summary.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Proxy } from '../../../server/proxy/proxy.ts';
import { HeadlessCapture } from '../../../server/proxy/headless-capture.ts';
import { RotatingRecorder } from '../../../server/proxy/rotating-recorder.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Side, WireEvent, WireOpen } from '../../../shared/capture/wire-event.ts';
import { TestServer, connect, cstoreDialog, play, randomBytes, sha256, total, until } from './helpers.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-proxy-test-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const recorded = (events: WireEvent[], from: Side): Uint8Array[] => events.flatMap((e) => (e.kind === 'data' && e.from === from ? [e.bytes] : []));
const concat = (chunks: readonly Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length)));

async function headless(upstreamPort: number, recorderOptions: Partial<Parameters<typeof RotatingRecorder.open>[0]>) {
  const recorder = await RotatingRecorder.open({ source: { kind: 'proxy', description: 'test' }, ...recorderOptions });
  const capture = new HeadlessCapture(recorder);
  const proxy = new Proxy({ capture, onConnection: (conn, route) => capture.stats.assign(conn, route.listen) });
  const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${upstreamPort}`);
  cleanup.push(() => proxy.close(), () => recorder.close().catch(() => undefined));
  return { recorder, capture, proxy, port: Number(route.listen.split(':')[1]) };
}

describe('proxy recording', () => {
  it('a stop in the middle of a transfer loses nothing that was relayed', async () => {
    const dir = await tempDir();
    const upstream = await TestServer.start();
    cleanup.push(() => upstream.close());
    const { capture, proxy, port } = await headless(upstream.port, { path: join(dir, 'stop.pacscope') });
    const sent = randomBytes(64 * 1024 * 1024, 3);
    const answer = randomBytes(2 * 1024 * 1024, 5);
    upstream.onPeer = (p) => p.socket.write(answer);
    const client = await connect(port);
    client.socket.write(sent);
    // Stop while bytes are still flowing (the SIGINT/SIGTERM path of the CLI: proxy.close, then capture.close).
    await until(() => total(upstream.peers[0]?.received ?? []) > 8 * 1024 * 1024, 10_000, 'some bytes to be relayed');
    await proxy.close();
    await capture.close();
    const { events, errors } = await readRecordingFile(join(dir, 'stop.pacscope'));
    expect(errors).toEqual([]);
    const rq = concat(recorded(events, 'requestor'));
    // Everything the proxy read from the client is recorded: a prefix of what the client sent, at least what the upstream got.
    expect(rq.length).toBeGreaterThanOrEqual(total(upstream.peers[0].received));
    expect(rq.equals(sent.subarray(0, rq.length))).toBe(true);
    expect(concat(upstream.peers[0].received).equals(rq.subarray(0, total(upstream.peers[0].received)))).toBe(true);
    expect(sha256(recorded(events, 'acceptor'))).toBe(sha256(answer.subarray(0, total(recorded(events, 'acceptor')))));
    expect(events.at(-1)).toMatchObject({ kind: 'close', how: 'error', reason: 'proxy stopped' });
  }, 30_000);

  it('a side that dies (the upstream resets mid-transfer) loses nothing that was relayed', async () => {
    const dir = await tempDir();
    const upstream = await TestServer.start();
    cleanup.push(() => upstream.close());
    const { capture, proxy, port } = await headless(upstream.port, { path: join(dir, 'reset.pacscope') });
    const sent = randomBytes(32 * 1024 * 1024, 9);
    const client = await connect(port);
    client.socket.write(sent);
    await until(() => total(upstream.peers[0]?.received ?? []) > 4 * 1024 * 1024, 10_000);
    upstream.peers[0].socket.resetAndDestroy();
    await until(() => proxy.active === 0, 10_000, 'the relay to end');
    await until(() => client.gone, 5000, 'the client to see the reset');
    expect(client.error?.code).toMatch(/ECONNRESET|EPIPE/);
    const relayed = proxy.list()[0].counters.bytesToUpstream;
    await capture.flush();
    const { events } = await readRecordingFile(join(dir, 'reset.pacscope'));
    const rq = concat(recorded(events, 'requestor'));
    expect(rq.length).toBe(relayed);
    expect(rq.equals(sent.subarray(0, rq.length))).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'close', from: 'acceptor', how: 'reset' });
  }, 30_000);

  it('rotates by size: several files, each a whole recording the decoder reads, no byte in two or none', async () => {
    const dir = await tempDir();
    const upstream = await TestServer.start();
    cleanup.push(() => upstream.close());
    const { recorder, capture, proxy, port } = await headless(upstream.port, { dir, prefix: 'rot', rotateBytes: 256 * 1024 });
    const steps = cstoreDialog(30, 100_000);
    upstream.onPeer = (p) => void play(p, 'acceptor', steps);
    await play(await connect(port), 'requestor', steps);
    await until(() => proxy.active === 0);
    await proxy.close();
    await capture.close();
    const files = (await readdir(dir)).filter((f) => f.startsWith('rot-')).sort();
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(recorder.files.map((f) => f.slice(dir.length + 1))).toEqual(files);
    const all: Record<Side, Uint8Array[]> = { requestor: [], acceptor: [] };
    let stores = 0;
    for (const [i, f] of files.entries()) {
      const { meta, events, errors } = await readRecordingFile(join(dir, f));
      expect(errors).toEqual([]);
      expect(meta?.metadata).toMatchObject({ part: i + 1, previous: i === 0 ? null : files[i - 1] });
      const open = events.find((e): e is WireOpen => e.kind === 'open')!;
      expect(open.midStream === true).toBe(i > 0);
      all.requestor.push(...recorded(events, 'requestor'));
      all.acceptor.push(...recorded(events, 'acceptor'));
      const summary = await summarize([events], { path: f, format: 'recording' });
      expect(summary.associations).toHaveLength(1);
      expect(summary.errors.map((e) => e.reason)).toEqual([]);
      stores += summary.messages.filter((m) => m.commandField === CommandField.CStoreRsp).length;
    }
    expect(sha256(all.requestor)).toBe(sha256(steps.filter((s) => s.from === 'requestor').map((s) => s.bytes)));
    expect(sha256(all.acceptor)).toBe(sha256(steps.filter((s) => s.from === 'acceptor').map((s) => s.bytes)));
    // Every C-STORE-RSP is decoded in the file that holds it.
    expect(stores).toBe(30);
  }, 30_000);

  it('rotates by time, only when something was recorded', async () => {
    const dir = await tempDir();
    const upstream = await TestServer.start();
    cleanup.push(() => upstream.close());
    const { recorder, port } = await headless(upstream.port, { dir, rotateMs: 150 });
    const client = await connect(port);
    for (let i = 0; i < 3; i++) {
      client.socket.write(`tick ${i}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const files = recorder.files.length;
    expect(files).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 400));
    // An idle connection makes no new files.
    expect(recorder.files.length).toBeLessThanOrEqual(files + 1);
  });

  it('pacscope proxy on SIGTERM: closes the connections, flushes the recording, prints a summary', async () => {
    const dir = await tempDir();
    const upstream = await TestServer.start();
    cleanup.push(() => upstream.close());
    const file = join(dir, 'cli.pacscope');
    const child = spawn(process.execPath, [BIN, 'proxy', '--route', `127.0.0.1:0=127.0.0.1:${upstream.port}`, '--record', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.push(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until(() => /Ctrl-C stops/.test(out), 20_000, `the proxy to start: ${out}`);
    const port = Number(/route 127\.0\.0\.1:(\d+) →/.exec(out)![1]);
    const steps = cstoreDialog(5, 200_000);
    // Half of the dialog: the association and some C-STOREs, then the proxy is stopped mid-association.
    const half = steps.slice(0, 6);
    upstream.onPeer = (p) => void play(p, 'acceptor', half).catch(() => undefined);
    const client = await connect(port);
    await play(client, 'requestor', half).catch(() => undefined);
    await until(() => total(client.received) === half.filter((s) => s.from === 'acceptor').reduce((n, s) => n + s.bytes.length, 0));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/connections 1 \(refused 0, reset 0, errors 0\)/);
    expect(out).toMatch(/C-STORE-RQ 2/);
    expect(out).toMatch(/recording: .*cli\.pacscope/);
    const { events, errors } = await readRecordingFile(file);
    expect(errors).toEqual([]);
    expect(sha256(recorded(events, 'requestor'))).toBe(sha256(half.filter((s) => s.from === 'requestor').map((s) => s.bytes)));
    expect(sha256(recorded(events, 'acceptor'))).toBe(sha256(half.filter((s) => s.from === 'acceptor').map((s) => s.bytes)));
  }, 40_000);
});
