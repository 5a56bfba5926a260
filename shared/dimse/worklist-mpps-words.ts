/**
 * Worklist queries (C-FIND on the Modality Worklist Information Model, PS3.4
 * K.6.1) and MPPS (N-CREATE / N-SET of the Modality Performed Procedure Step
 * SOP Class, PS3.4 F.7.2) in words, made at the edges (docs/architecture.md
 * §8) for the diagram's arrows (`procedureStepLabel`, short) and the text
 * summary and the inspector (`procedureStepText`, every key, the whole
 * transition): `C-FIND-RQ #1 worklist CT1 · 20240612`, `Pending item
 * ADAMS^ANNA · CT1 CT 08:00`, `N-CREATE-RQ #1 MPPS → IN PROGRESS`,
 * `N-SET-RQ #2 MPPS → COMPLETED` (text: `MPPS IN PROGRESS → COMPLETED`).
 * Null for any other message, so the callers fall back to their general
 * words. Pure.
 */
import { CommandField } from './command-fields.ts';
import { commandOf } from './message-words.ts';
import { isMatchingValue, isMpps, isWorklistFind, ppsStatus, scheduledStep, valueText, worklistMatchingKeys } from '../dicom/worklist-mpps.ts';

/** What the words are made from: a message of the summary model. */
export interface ProcedureStepMessage {
  commandField: number;
  messageId: number | null;
  status: number | null;
  statusCategory: string | null;
  affectedSopClass: string | null;
  requestedSopClass: string | null;
  identifier: Record<string, unknown> | null;
}

/** The short form of a key value on an arrow: station AE, modality and dates bare, others as KEY=value. */
const BARE = new Set(['ScheduledStationAETitle', 'Modality', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime']);

/** The step keys a text line shows of a match (the inspector shows them all). */
const ITEM_STEP_KEYS = ['ScheduledStationAETitle', 'Modality', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime', 'ScheduledProcedureStepID'];

const isMppsMessage = (m: ProcedureStepMessage): boolean => isMpps(m.affectedSopClass) || isMpps(m.requestedSopClass);

/** "→ IN PROGRESS" of an N-CREATE, "IN PROGRESS → COMPLETED" of an N-SET (the only state it may leave, PS3.4 F.7.2.2.2), "update" without a status. */
export function mppsTransition(m: ProcedureStepMessage): string | null {
  if (!isMppsMessage(m)) return null;
  const status = ppsStatus(m.identifier);
  if (m.commandField === CommandField.NCreateRq) return `→ ${status ?? '(no status)'}`;
  if (m.commandField === CommandField.NSetRq) return status === null || status === 'IN PROGRESS' ? `update${status ? ' (IN PROGRESS)' : ''}` : `IN PROGRESS → ${status}`;
  return null;
}

/** The label of a worklist or MPPS message arrow, or null for any other message. */
export function procedureStepLabel(m: ProcedureStepMessage): string | null {
  const id = m.messageId !== null ? ` #${m.messageId}` : '';
  if (isWorklistFind(m.affectedSopClass)) {
    if (m.commandField === CommandField.CFindRq) {
      const keys = worklistMatchingKeys(m.identifier).map((k) => (BARE.has(k.keyword) ? k.value : `${k.keyword}=${k.value}`));
      return `${commandOf(m)}${id} worklist ${keys.length ? keys.join(' · ') : '(all items)'}`;
    }
    if (m.commandField === CommandField.CFindRsp && m.statusCategory === 'pending') {
      const step = scheduledStep(m.identifier);
      const who = valueText(m.identifier?.['PatientName']) || valueText(m.identifier?.['PatientID']) || '';
      const time = step?.ScheduledProcedureStepStartTime?.replace(/^(\d\d)(\d\d).*$/, '$1:$2');
      const where = [step?.ScheduledStationAETitle, step?.Modality, time].filter(isMatchingValue).join(' ');
      return `Pending item ${[who, where].filter((x) => x !== '').join(' · ')}`.trim();
    }
    return null;
  }
  // On an arrow the state asked for; the text summary and the inspector say the whole transition.
  const status = ppsStatus(m.identifier);
  const transition = mppsTransition(m);
  if (transition === null) return null;
  return `${commandOf(m)}${id} MPPS ${m.commandField === CommandField.NSetRq && status !== null && status !== 'IN PROGRESS' ? `→ ${status}` : transition}`;
}

/**
 * The worklist or MPPS part of a text summary line: every matching key of a
 * worklist query with its path, the scheduled step of a match, the status
 * transition of an MPPS request; null for any other message.
 */
export function procedureStepText(m: ProcedureStepMessage): string | null {
  if (isWorklistFind(m.affectedSopClass)) {
    if (m.commandField === CommandField.CFindRq) {
      const keys = worklistMatchingKeys(m.identifier);
      return `worklist query ${keys.length ? keys.map((k) => `${k.path}=${k.value}`).join(' ') : '(no matching key: every item)'}`;
    }
    if (m.commandField === CommandField.CFindRsp && m.statusCategory === 'pending') {
      const step = scheduledStep(m.identifier) ?? {};
      const parts = ['PatientName', 'PatientID', 'AccessionNumber'].map((k) => [k, valueText(m.identifier?.[k])] as const).filter(([, v]) => isMatchingValue(v));
      const stepParts = ITEM_STEP_KEYS.map((k) => [k, step[k]] as const).filter(([, v]) => isMatchingValue(v));
      return `worklist item ${[...parts, ...stepParts].map(([k, v]) => `${k}=${v}`).join(' ')}`.trim();
    }
    return null;
  }
  const transition = mppsTransition(m);
  return transition === null ? null : `MPPS ${transition}`;
}
