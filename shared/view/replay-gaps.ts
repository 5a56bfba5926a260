/**
 * Idle gaps shortened in a replay: when nothing crosses the wire for longer
 * than a threshold (a C-ECHO, then 36 s of nothing, then the next one), the
 * replay's clock plays only `keep` seconds of it — half after the last event,
 * half before the next — so a class is not left watching an empty diagram.
 *
 * Two clocks: session time (seconds from the session's start, what the
 * diagram is cut at and what the position shows) and play time (the replay's
 * clock and the timeline's axis), which is session time with the middle of
 * each idle gap cut out. Pure functions of a sorted list of gaps.
 */
import type { Summary } from '../model/summary-types.ts';

export interface IdleGap {
  /** Session times of the events either side of the idle stretch. */
  from: number;
  to: number;
  /** What is cut out, in session time: [cutStart, cutEnd), the stretch less `keep / 2` at each end. */
  cutStart: number;
  cutEnd: number;
}

export interface GapOptions {
  /** Stretches with nothing on the wire longer than this (seconds) are shortened. */
  threshold: number;
  /** Seconds of each such stretch still played. */
  keep: number;
}

export const DEFAULT_GAPS: GapOptions = { threshold: 2, keep: 0.5 };

/** Every moment something happened on the wire, ascending: associations opening and ending, PDUs, messages, decode errors; and the start, 0. */
export function eventTimes(summary: Summary): number[] {
  const times = [0];
  for (const a of summary.associations) {
    times.push(a.start);
    if (a.end !== null) times.push(a.end);
  }
  for (const list of [summary.pdus, summary.messages, summary.errors]) for (const x of list) times.push(x.time);
  return times.filter(Number.isFinite).sort((a, b) => a - b);
}

/** The idle stretches of `times` (ascending) longer than the threshold, each with the part cut out. */
export function idleGaps(times: readonly number[], { threshold, keep }: GapOptions = DEFAULT_GAPS): IdleGap[] {
  const gaps: IdleGap[] = [];
  // A threshold below what is kept would lengthen a gap instead of shortening it.
  const over = Math.max(threshold, keep);
  for (let i = 1; i < times.length; i++) {
    const from = times[i - 1];
    const to = times[i];
    if (to - from > over) gaps.push({ from, to, cutStart: from + keep / 2, cutEnd: to - keep / 2 });
  }
  return gaps;
}

/** Session time → play time (a time inside a cut plays at the cut: the moment the replay skips). */
export function toPlay(s: number, gaps: readonly IdleGap[]): number {
  let removed = 0;
  for (const g of gaps) {
    if (s >= g.cutEnd) removed += g.cutEnd - g.cutStart;
    else {
      if (s > g.cutStart) removed += s - g.cutStart;
      break;
    }
  }
  return s - removed;
}

/** Play time → session time; at a cut, the session time after it (the replay has skipped the idle stretch). */
export function toSession(p: number, gaps: readonly IdleGap[]): number {
  let s = p;
  for (const g of gaps) {
    if (s < g.cutStart) break;
    s += g.cutEnd - g.cutStart;
  }
  return s;
}

/** "34 s", "2.5 s", "3 min 12 s": how long a gap lasted, for its mark on the timeline. */
export function gapLabel(g: IdleGap): string {
  const d = g.to - g.from;
  if (d < 10) return `${d.toFixed(1)} s`;
  const whole = Math.round(d);
  if (whole < 120) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
