/**
 * Every rule family, in the order they run. Order matters only for
 * de-duplication: a family sees what the earlier ones explained (their error
 * and warning evidence, DiagnosisContext.claim) and does not report it again,
 * so the specific rules come first and the fallbacks (bad AE titles, any
 * other failure status) last.
 */
import type { RuleFamily, RuleInfo } from './rule.ts';
import { associationRejectRules } from './association-reject.ts';
import { retrieveOutcomeRules } from './retrieve-outcome.ts';
import { associationEndRules } from './association-end.ts';
import { presentationContextRules } from './presentation-contexts.ts';
import { queryModelRules } from './query-model.ts';
import { retrieveTimingRules } from './retrieve-timing.ts';
import { requestRules } from './requests.ts';
import { captureHealthRules } from './capture-health.ts';
import { aeTitleRules } from './ae-titles.ts';
import { dimseStatusRules } from './dimse-status.ts';
import { retrieveNotPerformedRules, retrieveShortfallRules } from './retrieve-shortfall.ts';
import { peerConformanceRules } from './peer-conformance.ts';
import { tlsRules } from './tls.ts';
import { storageCommitmentRules } from './storage-commitment.ts';
import { worklistMppsRules } from './worklist-mpps.ts';

export const RULE_FAMILIES: readonly RuleFamily[] = Object.freeze([
  // First: a TLS failure is why its connection never became an association (PS3.15 Annex B).
  tlsRules,
  // Before the generic association rules: a storage commitment report association it explains is claimed.
  storageCommitmentRules,
  associationRejectRules,
  worklistMppsRules, // before the query-model, context and status fallbacks: it explains worklist and MPPS failures first
  queryModelRules,
  retrieveShortfallRules,
  retrieveOutcomeRules,
  retrieveNotPerformedRules,
  associationEndRules,
  presentationContextRules,
  retrieveTimingRules,
  requestRules,
  peerConformanceRules,
  captureHealthRules,
  aeTitleRules,
  dimseStatusRules,
]);

/** Every rule id with its usual severity and what it detects (for docs and the UI). */
export const RULE_CATALOGUE: readonly RuleInfo[] = Object.freeze([
  ...RULE_FAMILIES.flatMap((f) => f.catalogue),
  // diagnose.ts's own: a rule family that threw (docs/architecture.md §5).
  { id: 'diagnosis.internal-error', severity: 'info', summary: 'A family of diagnosis rules failed on this session (a bug to report); the other rules ran' },
]);

/** The catalogue entry of a rule id, or undefined. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return RULE_CATALOGUE.find((r) => r.id === id);
}
