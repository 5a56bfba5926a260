/**
 * What command-set values mean, in words, for the inspector (PS3.7 Annex E).
 * Pure; no dcmjs.
 */
import type { ElementSummary } from '../../../../shared/dimse/types.ts';
import type { SummaryAssociation, SummaryMessage } from '../../../../shared/model/summary-types.ts';
import { uidName } from '../../../../shared/dicom/uids.ts';
import { commandOf, statusMeaningOf, type CommandAndStatus } from '../../../../shared/dimse/message-words.ts';

const PRIORITY: Record<number, string> = { 0: 'MEDIUM', 1: 'HIGH', 2: 'LOW' };

export function hex4(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join('\\');
  return JSON.stringify(value);
}

/** A meaning of the element's value, or ''. */
export function elementMeaning(element: ElementSummary, message: CommandAndStatus): string {
  const v = element.value;
  switch (element.keyword) {
    case 'CommandField':
      return commandOf(message);
    case 'Priority':
      return typeof v === 'number' ? (PRIORITY[v] ?? '') : '';
    case 'CommandDataSetType':
      return v === 0x0101 ? 'no data set' : 'a data set follows';
    case 'Status':
      return statusMeaningOf(message) ?? '';
    case 'AffectedSOPClassUID':
    case 'RequestedSOPClassUID':
      return typeof v === 'string' ? (uidName(v) ?? '') : '';
    default:
      return '';
  }
}

/** Display of a command element's value: numbers of the status and command field in hex. */
export function elementValue(element: ElementSummary): string {
  if (typeof element.value === 'number' && (element.keyword === 'Status' || element.keyword === 'CommandField' || element.keyword === 'CommandDataSetType')) {
    return hex4(element.value);
  }
  return valueText(element.value);
}

/** Timing of a message within its exchange: since the association started, and request ⇄ final response. */
export function timing(messages: SummaryMessage[], index: number, association: SummaryAssociation | undefined): string[] {
  const m = messages[index];
  const lines = [`at ${(m.time * 1000).toFixed(1)} ms from the start of the source`];
  if (association) lines.push(`${((m.time - association.start) * 1000).toFixed(1)} ms after the A-ASSOCIATE-RQ`);
  if (m.status === null && m.messageId !== null) {
    const rsp = messages.find((r, i) => i > index && r.association === m.association && r.respondsTo === m.messageId && r.status !== null && r.statusCategory !== 'pending');
    if (rsp) lines.push(`final response after ${((rsp.time - m.time) * 1000).toFixed(1)} ms`);
  } else if (m.respondsTo !== null) {
    for (let i = index - 1; i >= 0; i--) {
      const r = messages[i];
      if (r.association === m.association && r.messageId === m.respondsTo && r.status === null) {
        lines.push(`${((m.time - r.time) * 1000).toFixed(1)} ms after its request (message ${i})`);
        break;
      }
    }
  }
  return lines;
}
