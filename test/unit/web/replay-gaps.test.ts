/**
 * Idle gaps shortened in a replay (shared/view/replay-gaps.ts): which
 * stretches are cut, session time ⇄ play time both ways, and a real
 * recorded C-MOVE summary (no gap over 2 s: played as it happened) against
 * the same session with a 36 s wait inserted.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { DEFAULT_GAPS, eventTimes, gapLabel, idleGaps, toPlay, toSession } from '../../../shared/view/replay-gaps.ts';
import { replayDuration } from '../../../web/src/lib/replay/cut.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const move = migrateSummary(JSON.parse(readFileSync(new URL('../../fixtures/web/move.summary.json', import.meta.url), 'utf8')));

/** The same session with `wait` seconds of nothing inserted after `at` seconds. */
function withWait(s: Summary, at: number, wait: number): Summary {
  const shift = <T extends { time: number }>(x: T): T => (x.time > at ? { ...x, time: x.time + wait } : x);
  return {
    ...s,
    associations: s.associations.map((a) => ({ ...a, start: a.start > at ? a.start + wait : a.start, end: a.end !== null && a.end > at ? a.end + wait : a.end })),
    pdus: s.pdus.map(shift),
    messages: s.messages.map(shift),
    errors: s.errors.map(shift),
  };
}

describe('idle gaps', () => {
  it('cuts the middle of each stretch longer than the threshold, keeping half a second around the events', () => {
    const gaps = idleGaps([0, 0.1, 0.2, 36.2, 36.3, 37.5, 40], { threshold: 2, keep: 0.5 });
    expect(gaps).toEqual([
      { from: 0.2, to: 36.2, cutStart: 0.45, cutEnd: 35.95 },
      { from: 37.5, to: 40, cutStart: 37.75, cutEnd: 39.75 },
    ]);
    // 1.2 s between 36.3 and 37.5 is under the threshold: played as it was.
    expect(idleGaps([0, 1.9, 3.8], { threshold: 2, keep: 0.5 })).toEqual([]);
    // A threshold under what is kept never lengthens a gap.
    expect(idleGaps([0, 0.4], { threshold: 0, keep: 0.5 })).toEqual([]);
  });

  it('maps session time to play time and back', () => {
    const gaps = idleGaps([0, 0.2, 36.2, 36.3], DEFAULT_GAPS);
    // Before the gap: unchanged.
    expect(toPlay(0.1, gaps)).toBeCloseTo(0.1);
    expect(toSession(0.1, gaps)).toBeCloseTo(0.1);
    // The 36 s wait plays as 0.5 s: the next event comes 0.5 s of play after the last one.
    expect(toPlay(36.2, gaps) - toPlay(0.2, gaps)).toBeCloseTo(0.5);
    expect(toPlay(36.3, gaps)).toBeCloseTo(0.8);
    // Inside the cut: at the cut; at the cut, the replay is past it (just before the next event).
    expect(toPlay(20, gaps)).toBeCloseTo(0.45);
    expect(toSession(0.45, gaps)).toBeCloseTo(35.95);
    expect(toSession(0.8, gaps)).toBeCloseTo(36.3);
    // Nothing shortened: the identity.
    expect(toPlay(12.5, [])).toBe(12.5);
    expect(toSession(12.5, [])).toBe(12.5);
  });

  it('play → session → play is the identity, and both are monotonic (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (raw, u, v) => {
        const times = [0, ...raw].sort((a, b) => a - b);
        const gaps = idleGaps(times, DEFAULT_GAPS);
        const end = toPlay(times.at(-1)!, gaps);
        const [p, q] = [u * end, v * end].sort((a, b) => a - b);
        expect(toPlay(toSession(p, gaps), gaps)).toBeCloseTo(p, 6);
        expect(toSession(p, gaps)).toBeLessThanOrEqual(toSession(q, gaps) + 1e-9);
        // Every event keeps its place: session → play → session.
        for (const t of times) expect(toSession(toPlay(t, gaps), gaps)).toBeCloseTo(t, 6);
      }),
    );
  });

  it('a recorded C-MOVE with no long wait is played as it happened; with a 36 s wait inserted, that wait plays as 0.5 s', () => {
    expect(idleGaps(eventTimes(move), DEFAULT_GAPS)).toEqual([]);
    const first = move.messages[0].time;
    const waited = withWait(move, first, 36);
    const gaps = idleGaps(eventTimes(waited), DEFAULT_GAPS);
    expect(gaps).toHaveLength(1);
    expect(gaps[0].to - gaps[0].from).toBeGreaterThan(36);
    expect(gapLabel(gaps[0])).toMatch(/^3[67] s$/);
    const played = toPlay(replayDuration(waited), gaps);
    // The whole session at 1× takes the original's length plus half a second (and the sub-36 s rest of the stretch).
    expect(played).toBeLessThan(replayDuration(move) + 0.6);
    expect(played).toBeGreaterThan(replayDuration(move));
  });

  it('labels gaps for people', () => {
    const g = (d: number) => gapLabel({ from: 0, to: d, cutStart: 0.25, cutEnd: d - 0.25 });
    expect(g(2.34)).toBe('2.3 s');
    expect(g(34.4)).toBe('34 s');
    expect(g(119.7)).toBe('2 min 0 s');
    expect(g(192)).toBe('3 min 12 s');
  });
});
