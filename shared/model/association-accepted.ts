/**
 * Whether an association was accepted, from what the summary holds: the
 * acceptor answered with an A-ASSOCIATE-AC (PS3.8 §9.3.3) — a presentation
 * context has a result, or the AC's user information (maximum length,
 * implementation class) was seen — and it was neither rejected nor refused.
 * Pure.
 */
import type { SummaryAssociation } from './summary-types.ts';

export function associationAccepted(a: SummaryAssociation): boolean {
  if (a.reject || a.outcome === 'refused' || a.outcome === 'rejected') return false;
  return a.presentationContexts.some((pc) => pc.result !== null) || a.maxPdu.acceptor !== null || a.implementation.acceptor.classUid !== null;
}
