/**
 * The live window (docs/live-api.md, "The live window"; issue 14): a hub
 * recording a session many times longer than its window keeps one or two
 * pages in memory, and every earlier page reads back from the recording as
 * it was live — against the whole-file decoding of `pacscope summary`
 * (shared/model/summarize.ts) of the same recording: the same messages and
 * PDUs in the same order, the same times, the links within each page, the
 * same full decode and bytes for the inspector. Over the live HTTP and
 * WebSocket server: a new snapshot each time the window moves on, and the
 * details of a message outside the window still served. A burst of one read
 * is decoded in slices, with the same result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import type { DimseMessage } from '../../../shared/dimse/types.ts';
import { LIVE_PROTOCOL_VERSION, type LiveServerMessage } from '../../../shared/events/live-messages.ts';
import type { SessionSummary } from '../../../shared/events/live-api.ts';
import type { Summary, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { unpackSnapshot } from '../../../shared/events/live-snapshot.ts';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { startLiveServer, type RunningLiveServer } from '../../../server/live/http-server.ts';
import { openWireSource } from '../../../server/sources/open-source.ts';
import { burst, burstAssociation, echoRq, echoRsp, findPending, findRq } from '../../bench/dimse-burst.ts';
import { LiveClient } from './live-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pacscope-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A window of 40 messages: pages of 20 messages, 60 PDUs, 2 associations, 4 errors. */
const WINDOW = 40;
const T0 = Date.UTC(2026, 2, 1, 9);
const requestor = (n: number) => ({ host: '10.1.0.1', port: 40000 + n });
const PACS = { host: '10.1.0.2', port: 104 };

/** A session many pages long: short C-ECHO associations; a C-FIND association open across several pages, its pending responses among them; a refused connection; a connection that sends half an A-ASSOCIATE-RQ. */
function session(): WireEvent[] {
  const events: WireEvent[] = [];
  let conn = 0;
  const echoes = (n: number, t: number) => {
    conn += 1;
    const pairs = Array.from({ length: n }, (_, i) => [
      { from: 'requestor' as const, bytes: echoRq(i + 1) },
      { from: 'acceptor' as const, bytes: echoRsp(i + 1) },
    ]).flat();
    events.push(...burstAssociation(conn, t, requestor(conn), PACS, pairs));
  };
  for (let i = 0; i < 6; i++) echoes(3, T0 + i * 100);
  // The C-FIND association: its request now, its pending responses spread over what follows.
  const find = ++conn;
  const findEvents = burstAssociation(find, T0 + 700, requestor(find), PACS, [
    { from: 'requestor', bytes: findRq(7) },
    ...Array.from({ length: 30 }, (_, i) => ({ from: 'acceptor' as const, bytes: findPending(7, i) })),
  ]);
  const [open, rq, ac, request, ...rest] = findEvents;
  events.push(open, rq, ac, request);
  let t = T0 + 800;
  for (const e of rest) {
    // Each pending response has its own time, between the echo associations.
    events.push({ ...e, time: (t += 7) });
    if (e.kind === 'data' && rest.indexOf(e) % 6 === 0) {
      echoes(2, (t += 1));
    }
  }
  events.push({ kind: 'refused', conn: ++conn, time: (t += 5), requestor: requestor(conn), acceptor: PACS, reason: 'connection refused (RST)' });
  const half = ++conn;
  events.push({ kind: 'open', conn: half, time: (t += 5), requestor: requestor(half), acceptor: PACS });
  events.push({ kind: 'data', conn: half, time: (t += 1), from: 'requestor', bytes: Uint8Array.of(0x01, 0, 0, 0, 0, 0x40, 0, 1) });
  for (let i = 0; i < 8; i++) echoes(2, (t += 50));
  events.push({ kind: 'close', conn: half, time: (t += 5), from: 'requestor', how: 'fin' }, { kind: 'close', conn: half, time: t + 1, from: 'acceptor', how: 'fin' });
  for (let i = 0; i < 4; i++) echoes(2, (t += 50));
  return events;
}

const key = (m: SummaryMessage) => [m.association, m.time, m.side, m.commandField, m.messageId, m.respondsTo, m.status];

/** What a page starting at message `first` should say of `full`'s message `i`: the same, its request linked when on the page. */
function expectSameMessages(part: Summary, full: Summary, first: number): void {
  expect(part.messages.map(key)).toEqual(full.messages.slice(first, first + part.messages.length).map(key));
  part.messages.forEach((m, i) => {
    const request = full.messages[first + i].request;
    expect(m.request).toBe(request !== null && request >= first ? request - first : null);
  });
}

describe('the live window', () => {
  const path = join(dir, 'live.pacscope');
  let events: WireEvent[];
  let hub: CaptureHub;
  let full: Summary;
  let decoded: DimseMessage[];

  beforeAll(async () => {
    events = session();
    hub = await CaptureHub.open({ source: { kind: 'test', description: 'live window' }, recordPath: path, liveWindow: WINDOW });
    for (const e of events) hub.sink(e);
    hub.settle();
    await hub.flush();
    const source = await openWireSource(path);
    full = await summarize(source.batches(), { path, format: source.format });
    // The full decode of every message, by the one decoder run over the whole recording.
    decoded = [];
    const decoder = new SessionDecoder();
    for await (const batch of (await openWireSource(path)).batches()) {
      for (const e of batch) for (const d of decoder.push(e)) if (d.type === 'dimse') decoded.push(d.message);
    }
  });
  afterAll(() => hub.close());

  it('holds at most the window, cut in pages of the budget, the session many pages long', () => {
    const info = hub.window.info();
    expect(info.budget).toEqual({ associations: 2, messages: 20, pdus: 60, errors: 4 });
    expect(info.totals.messages).toBe(full.messages.length);
    expect(info.totals.pdus).toBe(full.pdus.length);
    expect(info.totals.associations).toBe(full.associations.length);
    expect(info.pages).toBeGreaterThan(8);
    expect(info.page).toBeGreaterThanOrEqual(info.pages - 2);
    expect(hub.summary().messages.length).toBeLessThanOrEqual(WINDOW);
    for (const page of hub.window.pages) {
      // A page closes at the first record that fills it: one read can go a little past the budget.
      expect(page.counts.associations).toBeLessThanOrEqual(2 + 1);
      expect(page.counts.messages).toBeLessThanOrEqual(20 + 2);
    }
    // The pages follow each other without a hole.
    hub.window.pages.forEach((p, k) => {
      if (k === 0) return;
      const before = hub.window.pages[k - 1];
      expect(p.first.message).toBe(before.first.message + before.counts.messages);
      expect(p.first.pdu).toBe(before.first.pdu + before.counts.pdus);
      expect(p.start).toBe(before.end);
    });
  });

  it('the window is the end of the session, its indices its own, its links those within it', () => {
    const first = hub.window.info().first;
    expectSameMessages(hub.summary(), full, first.message);
    expect(hub.summary().pdus.map((p) => [p.association, p.offset, p.type])).toEqual(full.pdus.slice(first.pdu).map((p) => [p.association, p.offset, p.type]));
  });

  it('every closed page reads back from the recording as it was live: the same messages, PDUs, times and links', async () => {
    const pages = hub.window.pages;
    let partial = 0;
    for (const p of pages) {
      const page = await hub.pages.page(p.index);
      const s = page.summary;
      expect(s.page).toMatchObject({ index: p.index, count: pages.length + 1, partial: p.partial });
      expectSameMessages(s, full, p.first.message);
      expect(s.messages).toHaveLength(p.counts.messages);
      expect(s.pdus.map((x) => [x.association, x.offset, x.length, x.type])).toEqual(full.pdus.slice(p.first.pdu, p.first.pdu + p.counts.pdus).map((x) => [x.association, x.offset, x.length, x.type]));
      expect(s.errors.filter((e) => e.reason.startsWith('file:'))).toEqual([]);
      // Every association on the page is the session's, as far as the page knows it (an association opened at its end has its AE titles on the next).
      for (const a of s.associations) {
        const whole = full.associations.find((b) => b.id === a.id)!;
        expect([a.requestor.host, a.requestor.port, a.acceptor.port]).toEqual([whole.requestor.host, whole.requestor.port, whole.acceptor.port]);
        expect([null, whole.requestor.ae]).toContain(a.requestor.ae);
      }
      if (p.partial) partial += 1;
    }
    // The C-FIND association spans pages: those pages say so.
    expect(partial).toBeGreaterThan(1);
  });

  it('serves the full decode and the bytes of a message long gone from the window', async () => {
    const windowFirst = hub.window.info().first;
    expect(windowFirst.message).toBeGreaterThan(40);
    for (const i of [0, 5, 17, Math.floor(windowFirst.message / 2), windowFirst.message - 1]) {
      expect(hub.messageDetail(i)).toBeNull();
      const detail = await hub.pages.messageDetail(i);
      expect(JSON.parse(JSON.stringify(detail))).toEqual(JSON.parse(JSON.stringify(decoded[i])));
    }
    // PDU bytes: those of the stream, read back.
    const streams = new Map<string, Uint8Array[]>();
    for (const e of events) if (e.kind === 'data') (streams.get(`${e.conn}/${e.from}`) ?? streams.set(`${e.conn}/${e.from}`, []).get(`${e.conn}/${e.from}`)!).push(e.bytes);
    for (const i of [1, 9, windowFirst.pdu - 1]) {
      const pdu = full.pdus[i];
      const read = await hub.pages.pduBytes(i, 1 << 20);
      expect(read).toMatchObject({ ok: true, index: i, offset: pdu.offset, length: pdu.length, truncated: false });
      const open = events.find((e) => e.kind === 'open' && full.associations.find((a) => a.id === pdu.association)!.requestor.port === e.requestor.port)!;
      const stream = concat(streams.get(`${open.conn}/${pdu.from}`)!);
      if (read?.ok) expect(Buffer.from(read.bytes)).toEqual(Buffer.from(stream.subarray(pdu.offset, pdu.offset + pdu.length)));
    }
  });

  it('the page being filled is the live end; a page that does not exist is none', async () => {
    const pages = hub.window.pages.length;
    await expect(hub.pages.page(pages)).rejects.toMatchObject({ status: 404, message: expect.stringMatching(/live end/) });
    await expect(hub.pages.page(pages + 5)).rejects.toMatchObject({ status: 404 });
    expect(await hub.pages.messageDetail(full.messages.length + 3)).toBeNull();
  });
});

describe('the live window without a recording', () => {
  it('keeps the window; the pages before it are gone (410)', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'no record' }, liveWindow: WINDOW });
    for (const e of session()) hub.sink(e);
    hub.settle();
    const info = hub.window.info();
    expect(info.recorded).toBe(false);
    expect(info.page).toBeGreaterThan(0);
    await expect(hub.pages.page(0)).rejects.toMatchObject({ status: 410, message: expect.stringMatching(/--no-record/) });
    await expect(hub.pages.messageDetail(0)).rejects.toMatchObject({ status: 410 });
    await hub.close();
  });
});

describe('the live window over HTTP and WebSocket', () => {
  let hub: CaptureHub;
  let live: RunningLiveServer;
  beforeAll(async () => {
    hub = await CaptureHub.open({ source: { kind: 'test', description: 'live window api' }, recordPath: join(dir, 'api.pacscope'), liveWindow: WINDOW });
    live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs: null, endpoints: () => [], getDir: join(dir, 'get'), token: null, webRoot: join(dir, 'no-ui') });
  });
  afterAll(async () => {
    await live.close();
    await hub.close();
  });
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${live.port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('sends a new snapshot each time the window moves on, the deltas numbered on from it, the PDUs asked again', async () => {
    const client = await LiveClient.connect(`ws://127.0.0.1:${live.port}/api/live`);
    await client.until((m) => m.length >= 1);
    client.ws.send(JSON.stringify({ type: 'pdus' }));
    await client.until((m) => m.some((x) => x.type === 'pdus'));
    const events = session();
    for (const e of events) hub.sink(e);
    hub.settle();
    await client.until(() => client.messages.filter((m) => m.type === 'delta').at(-1)?.seq === hub.sequence);
    const snapshots = client.messages.filter((m): m is Extract<LiveServerMessage, { type: 'snapshot' }> => m.type === 'snapshot');
    expect(snapshots.length).toBeGreaterThan(5);
    expect(snapshots.map((s) => s.window.page)).toEqual([...snapshots.map((s) => s.window.page)].sort((a, b) => a - b));
    // After each snapshot, the deltas go on from its seq without a gap; their indices are the window's.
    let seq = -1;
    let model: Summary | null = null;
    for (const m of client.messages) {
      if (m.type === 'snapshot') {
        seq = m.seq;
        model = unpackSnapshot(m.summary);
        expect(m.version).toBe(LIVE_PROTOCOL_VERSION);
        expect(model.messages.length).toBeLessThanOrEqual(WINDOW);
      } else if (m.type === 'delta') {
        expect(m.seq).toBe(seq + 1);
        seq = m.seq;
        if (m.delta.type === 'message') {
          expect(m.delta.index).toBe(model!.messages.length);
          model!.messages.push(m.delta.message);
        }
      }
    }
    // The model the client ends with is the hub's window.
    expect(model!.messages.map(key)).toEqual(hub.summary().messages.map(key));
    // Asked for again after a new snapshot, the PDUs come again: those of the window.
    client.ws.send(JSON.stringify({ type: 'pdus' }));
    await client.until((m) => m.filter((x) => x.type === 'pdus').length >= 2);
    const pdus = client.messages.filter((m) => m.type === 'pdus').at(-1)!;
    if (pdus.type === 'pdus') expect(pdus.pdus).toHaveLength(hub.summary().pdus.length);
    client.ws.close();
  });

  it('serves an earlier page and the details of a message outside the window, by page or by the session index', async () => {
    const info = hub.window.info();
    expect(info.page).toBeGreaterThan(1);
    const page0 = await get('/api/live/pages/0');
    expect(page0.status).toBe(200);
    const summary = page0.body as unknown as SessionSummary;
    expect(summary.page).toMatchObject({ index: 0, count: info.pages });
    expect(summary.messages.length).toBe(hub.window.pages[0].counts.messages);
    // Message 1 of page 1, the same by the session's index; nothing of it is in memory any more.
    const p1 = hub.window.pages[1];
    const byPage = await get(`/api/live/pages/1/messages/1`);
    const bySession = await get(`/api/messages/${p1.first.message + 1}`);
    expect(byPage.status).toBe(200);
    expect(bySession.body).toEqual(byPage.body);
    expect(byPage.body).toEqual(JSON.parse(JSON.stringify(await hub.pages.messageDetail(p1.first.message + 1))));
    expect(byPage.body).toMatchObject({ commandField: expect.any(Number), presentationContextId: 1 });
    // The window's details, by the index the snapshot gave it.
    const inWindow = await get(`/api/live/pages/${info.page}/messages/0`);
    expect(inWindow.body).toEqual(JSON.parse(JSON.stringify(hub.messageDetail(info.first.message))));
    const bytes = await get(`/api/live/pages/0/pdus/0/bytes`);
    expect(bytes).toMatchObject({ status: 200, body: { index: 0, hex: expect.stringMatching(/^01/) } });
    expect((await get(`/api/live/pages/${info.pages - 1}`)).status).toBe(404);
    expect((await get(`/api/live/pages/${info.pages + 3}/messages/0`)).status).toBe(404);
    expect((await get(`/api/live/pages/0/messages/99999`)).status).toBe(404);
  });
});

describe('a burst of one read', () => {
  it('is decoded in slices that give the event loop turns, into the same model', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'burst' }, liveWindow: 1_000_000 });
    const b = burst(echoRq, 1024 * 1024);
    const events = burstAssociation(1, T0, requestor(1), PACS, [{ from: 'requestor', bytes: b.bytes }]);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    for (const e of events) hub.sink(e);
    // Not all at once: the rest waits for later turns.
    expect(hub.window.totals.messages).toBeLessThan(b.count);
    while (hub.window.totals.messages < b.count) await new Promise((r) => setImmediate(r));
    ticking = false;
    // Timings belong to the benchmark (test/bench/hub-burst-bench.ts); here: it took many slices, with turns of the event loop between them.
    expect(turns).toBeGreaterThan(3);
    expect(hub.decoding.deferred).toBeGreaterThan(3);
    const reference = await summarize([events], { path: 'burst', format: 'live' });
    expect(hub.summary().messages.map(key)).toEqual(reference.messages.map(key));
    expect(hub.summary().pdus).toEqual(reference.pdus);
    await hub.close();
  });

  it('a synchronous reader gets the whole model at once', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'burst' }, liveWindow: 1_000_000 });
    const b = burst(echoRq, 512 * 1024);
    for (const e of burstAssociation(1, T0, requestor(1), PACS, [{ from: 'requestor', bytes: b.bytes }])) hub.sink(e);
    expect(hub.summary().messages).toHaveLength(b.count);
    expect(hub.summary().associations[0].outcome).toBe('released');
    await hub.close();
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
