/**
 * Replay cuts of a real DCMTK C-MOVE summary (test/fixtures/web/move.summary.json):
 * prefixes at every time, associations open until they end, steps one
 * message at a time both ways, marks for associations and failures.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';
import { messagesAt, replayCut, replayDuration, replayMarks, stepTime } from '../../../web/src/lib/replay/cut.ts';

const load = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}`, import.meta.url), 'utf8')));
const move = load('move.summary.json');

describe('replay cut', () => {
  it('shows nothing before the start and everything at the end', () => {
    const before = replayCut(move, -1);
    expect(before.associations).toEqual([]);
    expect(before.messages).toEqual([]);
    expect(replayCut(move, replayDuration(move))).toBe(move);
  });

  it('keeps prefixes and opens associations that end later', () => {
    const third = move.messages[2];
    const cut = replayCut(move, third.time);
    expect(cut.messages).toEqual(move.messages.slice(0, messagesAt(move, third.time)));
    expect(cut.messages.at(-1)!.time).toBeLessThanOrEqual(third.time);
    for (const a of cut.associations) {
      const whole = move.associations.find((x) => x.id === a.id)!;
      expect(a.start).toBeLessThanOrEqual(third.time);
      if (whole.end !== null && whole.end > third.time) expect(a).toMatchObject({ outcome: 'open', end: null });
      else expect(a).toBe(whole);
    }
    expect(cut.pdus.every((p) => p.time <= third.time)).toBe(true);
  });

  it('steps one message forward and back', () => {
    let t = -1;
    const seen: number[] = [];
    for (let i = 0; i < move.messages.length; i++) {
      t = stepTime(move, t, 1);
      seen.push(messagesAt(move, t));
    }
    // Each step shows at least one more message, and the last shows all.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen.at(-1)).toBe(move.messages.length);
    const back = stepTime(move, t, -1);
    expect(messagesAt(move, back)).toBeLessThan(move.messages.length);
    expect(stepTime(move, move.messages[0].time, -1)).toBe(0);
  });

  it('marks every association and every failure', () => {
    const marks = replayMarks(move);
    expect(marks.filter((m) => m.kind === 'association')).toHaveLength(move.associations.length);
    const rejected = replayMarks(load('reject.summary.json'));
    expect(rejected.some((m) => m.kind === 'failure' && /rejected/.test(m.label))).toBe(true);
    const unknown = replayMarks(load('move-unknown.summary.json'));
    expect(unknown.some((m) => m.kind === 'failure' && /0xA801/.test(m.label))).toBe(true);
    expect(marks.map((m) => m.time)).toEqual([...marks.map((m) => m.time)].sort((a, b) => a - b));
  });
});
