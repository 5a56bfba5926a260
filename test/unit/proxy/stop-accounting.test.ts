/**
 * Issue 14 §6: the proxy's stop summary counts each byte once, and a reset
 * reaches the other peer as a reset. Real loopback sockets; the client tells
 * a reset from a FIN the way its kernel does (a zero-byte write after the
 * end of stream fails with ECONNRESET/EPIPE on a reset connection, succeeds
 * on one that got a FIN), because Node itself reports a reset that arrives
 * with bytes still queued as an end of stream.
 */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Proxy } from '../../../server/proxy/proxy.ts';
import { RotatingRecorder } from '../../../server/proxy/rotating-recorder.ts';
import { summaryText } from '../../../server/cli/proxy.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { ArrayCapture, until } from './helpers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-stop-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What a client saw of the end of its connection: 'reset' (the kernel says so) or 'fin'. */
interface ClientEnd {
  received: number;
  how: 'reset' | 'fin' | null;
}

function watchEnd(socket: net.Socket): ClientEnd {
  const seen: ClientEnd = { received: 0, how: null };
  socket.on('data', (b: Buffer) => (seen.received += b.length));
  socket.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE') seen.how ??= 'reset';
  });
  socket.on('end', () => {
    if (socket.destroyed) return;
    socket.write(Buffer.alloc(0), (err) => {
      const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
      seen.how ??= code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'fin';
    });
  });
  return seen;
}

/** An upstream on 127.0.0.1 doing `onAccept` with each connection, a proxy route to it, a client through it. */
async function through(onAccept: (s: net.Socket) => void, serverOptions: net.ServerOpts = {}) {
  const server = net.createServer({ allowHalfOpen: true, ...serverOptions }, (s) => {
    s.on('error', () => undefined);
    onAccept(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const capture = new ArrayCapture();
  const proxy = new Proxy({ capture });
  const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  const client = net.connect({ host: '127.0.0.1', port: Number(route.listen.split(':').at(-1)), allowHalfOpen: true });
  const seen = watchEnd(client);
  cleanup.push(
    () => new Promise<void>((r) => server.close(() => r())),
    () => proxy.close(),
    () => void client.destroy(),
  );
  await new Promise((r) => client.once('connect', r));
  return { client, seen, capture, proxy };
}

const closes = (capture: ArrayCapture) => capture.events.flatMap((e) => (e.kind === 'close' ? [`${e.from}:${e.how}`] : e.kind === 'refused' ? ['refused'] : []));

describe('resets through the proxy', () => {
  it('an upstream reset with bytes still queued for a slow client reaches the client as a reset, not a FIN', async () => {
    // The upstream sends 16 MiB and resets; the client does not read for a while, so the proxy stops
    // reading the upstream (backpressure) and the RST arrives behind queued bytes: Node reports it as an end.
    const { client, seen, capture, proxy } = await through((s) => {
      s.write(Buffer.alloc(16 << 20, 1));
      setTimeout(() => s.resetAndDestroy(), 20);
    });
    client.pause();
    setTimeout(() => client.resume(), 400);
    await until(() => seen.how !== null, 5000, 'the client to see the end');
    expect(seen.how).toBe('reset');
    expect(seen.received).toBeGreaterThan(0);
    expect(seen.received).toBeLessThan(16 << 20);
    await until(() => proxy.active === 0, 5000, 'the relay to end');
    expect(closes(capture)).toEqual(['acceptor:reset']);
    expect(proxy.list()[0].counters.resets).toBe(1);
  });

  it('an upstream that closes with bytes unread (the kernel sends an RST) resets the client', async () => {
    const { client, seen, capture } = await through((s) => setTimeout(() => s.destroy(), 100), { pauseOnConnect: true });
    client.write(Buffer.alloc(1000));
    await until(() => seen.how !== null, 5000, 'the client to see the end');
    expect(seen.how).toBe('reset');
    expect(closes(capture)).toEqual(['acceptor:reset']);
  });

  it('an upstream that accepts and resets at once resets the client (recorded as a refusal with the reason)', async () => {
    const { seen, capture } = await through((s) => s.resetAndDestroy());
    await until(() => seen.how !== null, 5000, 'the client to see the end');
    expect(seen.how).toBe('reset');
    expect(capture.events).toEqual([expect.objectContaining({ kind: 'refused', reason: expect.stringMatching(/reset the connection as it was set up \(ECONNRESET\)$/) })]);
  });

  it('an upstream FIN stays a FIN (the client can tell them apart)', async () => {
    const { seen, capture, proxy } = await through((s) => s.end('bye'));
    await until(() => seen.how !== null, 5000, 'the client to see the end');
    expect(seen).toEqual({ received: 3, how: 'fin' });
    expect(closes(capture)).toEqual(['acceptor:fin']);
    expect(proxy.list()[0].counters.resets).toBe(0);
  });
});

describe('stop accounting', () => {
  const header = { source: { kind: 'proxy', description: 'test' } };
  const open = { kind: 'open' as const, conn: 1, time: 1, requestor: { host: '127.0.0.1', port: 5000 }, acceptor: { host: '127.0.0.1', port: 104 } };

  /** Writes 4 bursts of 12 MiB, each at once, through a 1 MiB disk budget, closes, and reads every file back: bytes recorded as gaps. */
  async function overrun(recorder: RotatingRecorder): Promise<{ gaps: number; lostBeforeClose: number }> {
    recorder.write(open);
    const chunk = new Uint8Array(256 * 1024).fill(9);
    for (let burst = 0; burst < 4; burst++) {
      for (let i = 0; i < 48; i++) recorder.write({ kind: 'data', conn: 1, time: 2 + burst * 100 + i, from: 'requestor', bytes: chunk });
      await recorder.flush();
    }
    // Nothing is written after this: what the recorder says now is final (the summary of a running proxy, GET /api/routes).
    const lostBeforeClose = recorder.lostBytes;
    await recorder.close();
    let gaps = 0;
    for (const file of recorder.files) {
      const { events, errors } = await readRecordingFile(file);
      expect(errors).toEqual([]);
      for (const e of events) if (e.kind === 'gap') gaps += e.length;
    }
    return { gaps, lostBeforeClose };
  }

  it('counts the bytes not recorded once, one file: what the summary says is what the file lacks', async () => {
    const dir = await tempDir();
    const recorder = await RotatingRecorder.open({ ...header, path: join(dir, 'one.pacscope'), maxPendingBytes: 1024 * 1024 });
    const { gaps, lostBeforeClose } = await overrun(recorder);
    expect(gaps).toBeGreaterThan(0);
    expect([lostBeforeClose, recorder.lostBytes]).toEqual([gaps, gaps]);
    const text = summaryText([], [], recorder, 1);
    expect(text).toContain(`! ${(gaps / 1e6).toFixed(1)} MB not recorded (recorded as gaps)`);
  });

  it('counts the bytes not recorded once over rotated files, before and after close', async () => {
    const dir = await tempDir();
    const recorder = await RotatingRecorder.open({ ...header, dir, rotateBytes: 2 * 1024 * 1024, maxPendingBytes: 1024 * 1024 });
    const { gaps, lostBeforeClose } = await overrun(recorder);
    expect(recorder.files.length).toBeGreaterThan(1);
    expect(gaps).toBeGreaterThan(0);
    // Before close, the losses of a file that a connection still writes to (it has not moved to the next file) count too.
    expect([lostBeforeClose, recorder.lostBytes]).toEqual([gaps, gaps]);
  });
});
