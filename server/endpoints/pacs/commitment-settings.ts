/**
 * How the built-in PACS reports a storage commitment result (PS3.4
 * J.3.3.1.2), configurable as real PACSs are:
 * - `same`: only on the association of the N-ACTION, if it is still open
 *   when the report is due (else no report: a teaching misconfiguration);
 * - `new`: always on a new association it opens to the requestor's AE,
 *   looked up in its AE table (the C-MOVE destinations, config.ts) — what
 *   Orthanc 1.10 does;
 * - `same-else-new` (default): the same association when the SCU still
 *   holds it open, else a new one — what most archives do.
 * `delayMs`: the pause between the N-ACTION-RSP and the report (the
 * commitment "takes time"); an SCU that releases within it gets its report
 * on a new association.
 */

export type CommitReportMode = 'same' | 'new' | 'same-else-new';

export const COMMIT_REPORT_MODES: readonly CommitReportMode[] = ['same', 'new', 'same-else-new'];
export const DEFAULT_COMMIT_REPORT_MODE: CommitReportMode = 'same-else-new';
/** Long enough for an SCU that releases right after the N-ACTION-RSP to have done so (then: a new association). */
export const DEFAULT_COMMIT_DELAY_MS = 100;

export function parseCommitReportMode(text: string): CommitReportMode {
  if ((COMMIT_REPORT_MODES as readonly string[]).includes(text)) return text as CommitReportMode;
  throw new Error(`storage commitment report mode must be ${COMMIT_REPORT_MODES.join(', ')}, got "${text}"`);
}

/** A delay in ms, 0 to 600000 (10 minutes), from a flag's text or a config file's number. */
export function parseCommitDelay(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 600_000) throw new Error(`${where} must be a number of ms from 0 to 600000, got ${JSON.stringify(value)}`);
  return n;
}
