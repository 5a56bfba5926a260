/**
 * An operation's result from how its association ended and the final DIMSE
 * status it got: the status category of PS3.7 Annex C decides when a final
 * response arrived; otherwise the association's end does.
 */
import { formatStatus, statusInfo } from '../../../shared/dimse/status.ts';
import type { AssociationEnd } from './run-operation.ts';
import type { OperationResult, Outcome } from './options.ts';

export interface FinalStatus {
  status: number;
  /** "C-FIND", "C-MOVE", …: status meanings depend on the service (PS3.4). */
  service: string;
  errorComment?: string;
}

export function operationResult(end: AssociationEnd, final: FinalStatus | null, connection: number, problem?: string): OperationResult {
  const endReason = end.kind === 'released' ? undefined : end.reason;
  if (final) {
    const info = statusInfo(final.status, final.service);
    const outcome: Outcome = info.category === 'success' || info.category === 'warning' || info.category === 'failure' || info.category === 'cancel' ? info.category : 'failure';
    const parts = [
      outcome === 'success' ? undefined : `${final.service} status ${formatStatus(final.status)} ${info.meaning}`,
      final.errorComment ? `error comment: ${final.errorComment.trim()}` : undefined,
      problem,
      endReason ? `then ${endReason}` : undefined,
    ].filter((x): x is string => !!x);
    return {
      ok: outcome === 'success' || outcome === 'warning',
      outcome,
      status: final.status,
      statusText: info.meaning,
      reason: parts.length > 0 ? parts.join('; ') : undefined,
      connection,
    };
  }
  if (end.kind !== 'released') return { ok: false, outcome: end.kind, reason: problem ? `${problem}; ${end.reason}` : end.reason, connection };
  return { ok: false, outcome: 'error', reason: problem ?? 'no final response arrived before the association was released', connection };
}
