/**
 * The links of a message or an association in words, for the inspector: what
 * it answers (its request) and what caused it, from the model's `request` and
 * `cause` (shared/model/linkers/), each relation worded by its linker. Pure.
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../../../shared/model/summary-types.ts';
import { relationInfo } from '../../../../shared/model/linkers/registry.ts';
import { messageLabel } from '../../../../shared/view/diagram/labels.ts';

export interface LinkText {
  text: string;
  section: string;
}

function describe(summary: Summary, index: number): string {
  const m = summary.messages[index];
  return m ? `${messageLabel(m)} (message ${index} on ${m.association})` : `message ${index}`;
}

/** "response to C-MOVE-RQ #1 STUDY → VIEWER (message 3 on a1)", "sub-operation of C-GET-RQ #1 (message 0 on a4)". */
export function messageLinks(summary: Summary, m: SummaryMessage): LinkText[] {
  const out: LinkText[] = [];
  if (m.request !== null) out.push({ text: `response to ${describe(summary, m.request)}`, section: 'PS3.7 §9.3' });
  if (m.cause && m.cause.message !== m.request) {
    const r = relationInfo(m.cause.relation);
    out.push({ text: `${r?.label ?? m.cause.relation} ${describe(summary, m.cause.message)}`, section: r?.section ?? '' });
  }
  return out;
}

/** "sub-association of C-MOVE-RQ #1 STUDY → VIEWER (message 2 on a1), by Move Originator", or null. */
export function associationCause(summary: Summary, a: SummaryAssociation): string | null {
  if (!a.cause) return null;
  const r = relationInfo(a.cause.relation);
  return `${r?.label ?? a.cause.relation} ${describe(summary, a.cause.message)}, by ${a.cause.evidence.replaceAll('-', ' ')}`;
}
