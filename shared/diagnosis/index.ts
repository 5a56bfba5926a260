/** The diagnosis rules (docs/architecture.md, "The layers"): `diagnose(summary)` and the finding types. */
export { diagnose, liveNow, severityCounts } from './diagnose.ts';
export { RULE_CATALOGUE, RULE_FAMILIES, ruleInfo } from './registry.ts';
export type { DiagnoseOptions, Evidence, Finding, FindingOrigin, ProbeRun, Severity } from './types.ts';
export type { ListeningEndpoint } from './identify.ts';
export type { RuleInfo } from './rule.ts';
