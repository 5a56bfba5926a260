/**
 * The small parts of the proxy: settings (sizes, durations, config file, bad
 * input), the bounded recording file (memory bounded when the disk falls
 * behind: data becomes gaps, counted), and the message boundary tracker the
 * rotation relies on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDuration, parseSize, resolveProxySettings } from '../../../server/proxy/proxy-config.ts';
import { BoundedRecordingFile } from '../../../server/proxy/bounded-recording-file.ts';
import { MessageBoundaryTracker } from '../../../server/proxy/message-boundary.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { cstoreDialog } from './helpers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-proxy-parts-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('proxy settings', () => {
  it('reads sizes and durations', () => {
    expect(parseSize('100MB', 'x')).toBe(100e6);
    expect(parseSize('1GiB', 'x')).toBe(1024 ** 3);
    expect(parseSize('512k', 'x')).toBe(512e3);
    expect(() => parseSize('100 parsecs', '--rotate-size')).toThrow('--rotate-size: expected a size such as 100MB');
    expect(() => parseSize('1k', '--rotate-size')).toThrow(/at least 64KiB/);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('30m', 'x')).toBe(1_800_000);
    expect(parseDuration('90', 'x')).toBe(90_000);
    expect(() => parseDuration('soon', '--rotate-time')).toThrow('--rotate-time: expected a duration');
  });

  it('merges a config file and flags, and refuses what does not fit together', async () => {
    const dir = await tempDir();
    const cfg = join(dir, 'proxy.json');
    await writeFile(cfg, JSON.stringify({ routes: ['127.0.0.1:4243=127.0.0.1:4242', { listen: ':4244', upstream: '127.0.0.1:104' }], recordDir: 'caps', rotateSize: '100MB', connectTimeout: 3 }));
    const s = resolveProxySettings({ config: cfg, route: ['4245=127.0.0.1:11112'], rotateTime: '1h' });
    expect(s.routes.map((r) => `${r.listen.port}>${r.upstream.port}`)).toEqual(['4243>4242', '4244>104', '4245>11112']);
    expect(s).toMatchObject({ recordDir: 'caps', rotateBytes: 100e6, rotateMs: 3_600_000, connectTimeoutMs: 3000, record: null });
    await writeFile(cfg, JSON.stringify({ rutes: [] }));
    expect(() => resolveProxySettings({ config: cfg })).toThrow(/unknown setting "rutes"/);
    expect(() => resolveProxySettings({ record: 'a.pacscope', recordDir: 'd' })).toThrow(/exclude each other/);
    expect(() => resolveProxySettings({ record: 'a.pacscope', rotateSize: '1GB' })).toThrow(/need --record-dir/);
    expect(() => resolveProxySettings({ config: join(dir, 'missing.json') })).toThrow(/cannot read config file/);
  });
});

describe('BoundedRecordingFile', () => {
  it('writes data as gaps once the bytes queued for the disk exceed the budget, and says how many', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bounded.pacscope');
    const f = new BoundedRecordingFile(path, { tool: { name: 'pacscope', version: 'test' }, startTime: 0, source: { kind: 'test', description: 'test' }, metadata: {} }, { maxPendingBytes: 1024 * 1024 });
    await f.opened;
    f.write({ kind: 'open', conn: 1, time: 1, requestor: { host: '127.0.0.1', port: 1 }, acceptor: { host: '127.0.0.1', port: 2 } });
    // 64 MiB written in one go, faster than any disk: the queue must stay near the budget.
    const chunk = new Uint8Array(256 * 1024).fill(7);
    let maxPending = 0;
    for (let i = 0; i < 256; i++) {
      f.write({ kind: 'data', conn: 1, time: 2 + i, from: 'requestor', bytes: chunk });
      maxPending = Math.max(maxPending, f.pending);
    }
    expect(maxPending).toBeLessThan(2 * 1024 * 1024);
    expect(f.lostBytes).toBeGreaterThan(0);
    await f.close();
    const { events, errors } = await readRecordingFile(path);
    expect(errors).toEqual([]);
    const data = events.filter((e) => e.kind === 'data').reduce((n, e) => n + (e.kind === 'data' ? e.bytes.length : 0), 0);
    const gaps = events.filter((e) => e.kind === 'gap').reduce((n, e) => n + (e.kind === 'gap' ? e.length : 0), 0);
    expect(data + gaps).toBe(256 * chunk.length);
    expect(gaps).toBe(f.lostBytes);
  });
});

describe('MessageBoundaryTracker', () => {
  it('finds the points between DIMSE messages, whatever the chunking', () => {
    const steps = cstoreDialog(3, 40_000);
    for (const side of ['requestor', 'acceptor'] as const) {
      const stream = Buffer.concat(steps.filter((s) => s.from === side).map((s) => s.bytes));
      // Expected: after each step of this side (A-ASSOCIATE, each C-STORE message, A-RELEASE).
      let at = 0;
      const expected = steps.filter((s) => s.from === side).map((s) => (at += s.bytes.length));
      for (const size of [1, 7, 1000, 16390, stream.length]) {
        const t = new MessageBoundaryTracker();
        const found: number[] = [];
        for (let i = 0; i < stream.length; i += size) found.push(...t.push(stream.subarray(i, i + size)).map((k) => i + k));
        expect(found.filter((k) => expected.includes(k)), `${side} in chunks of ${size}`).toEqual(expected);
        // Nothing inside a message: the other points are PDU boundaries between messages only.
        expect(found.every((k) => expected.includes(k)), `${side} in chunks of ${size}: ${found}`).toBe(true);
        expect(t.betweenMessages && !t.lost).toBe(true);
      }
    }
  });

  it('gives up on bytes that are not DICOM', () => {
    const t = new MessageBoundaryTracker();
    expect(t.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toEqual([]);
    expect(t.lost).toBe(true);
    expect(t.betweenMessages).toBe(false);
  });
});
