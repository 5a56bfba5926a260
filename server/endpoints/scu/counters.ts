/** The sub-operation counters of a C-MOVE or C-GET response (PS3.7 Table 9.3-8, 9.3-5): absent ones are null/0. */
import type { SubOperationCounters } from './options.ts';

interface CounterResponse {
  getRemaining(): number;
  getCompleted(): number;
  getFailures(): number;
  getWarnings(): number;
}

/** Before any response: nothing counted. */
export const NO_COUNTERS: SubOperationCounters = Object.freeze({ remaining: null, completed: 0, failed: 0, warning: 0 });

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function countersOf(r: CounterResponse): SubOperationCounters {
  return { remaining: n(r.getRemaining()), completed: n(r.getCompleted()) ?? 0, failed: n(r.getFailures()) ?? 0, warning: n(r.getWarnings()) ?? 0 };
}

export function formatCounters(c: SubOperationCounters): string {
  return `remaining=${c.remaining ?? '-'} completed=${c.completed} failed=${c.failed} warning=${c.warning}`;
}
