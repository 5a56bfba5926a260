/**
 * The UI benchmark's table: one row per figure with its target, met / NOT met,
 * and either the same figure of the "before" build measured in the same run
 * (side by side, with the ratio) or the ratio to a baseline; then one line of
 * detail per row.
 */
export interface Row {
  what: string;
  value: number;
  unit: string;
  target: string;
  met: boolean | null;
  /** Not one of issue 4's figures: shown for comparison, not counted in the verdict. */
  extra?: boolean;
  baseline?: { label: string; value: number };
  detail: string;
  /** The same figure of the "before" build, when one was measured (ui-bench-before.ts). */
  before?: { value: number; met: boolean | null; detail: string };
}

const f = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');
const result = (met: boolean | null) => (met === null ? '' : met ? 'met' : 'NOT met');

export function printTable(rows: Row[], beforeLabel?: string): void {
  const out = (s: string) => process.stdout.write(s);
  if (beforeLabel) {
    out(`\n${'figure'.padEnd(52)}${'before'.padStart(9)}  ${''.padEnd(9)}${'after'.padStart(9)}  ${'target'.padEnd(12)}${'result'.padEnd(9)}${'after/before'.padStart(13)}\n`);
    for (const r of rows) {
      const b = r.before;
      out(`${r.what.padEnd(52)}${(b ? `${f(b.value)} ${r.unit}` : '—').padStart(9)}  ${(b ? result(b.met) : '').padEnd(9)}${`${f(r.value)} ${r.unit}`.padStart(9)}  ${r.target.padEnd(12)}${result(r.met).padEnd(9)}${(b ? `${(r.value / b.value).toFixed(2)}×` : '').padStart(13)}\n`);
    }
    out(`\nbefore: ${beforeLabel}; after: this working tree (both in this run, the same sessions, one after the other)\n\n`);
    for (const r of rows) {
      out(`- ${r.what}: after: ${r.detail}${r.baseline ? `; baseline ${r.baseline.label}: ${f(r.baseline.value)} ${r.unit}` : ''}\n`);
      if (r.before) out(`  before: ${r.before.detail}\n`);
    }
    return;
  }
  out(`\n${'figure'.padEnd(52)}${'value'.padStart(9)}  ${'target'.padEnd(12)}${'result'.padEnd(9)}${'vs baseline'.padStart(12)}\n`);
  for (const r of rows) {
    const ratio = r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}×` : '';
    out(`${r.what.padEnd(52)}${`${f(r.value)} ${r.unit}`.padStart(9)}  ${r.target.padEnd(12)}${result(r.met).padEnd(9)}${ratio.padStart(12)}\n`);
  }
  out('\n');
  for (const r of rows) out(`- ${r.what}: ${r.detail}${r.baseline ? `; baseline ${r.baseline.label}: ${f(r.baseline.value)} ${r.unit}` : ''}\n`);
}

/** Whether every figure of issue 4 (the rows not marked extra) met its target (the working tree's figures). */
export function verdict(rows: Row[]): string {
  const all = rows.filter((r) => !r.extra).every((r) => r.met === true);
  const extra = rows.filter((r) => r.extra && r.met === false).length;
  return `issue 4 targets (first render, frame time, live latency): ${all ? 'all met' : 'NOT all met'}${extra ? `; ${extra} (extra) figure(s) NOT met` : ''}`;
}
