/**
 * Sessions in pages (docs/live-api.md): a real recording on disk — short
 * C-ECHO associations, one C-STORE association bigger than a page, refused
 * connections — indexed and built page by page with a small budget, against
 * the whole-file decoding of `pacscope summary` (shared/model/summarize.ts):
 * every association is on a page, no page holds more than the budget, and
 * the pages together hold exactly the messages and PDUs of the whole, with
 * the same times and links.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import type { Summary, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { RecordingWriter } from '../../../server/recording/writer.ts';
import { openWireSource } from '../../../server/sources/open-source.ts';
import { indexSession, pagePlan, type SessionIndex } from '../../../server/live/session-index.ts';
import { buildPage, type SessionPage } from '../../../server/live/session-page.ts';
import { sendJsonStream } from '../../../server/live/json-stream.ts';
import { replacer } from '../../../server/live/http-json.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cstoreWireEvents } from '../../bench/cstore-stream.ts';
import { echoConnection } from '../capture/big-files.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

const dir = mkdtempSync(join(tmpdir(), 'pacscope-pages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'mixed.pacscope');
const BUDGET = { associations: 7, messages: 20, pdus: 40, errors: 10 };

let full: Summary;
let index: SessionIndex;
let pages: SessionPage[];

/** 12 C-ECHOs, a C-STORE association of 30 instances opened among them (so it spans pages), 3 refused connections, 12 more C-ECHOs. */
function session(): WireEvent[] {
  const t0 = Date.UTC(2026, 0, 5, 8);
  const events: WireEvent[] = [];
  for (let c = 1; c <= 12; c++) events.push(...echoConnection(c, t0 + c * 2));
  const store = [...cstoreWireEvents({ instances: 30, dataSetBytes: 20_000, maxPdu: 16384, readBytes: 4096 })].map((e) => ({ ...e, conn: 100, time: e.time - Date.UTC(2026, 10, 22, 8) + t0 + 30 }));
  // The store association interleaved with echoes 13…24 and the refusals.
  const rest: WireEvent[] = [];
  for (let c = 13; c <= 24; c++) rest.push(...echoConnection(c, t0 + 30 + (c - 12) * 0.7));
  for (let r = 0; r < 3; r++) rest.push({ kind: 'refused', conn: 200 + r, time: t0 + 31 + r, requestor: { host: '10.9.0.1', port: 5000 + r }, acceptor: { host: '10.9.0.2', port: 104 }, reason: 'connection refused (RST)' });
  events.push(...[...store, ...rest].sort((a, b) => a.time - b.time));
  return events;
}

beforeAll(async () => {
  const w = await RecordingWriter.open(path, { tool: { name: 'pacscope', version: 'test' }, startTime: Date.UTC(2026, 0, 5, 8), source: { kind: 'test', description: 'pages' }, metadata: {} });
  for (const e of session()) w.write(e);
  await w.close();
  const source = await openWireSource(path);
  full = await summarize(source.batches(), { path, format: source.format });
  index = await indexSession(path, BUDGET);
  pages = [];
  for (let k = 0; k < index.pages.length; k++) pages.push(await buildPage(pagePlan(index, k)));
});

const key = (m: SummaryMessage) => `${m.association} ${m.time} ${m.side} ${commandOf(m)} ${m.messageId ?? m.respondsTo} ${m.status}`;

describe('sessions in pages', () => {
  it('counts the whole session, and no page holds more than the budget', () => {
    expect(full.associations).toHaveLength(28);
    expect(index.totals).toEqual({ associations: 28, messages: full.messages.length, pdus: full.pdus.length, errors: full.errors.length });
    expect(pages.length).toBeGreaterThan(4);
    for (const p of pages) {
      expect(p.summary.messages.length).toBeLessThanOrEqual(BUDGET.messages);
      expect(p.summary.pdus.length).toBeLessThanOrEqual(BUDGET.pdus);
      expect(p.summary.associations.length).toBeLessThanOrEqual(BUDGET.associations);
      expect(p.summary.page).toMatchObject({ count: pages.length, totals: index.totals });
    }
  });

  it('puts every association on a page in order, whole, and the big one over pages of its own', () => {
    const seen = pages.flatMap((p) => p.summary.associations.map((a) => a.id));
    expect([...new Set(seen)]).toEqual(full.associations.map((a) => a.id));
    const big = full.associations.find((a) => a.requestor.ae === 'STORESCU')!;
    const carrying = pages.filter((p) => p.summary.associations.some((a) => a.id === big.id));
    expect(carrying.length).toBeGreaterThan(3);
    expect(carrying.every((p) => p.summary.page!.partial)).toBe(true);
    // Everywhere it is drawn, the association is what the whole decoding says: AE titles, contexts, outcome, times.
    for (const p of pages) for (const a of p.summary.associations) expect(a).toEqual(full.associations.find((f) => f.id === a.id));
  });

  it('holds, page after page, exactly the messages and PDUs of the whole, with the same times', () => {
    const messages = pages.flatMap((p) => p.summary.messages.map(key));
    expect(messages.sort()).toEqual(full.messages.map(key).sort());
    const pdu = (x: { association: string; time: number; from: string; offset: number; type: string }) => `${x.association} ${x.from} ${x.offset} ${x.type} ${x.time}`;
    expect(pages.flatMap((p) => p.summary.pdus.map(pdu)).sort()).toEqual(full.pdus.map(pdu).sort());
  });

  it('links a response to its request on the same page; details and bytes are the page’s own', () => {
    let linked = 0;
    for (const p of pages) {
      const ms = p.summary.messages;
      ms.forEach((m, i) => {
        if (m.request === null) return;
        linked += 1;
        expect(ms[m.request].messageId).toBe(m.respondsTo);
        expect(ms[m.request].association).toBe(m.association);
        expect(p.messageDetail(i)?.command).toBe(commandOf(m));
      });
      const bytes = p.pduBytes(0);
      expect(bytes.ok).toBe(true);
      if (bytes.ok) expect(bytes.bytes[0]).toBe(Number.parseInt({ 'A-ASSOCIATE-RQ': '1', 'A-ASSOCIATE-AC': '2', 'P-DATA-TF': '4', 'A-RELEASE-RQ': '5', 'A-RELEASE-RP': '6' }[p.summary.pdus[0].type] ?? '0'));
    }
    // Every response whose request is on its page: all but the first response of each slice of the big association at most.
    expect(linked).toBeGreaterThan(full.messages.filter((m) => m.request !== null).length - pages.length);
  });

  it('a session that fits in one page is built during the indexing pass, the same as built alone', async () => {
    const whole = await indexSession(path);
    expect(whole.pages).toHaveLength(1);
    expect(whole.onlyPage).not.toBeNull();
    const alone = await buildPage(pagePlan(whole, 0));
    expect(JSON.stringify(whole.onlyPage!.summary)).toBe(JSON.stringify(alone.summary));
    // And it is the whole decoding, plus where it stands.
    const { page, scenarioRuns, ...summary } = alone.summary;
    expect(summary).toEqual(full);
    expect(page).toEqual({ index: 0, count: 1, firstAssociation: 'a1', lastAssociation: 'a28', partial: false, totals: index.totals });
    expect(scenarioRuns).toEqual([]);
  });

  it('a page is written in pieces, exactly as JSON.stringify would write it whole', async () => {
    const page = pages.find((p) => p.summary.page!.partial)!;
    // More items than one piece holds (256), bulk bytes, and what JSON leaves out or writes as null.
    const many = Array.from({ length: 1000 }, (_, i) => ({ i, at: page.summary.messages[i % page.summary.messages.length] }));
    const body = { ...page.summary, many, extra: { bytes: new Uint8Array(3), missing: undefined }, list: [1, undefined, 'x'], gone: undefined };
    const server = createServer((_req, res) => void sendJsonStream(res, 200, body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      expect(text).toBe(JSON.stringify(body, replacer));
      expect((JSON.parse(text) as { many: unknown[] }).many).toHaveLength(1000);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
