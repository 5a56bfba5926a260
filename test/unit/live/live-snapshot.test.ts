/**
 * The live snapshot as the server writes it (shared/events/live-snapshot.ts):
 * the summary without its PDUs, its messages without their field names and
 * null fields (shared/events/wire-message.ts), their JSON text kept between snapshots
 * (shared/events/json-list.ts) and spliced in, whatever the traffic's
 * strings say.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { JsonList } from '../../../shared/events/json-list.ts';
import { packSnapshot, snapshotJson, unpackSnapshot, wholeWindow } from '../../../shared/events/live-snapshot.ts';
import { fromWireMessage, toWireMessage, WireMessageList } from '../../../shared/events/wire-message.ts';
import { LIVE_PROTOCOL_VERSION } from '../../../shared/events/live-messages.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const FIXTURES = ['move', 'get', 'move-unknown', 'refused', 'reject'];
const fixture = (name: string): Summary =>
  migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

describe('JsonList', () => {
  it('is the JSON of the list however it grew, and starts afresh for another list', () => {
    const items = Array.from({ length: 1200 }, (_, i) => ({ i, s: `x${i}`, n: null, u: undefined }));
    const list = new JsonList();
    expect(list.json()).toBe('[]');
    for (let n = 0; n <= items.length; n += n < 20 ? 1 : 37) {
      list.update(items.slice(0, n));
      expect(list.json()).toBe(JSON.stringify(items.slice(0, n)));
    }
    list.update(items);
    expect(list.json()).toBe(JSON.stringify(items));
    const other = items.map((x) => ({ ...x }));
    expect(list.update(other.slice(0, 3)).json()).toBe(JSON.stringify(other.slice(0, 3)));
  });

  it('writes each item as its encoder makes it', () => {
    const items = Array.from({ length: 700 }, (_, i) => ({ i, n: i % 2 ? null : i }));
    const drop = (x: { i: number; n: number | null }) => (x.n === null ? [x.i] : [x.i, x.n]);
    const list = new JsonList(drop);
    for (let n = 0; n <= items.length; n += 53) expect(list.update(items.slice(0, n)).json()).toBe(JSON.stringify(items.slice(0, n).map(drop)));
  });
});

describe('a message on the wire', () => {
  it('is its mask and its non-null values, and comes back the same, its fields in the same order', () => {
    for (const name of FIXTURES) {
      for (const m of fixture(name).messages) {
        const wire = JSON.parse(JSON.stringify(toWireMessage(m)));
        const present = Object.values(m).filter((v) => v !== null);
        expect(wire).toEqual([expect.any(Number), ...present]);
        const back = fromWireMessage(wire);
        expect(back).toStrictEqual(m);
        expect(Object.keys(back)).toEqual(Object.keys(m));
      }
    }
  });

  it("keeps the nulls inside its values, and a snapshot of whole messages (an older server's) is read as it is", () => {
    const summary = fixture('move');
    const m = { ...summary.messages[0], identifier: { PatientName: null, StudyInstanceUID: '1.2.3' }, moveOriginator: { ae: null, messageId: 7 } };
    expect(fromWireMessage(JSON.parse(JSON.stringify(toWireMessage(m))))).toStrictEqual(m);
    const older = JSON.parse(JSON.stringify({ ...packSnapshot(summary), messages: summary.messages }));
    expect(unpackSnapshot(older)).toStrictEqual({ ...summary, pdus: [] });
  });

  it('takes about a third of the bytes of the whole messages of the C-MOVE fixture', () => {
    const { messages } = fixture('move');
    expect(JSON.stringify(messages.map(toWireMessage)).length).toBeLessThan(0.45 * JSON.stringify(messages).length);
  });
});

describe('the live snapshot', () => {
  it('carries the summary without its PDUs, which it counts', () => {
    const summary = fixture('move');
    const packed = packSnapshot(summary);
    expect(packed.pduCount).toBe(summary.pdus.length);
    expect(unpackSnapshot(JSON.parse(JSON.stringify(packed)))).toStrictEqual({ ...summary, pdus: [] });
  });

  it('is the same message when the server writes it as text around its kept messages, whatever the traffic says', () => {
    const summary = fixture('move');
    // An AE title like the placeholder the text is put together with, and a replacement pattern.
    summary.associations[0].requestor.ae = '\u0000messages\u0000$&';
    summary.messages[0] = { ...summary.messages[0], identifier: { PatientName: '\u0000messages\u0000' } };
    const endpoints = [{ role: 'pacs', ae: 'PACS', host: '127.0.0.1', port: 104 }];
    const kept = new WireMessageList();
    snapshotJson(1, { ...summary, messages: summary.messages.slice(0, 3) }, endpoints, kept);
    const message = JSON.parse(snapshotJson(7, summary, endpoints, kept));
    expect(message).toEqual({ type: 'snapshot', version: LIVE_PROTOCOL_VERSION, seq: 7, summary: JSON.parse(JSON.stringify(packSnapshot(summary))), endpoints, window: wholeWindow(summary) });
    expect(unpackSnapshot(message.summary)).toStrictEqual(JSON.parse(JSON.stringify({ ...summary, pdus: [] })));
  });
});
