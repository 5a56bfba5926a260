/**
 * The UI benchmark's table: one row per figure with its target, met / NOT met,
 * and the ratio to a baseline measured in the same run; then one line of
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
}

export function printTable(rows: Row[]): void {
  const f = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');
  process.stdout.write(`\n${'figure'.padEnd(52)}${'value'.padStart(9)}  ${'target'.padEnd(12)}${'result'.padEnd(9)}${'vs baseline'.padStart(12)}\n`);
  for (const r of rows) {
    const ratio = r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}×` : '';
    const result = r.met === null ? '' : r.met ? 'met' : 'NOT met';
    process.stdout.write(`${r.what.padEnd(52)}${`${f(r.value)} ${r.unit}`.padStart(9)}  ${r.target.padEnd(12)}${result.padEnd(9)}${ratio.padStart(12)}\n`);
  }
  process.stdout.write('\n');
  for (const r of rows) process.stdout.write(`- ${r.what}: ${r.detail}${r.baseline ? `; baseline ${r.baseline.label}: ${f(r.baseline.value)} ${r.unit}` : ''}\n`);
}

/** Whether every figure of issue 4 (the rows not marked extra) met its target. */
export function verdict(rows: Row[]): string {
  const all = rows.filter((r) => !r.extra).every((r) => r.met === true);
  const extra = rows.filter((r) => r.extra && r.met === false).length;
  return `issue 4 targets (first render, frame time, live latency): ${all ? 'all met' : 'NOT all met'}${extra ? `; ${extra} (extra) figure(s) NOT met` : ''}`;
}
