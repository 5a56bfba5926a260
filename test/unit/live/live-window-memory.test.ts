/**
 * Memory bounded whatever the session's length (issue 14): 50,000 DIMSE
 * messages — C-ECHOs and C-FINDs with identifiers — over real loopback
 * sockets into a capture hub recording them, as `pacscope serve` runs it
 * (the live HTTP and WebSocket server attached, a browser-like client
 * connected), with the default live window. The heap, measured after
 * garbage collection as the session grows, stays under a bound and stops
 * growing once the window is full; the whole model of the session would
 * take several times the bound. A message long gone from the window is
 * still served whole, the same as the recording decodes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import type { DimseMessage } from '../../../shared/dimse/types.ts';
import type { LiveServerMessage } from '../../../shared/events/live-messages.ts';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { DEFAULT_LIVE_WINDOW } from '../../../server/capture/live-pages.ts';
import { startLiveServer } from '../../../server/live/http-server.ts';
import { openWireSource } from '../../../server/sources/open-source.ts';
import { burstAssociation, startBurstScp } from './burst-peers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const MESSAGES = 50_000;
/** Per association: 400 C-ECHOs and 20 C-FINDs of 4 matches each (920 messages). */
const ECHOES = 400;
const FINDS = 20;
/**
 * The most the hub may hold on the heap (MiB). Measured here: at most ≈ 27 MiB with the window;
 * the whole session held (a window larger than it) grows ≈ 1.7 KB a message, to ≈ 82 MiB at 50,000.
 */
const BOUND_MIB = 48;
/** How far the heap may move once the window is full: between one and two pages of it are held (MiB; ≈ 9 measured). */
const FLAT_MIB = 16;

const dir = mkdtempSync(join(tmpdir(), 'pacscope-window-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('holds the heap under a bound through 50,000 DIMSE messages on real sockets, and serves a message long gone from the window', async () => {
  const base = heapMiB();
  const path = join(dir, 'live.pacscope');
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'live window memory' }, recordPath: path });
  const live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs: null, endpoints: () => [], getDir: join(dir, 'get'), token: null, webRoot: join(dir, 'no-ui') });
  const scp = await startBurstScp(hub);
  // A browser-like client: it keeps only what it needs to check (how many snapshots, deltas).
  // On a loaded machine it may fall behind (it shares the event loop with the hub and the peers): the server
  // then drops it (1013) and, as the browser does, it comes back for a fresh snapshot.
  let snapshots = 0;
  let deltas = 0;
  let drops = 0;
  let client!: WebSocket;
  let closing = false;
  const connect = async (): Promise<void> => {
    client = new WebSocket(`ws://127.0.0.1:${live.port}/api/live`, { maxPayload: 2 ** 30 });
    client.on('message', (data) => {
      const m = JSON.parse(String(data)) as LiveServerMessage;
      if (m.type === 'snapshot') snapshots += 1;
      else if (m.type === 'delta') deltas += 1;
    });
    client.on('close', (code) => {
      if (closing || code !== 1013) return;
      drops += 1;
      void connect();
    });
    await new Promise((r) => client.once('open', r));
  };
  await connect();

  const samples: { messages: number; heap: number }[] = [];
  let sent = 0;
  while (sent < MESSAGES) {
    sent += await burstAssociation(scp.port, ECHOES, FINDS);
    if (samples.length === 0 || sent - samples.at(-1)!.messages >= 5000) samples.push({ messages: sent, heap: heapMiB() - base });
  }
  hub.settle();
  const info = hub.window.info();
  expect(info.totals.messages).toBe(sent);
  expect(sent).toBeGreaterThanOrEqual(MESSAGES);
  // The window holds at most its size; the session is many pages long.
  expect(hub.summary().messages.length).toBeLessThanOrEqual(DEFAULT_LIVE_WINDOW);
  expect(info.pages).toBeGreaterThan(8);

  const full = samples.filter((s) => s.messages >= 2 * DEFAULT_LIVE_WINDOW);
  const heaps = full.map((s) => s.heap);
  const report = samples.map((s) => `${s.messages}: ${s.heap.toFixed(1)} MiB`).join(', ');
  expect(Math.max(...samples.map((s) => s.heap)), report).toBeLessThan(BOUND_MIB);
  expect(Math.max(...heaps) - Math.min(...heaps), report).toBeLessThan(FLAT_MIB);
  // A snapshot each time the window moved on; every delta unless the client was dropped as too slow.
  expect(snapshots).toBeGreaterThan(5);
  expect(deltas, `${drops} drop(s)`).toBeGreaterThan(drops === 0 ? MESSAGES : 0);

  // Messages of the first association and of the middle of the session, decoded from the recording: served the same.
  await hub.flush();
  const wanted = new Set([3, 917, Math.floor(sent / 2)]);
  const decoded = new Map<number, DimseMessage>();
  const decoder = new SessionDecoder();
  let index = 0;
  for await (const batch of (await openWireSource(path)).batches()) {
    for (const e of batch) for (const d of decoder.push(e)) if (d.type === 'dimse') if (wanted.has(index++)) decoded.set(index - 1, d.message);
  }
  for (const i of wanted) {
    expect(i).toBeLessThan(info.first.message);
    const res = await fetch(`http://127.0.0.1:${live.port}/api/messages/${i}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(decoded.get(i))));
  }
  // And the bytes of an old PDU.
  const pdu = await fetch(`http://127.0.0.1:${live.port}/api/pdus/5/bytes`);
  expect(pdu.status).toBe(200);
  expect(await pdu.json()).toMatchObject({ index: 5, hex: expect.stringMatching(/^04/) });

  closing = true;
  client.close();
  await scp.close();
  await live.close();
  await hub.close();
}, 180_000);
