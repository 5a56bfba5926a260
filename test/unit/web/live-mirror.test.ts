/**
 * The diagnosis worker's model (web/src/lib/diagnosis/live-mirror.ts) is the
 * page's: fed the texts of a snapshot (packed as the server sends it), the
 * PDU list and the deltas of random live sessions, it holds what the page
 * builds with apply-delta.ts, and its findings are diagnose()'s over that.
 */
import { describe, expect, it } from 'vitest';
import { LiveMirror } from '../../../web/src/lib/diagnosis/live-mirror.ts';
import { applyDeltas, emptySummary } from '../../../web/src/lib/state/apply-delta.ts';
import { packSnapshot, wholeWindow } from '../../../shared/events/live-snapshot.ts';
import { LIVE_PROTOCOL_VERSION, type LiveDelta, type LiveServerMessage } from '../../../shared/events/live-messages.ts';
import { diagnose, liveNow } from '../../../shared/diagnosis/index.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { liveScript } from './live-script.ts';

const START = '2026-01-01T00:00:00.000Z';
const text = (m: LiveServerMessage) => JSON.stringify(m);
const snapshotText = (summary: Summary, seq: number) =>
  text({ type: 'snapshot', version: LIVE_PROTOCOL_VERSION, seq, summary: packSnapshot(summary), endpoints: [], window: wholeWindow(summary) });
const deltaText = (delta: LiveDelta, seq: number) => text({ type: 'delta', seq, delta });
const started = (s: Summary): Summary => ({ ...s, source: { ...s.source, start: START } });

describe('the diagnosis worker mirrors the live model from the stream texts', () => {
  for (const seed of [1, 7, 23]) {
    it(`holds what the page holds and finds what diagnose() finds there (seed ${seed})`, () => {
      const deltas = liveScript(seed, { operations: 30 });
      const cut = Math.floor(deltas.length / 2);
      const before = started(applyDeltas(emptySummary(), deltas.slice(0, cut)));
      const mirror = new LiveMirror();
      mirror.receive(snapshotText(before, cut - 1));
      // The snapshot comes without PDUs, the page's list of them later, then every delta.
      expect(mirror.summary().pdus).toEqual([]);
      mirror.receive(text({ type: 'pdus', seq: cut - 1, pdus: before.pdus }));
      deltas.slice(cut).forEach((d, i) => mirror.receive(deltaText(d, cut + i)));
      const page = applyDeltas(before, deltas.slice(cut));
      expect(mirror.summary()).toEqual(page);

      const nowMs = Date.parse(START) + 60_000;
      const expected = diagnose(page, { now: liveNow(page, nowMs), probes: [], listening: [] });
      expect(mirror.diagnose([], [], nowMs)).toEqual(expected);
    });
  }

  it('takes texts with or without a request; finds something in a session with failures and answers with the id of the request', () => {
    const deltas = liveScript(7, { operations: 60 });
    const mirror = new LiveMirror();
    const texts = [snapshotText(started(emptySummary()), 0), ...deltas.map((d, i) => deltaText(d, i + 1))];
    // Texts without a request: taken, nothing answered.
    expect(mirror.handle({ id: 41, texts: texts.slice(0, 10), diagnose: false, probes: [], listening: [] })).toBeNull();
    const reply = mirror.handle({ id: 42, texts: texts.slice(10), diagnose: true, probes: [], listening: [] });
    expect(reply?.id).toBe(42);
    expect(reply?.messages).toBe(applyDeltas(emptySummary(), deltas).messages.length);
    expect(reply?.findings.length).toBeGreaterThan(0);
  });

  it('a new snapshot replaces everything before it; a text that is not JSON changes nothing', () => {
    const deltas = liveScript(3, { operations: 20 });
    const mirror = new LiveMirror();
    mirror.receive(snapshotText(started(emptySummary()), 0));
    deltas.forEach((d, i) => mirror.receive(deltaText(d, i + 1)));
    const later = started(applyDeltas(emptySummary(), deltas.slice(0, 5)));
    mirror.receive(snapshotText(later, 5));
    mirror.receive('{"type":"delta",');
    expect(mirror.summary()).toEqual({ ...later, pdus: [] });
  });
});
