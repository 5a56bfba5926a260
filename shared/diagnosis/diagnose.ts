/**
 * diagnose(summary) → findings: the diagnosis rules (docs/architecture.md,
 * "The layers") run over the derived model. Pure and deterministic: the
 * same summary gives the same findings in the same order, live (call it on
 * each update, with `now` = the current time of the summary's clock) or on a
 * replay or file (default `now` = the last event, source complete).
 *
 * Cost: one O(n) indexing pass over associations, PDUs and messages
 * (context.ts), then each rule family walks its slice once — O(n log n) at
 * worst — so it can run in the browser on every live update of a
 * 20,000-message session (test/unit/diagnosis/bench.test.ts prints the time).
 */
import type { Summary } from '../model/summary-types.ts';
import type { DiagnoseOptions, Finding, Severity } from './types.ts';
import { DiagnosisContext } from './context.ts';
import { RULE_FAMILIES } from './registry.ts';
import { tlsExplained } from './tls.ts';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function diagnose(summary: Summary, options: DiagnoseOptions = {}): Finding[] {
  const ctx = new DiagnosisContext(summary, options);
  const findings: Finding[] = [];
  for (const family of RULE_FAMILIES) {
    const start = findings.length;
    try {
      family.run(ctx, findings);
    } catch (e) {
      // A bug in a rule must not cost the other findings (docs/architecture.md §5: bad input is data).
      findings.length = start;
      findings.push({
        rule: 'diagnosis.internal-error',
        severity: 'info',
        title: `The ${family.name} rules failed on this session`,
        text: `Internal error: ${(e as Error)?.message ?? String(e)}. The other rules ran.`,
        fix: "Report it to pacscope's maintainers with this recording or capture.",
        evidence: { associations: [], messages: [] },
        time: ctx.lastTime,
      });
    }
    for (let i = start; i < findings.length; i++) ctx.claim(findings[i]);
  }
  // A TLS failure explains its connection: the association rules' "closed before an answer" says it again, less well.
  const tls = tlsExplained(findings);
  const kept = tls.size === 0 ? findings : findings.filter((f) => f.rule.startsWith('tls.') || f.evidence.messages.length > 0 || !f.evidence.associations.every((a) => tls.has(a)));
  for (const f of kept) f.origin = ctx.originOf(f);
  return kept.sort(compare);
}

function compare(a: Finding, b: Finding): number {
  return (
    a.time - b.time ||
    RANK[a.severity] - RANK[b.severity] ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.evidence.messages[0] ?? -1) - (b.evidence.messages[0] ?? -1) ||
    (a.evidence.associations[0] ?? '').localeCompare(b.evidence.associations[0] ?? '')
  );
}

/**
 * "Now" on the summary's clock (seconds since its first event) for a live
 * caller: pass it as `options.now` so that what is overdue is reported once
 * the window has passed, and nothing is reported as missing before.
 */
export function liveNow(summary: Summary, nowMs: number = Date.now()): number | undefined {
  const start = summary.source.start ? Date.parse(summary.source.start) : NaN;
  return Number.isFinite(start) ? Math.max(0, (nowMs - start) / 1000) : undefined;
}

/** Counts per severity, e.g. for a badge or an exit code. */
export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
