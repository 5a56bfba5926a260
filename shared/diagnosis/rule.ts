/**
 * The shape of a family of diagnosis rules: one file per family, each with
 * the ids it can emit (its catalogue, for documentation and the UI) and a
 * pure `run` over the indexed summary.
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding, Severity } from './types.ts';

export interface RuleInfo {
  /** Stable id, e.g. "move.destination-unknown". */
  id: string;
  /** The usual severity (some rules lower or raise it with the evidence). */
  severity: Severity;
  /** What it detects, in one sentence. */
  summary: string;
}

export interface RuleFamily {
  name: string;
  catalogue: readonly RuleInfo[];
  /** Appends findings to `out`. Must not throw on odd input and must stay O(n log n) in the size of the summary. */
  run(ctx: DiagnosisContext, out: Finding[]): void;
}
