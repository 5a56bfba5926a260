/**
 * Applies one live delta to a Summary (pure, returns a new object so a
 * `$state.raw` holder sees the change). Messages, PDUs and errors are appended
 * at their index; an association is replaced whole (or added).
 */
import type { Summary } from '../../../../shared/model/summary-types.ts';
import type { LiveDelta } from '../../../../shared/events/live-messages.ts';

function placed<T>(list: T[], index: number, item: T): T[] {
  const next = list.slice();
  next[index] = item;
  // deltas are numbered, so a gap is never expected; never leave holes
  return next.length > list.length + 1 ? next.filter((x) => x !== undefined) : next;
}

export function applyDelta(summary: Summary, delta: LiveDelta): Summary {
  switch (delta.type) {
    case 'association': {
      const at = summary.associations.findIndex((a) => a.id === delta.association.id);
      const associations = summary.associations.slice();
      if (at >= 0) associations[at] = delta.association;
      else associations.push(delta.association);
      return { ...summary, associations };
    }
    case 'pdu':
      return { ...summary, pdus: placed(summary.pdus, delta.index, delta.pdu) };
    case 'message':
      return { ...summary, messages: placed(summary.messages, delta.index, delta.message) };
    case 'error':
      return { ...summary, errors: placed(summary.errors, delta.index, delta.error) };
  }
}

/** Applies a batch of deltas, copying each list at most once (for bursts of thousands). */
export function applyDeltas(summary: Summary, deltas: LiveDelta[]): Summary {
  if (deltas.length === 0) return summary;
  if (deltas.length === 1) return applyDelta(summary, deltas[0]);
  const associations = summary.associations.slice();
  const pdus = summary.pdus.slice();
  const messages = summary.messages.slice();
  const errors = summary.errors.slice();
  for (const d of deltas) {
    if (d.type === 'association') {
      const at = associations.findIndex((a) => a.id === d.association.id);
      if (at >= 0) associations[at] = d.association;
      else associations.push(d.association);
    } else if (d.type === 'pdu') pdus[d.index] = d.pdu;
    else if (d.type === 'message') messages[d.index] = d.message;
    else errors[d.index] = d.error;
  }
  const dense = <T>(list: T[]) => (list.includes(undefined as T) ? list.filter((x) => x !== undefined) : list);
  return { ...summary, associations, pdus: dense(pdus), messages: dense(messages), errors: dense(errors) };
}

export function emptySummary(): Summary {
  return { version: 1, source: { path: 'live', format: 'live', start: null }, associations: [], pdus: [], messages: [], errors: [] };
}
