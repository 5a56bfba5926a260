/**
 * The selection across a move of the live window (docs/live-api.md, "The
 * live window"): the new snapshot's indices are counted from its own first
 * message and PDU, so what was selected is found again there — or is gone
 * with the page the window let go. Pure.
 */
import type { LiveWindowInfo } from '../../../../shared/events/live-messages.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';
import type { Selection } from '../../../../shared/view/diagram/layout-types.ts';

/**
 * The selection after the live window moved on: the same message or PDU at
 * its index in the new window, the same association's lifecycle event; null
 * when it is no longer in the window.
 */
export function followSelection(selected: Selection, old: Summary, next: Summary, was: LiveWindowInfo, now: LiveWindowInfo): Selection {
  if (!selected) return null;
  if (selected.kind === 'lifecycle') {
    const id = old.associations[selected.index]?.id;
    const index = id === undefined ? -1 : next.associations.findIndex((a) => a.id === id);
    return index < 0 ? null : { ...selected, index };
  }
  const key = selected.kind === 'message' ? 'message' : 'pdu';
  const index = selected.index + was.first[key] - now.first[key];
  const list = selected.kind === 'message' ? next.messages : next.pdus;
  // PDUs come after the snapshot: kept while their list is on its way.
  return index < 0 || (selected.kind === 'message' && index >= list.length) ? null : { ...selected, index };
}
