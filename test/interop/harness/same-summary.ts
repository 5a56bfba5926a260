/**
 * Two captures of the same packets, compared summary to summary: they do not
 * stamp the packets with the same times — the kernel takes the time of a
 * loopback packet for each packet socket in turn (two dumpcaps here), a
 * microsecond or so apart — so the times of `b` within TIME_TOLERANCE_S of
 * `a`'s are set to `a`'s; every other number (counts, offsets, ports, ids) is
 * whole and stays as it is. `expect(alignTimes(a, b)).toEqual(a)` then shows
 * any real difference: an association, PDU or message more or less, another
 * order, another field.
 */
import type { Summary } from '../../../shared/model/summary-types.ts';

export const TIME_TOLERANCE_S = 100e-6;

export function alignTimes(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return !Number.isInteger(a) && Math.abs(a - b) <= TIME_TOLERANCE_S ? a : b;
  if (Array.isArray(a) && Array.isArray(b)) return b.map((x, i) => alignTimes(a[i], x));
  if (a && b && typeof a === 'object' && typeof b === 'object') return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, alignTimes((a as Record<string, unknown>)[k], v)]));
  return b;
}

/** The summary without its `source` (a file's path and format, where the two differ by design). */
export const withoutSource = (s: Summary): Omit<Summary, 'source'> & { source: null } => ({ ...s, source: null });
