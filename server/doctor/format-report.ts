/**
 * The doctor's report as text for a terminal (pure): one block per step —
 * ✓ works, ✗ fails, – skipped — with its detail, the fix and the association
 * ids of the capture that prove it; then "What works", "What does not" and
 * the numbered fixes.
 */
import type { DoctorReport, DoctorStep } from './types.ts';

export const MARK = Object.freeze({ ok: '✓', fail: '✗', skip: '–' });

const mark = (s: DoctorStep) => (s.ok === true ? MARK.ok : s.ok === false ? MARK.fail : MARK.skip);

export function formatStep(s: DoctorStep): string {
  const [first, ...rest] = s.detail.split('\n');
  const evidence = s.associations.length > 0 ? `  [${s.associations.join(', ')}]` : '';
  const lines = [`${mark(s)} ${s.title} — ${first}${evidence}`, ...rest.map((l) => `    ${l}`)];
  if (s.fix && s.ok === false) lines.push(`    fix: ${s.fix}`);
  return lines.join('\n');
}

/** Everything after the steps: the summary lists and the fixes. */
export function formatSummary(r: DoctorReport): string {
  const out: string[] = [];
  if (r.cancelled) out.push('(cancelled: the remaining steps did not run)', '');
  out.push('What works:', ...(r.summary.works.length ? r.summary.works.map((w) => `  ${MARK.ok} ${w}`) : ['  (nothing)']));
  out.push('What does not:', ...(r.summary.fails.length ? r.summary.fails.map((f) => `  ${MARK.fail} ${f}`) : ['  (nothing)']));
  if (r.summary.fixes.length > 0) out.push('Fixes:', ...r.summary.fixes.map((f, i) => `  ${i + 1}. ${f}`));
  if (r.calledAeTitleUsed !== r.target.calledAeTitle) out.push(`(steps after the reject used the called AE title "${r.calledAeTitleUsed}")`);
  return out.join('\n') + '\n';
}

export function formatReport(r: DoctorReport): string {
  return `${r.steps.map(formatStep).join('\n')}\n\n${formatSummary(r)}`;
}
