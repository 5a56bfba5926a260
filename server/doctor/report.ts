/**
 * The doctor's report from its steps (pure): what works (steps that passed),
 * what does not (steps that failed), and the fixes, each once, in the order
 * of the steps. Skipped steps (ok null) are in neither list: their detail
 * says why they did not run.
 */
import type { DoctorReport, DoctorStep, DoctorTarget } from './types.ts';

const headline = (s: DoctorStep) => `${s.title}: ${s.detail.split('\n')[0]}`;

export function buildReport(target: DoctorTarget, calledAeTitleUsed: string, steps: readonly DoctorStep[], cancelled = false): DoctorReport {
  const fixes: string[] = [];
  for (const s of steps) if (s.ok === false && s.fix && !fixes.includes(s.fix)) fixes.push(s.fix);
  return {
    target: { host: target.host, port: target.port, calledAeTitle: target.calledAeTitle, callingAeTitle: target.callingAeTitle, ...(target.destination ? { destination: target.destination } : {}) },
    calledAeTitleUsed,
    steps: [...steps],
    summary: {
      works: steps.filter((s) => s.ok === true).map(headline),
      fails: steps.filter((s) => s.ok === false).map(headline),
      fixes,
    },
    cancelled,
  };
}

/** True when nothing that was probed failed (the CLI's exit code 0). */
export function allWorks(report: DoctorReport): boolean {
  return report.steps.every((s) => s.ok !== false);
}
