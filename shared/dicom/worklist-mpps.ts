/**
 * Modality Worklist (PS3.4 Annex K) and Modality Performed Procedure Step
 * (PS3.4 Annex F.7) as facts read from a decoded identifier or attribute
 * list (keyword → value, sequences as lists of items, as in
 * `SummaryMessage.identifier`): the SOP classes, the scheduled procedure
 * step keys of a worklist query or match, and the Performed Procedure Step
 * Status of an N-CREATE / N-SET. Pure, and tolerant: an identifier of any
 * shape gives nulls, never an exception (docs/architecture.md §5).
 */
import { MPPS_SOP_CLASS } from '../model/linkers/mpps.ts';

/** Modality Worklist Information Model – FIND (PS3.4 K.6.1.1). */
export const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
export { MPPS_SOP_CLASS };

/** Performed Procedure Step Status (0040,0252) values, PS3.3 C.4.14 (Enumerated Values). */
export const PPS_STATUSES = ['IN PROGRESS', 'COMPLETED', 'DISCONTINUED'] as const;
export type PpsStatus = (typeof PPS_STATUSES)[number];
/** The final states: no N-SET is accepted after them (PS3.4 F.7.2.2.2). */
export const FINAL_PPS_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'DISCONTINUED']);

/** The keys a modality puts into the first item of the Scheduled Procedure Step Sequence (0040,0100), PS3.4 K.6.1.2.2. */
export const SCHEDULED_STEP_KEYS = [
  'ScheduledStationAETitle',
  'Modality',
  'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime',
  'ScheduledPerformingPhysicianName',
  'ScheduledProcedureStepDescription',
  'ScheduledProcedureStepID',
  'ScheduledStationName',
  'ScheduledProcedureStepLocation',
  'ScheduledProcedureStepStatus',
] as const;

/** Top-level matching keys of a worklist query (PS3.4 K.6.1.2.2, Table K.6-1: patient, visit, imaging service request). */
export const WORKLIST_TOP_KEYS = ['PatientName', 'PatientID', 'AccessionNumber', 'RequestedProcedureID', 'StudyInstanceUID', 'ReferringPhysicianName', 'AdmissionID'] as const;

type Identifier = Readonly<Record<string, unknown>> | null | undefined;

export const isWorklistFind = (sopClass: string | null | undefined): boolean => clean(sopClass) === MODALITY_WORKLIST_FIND;
export const isMpps = (sopClass: string | null | undefined): boolean => clean(sopClass) === MPPS_SOP_CLASS;

function clean(uid: string | null | undefined): string | null {
  return typeof uid === 'string' ? uid.replace(/[\0 ]+$/, '') : null;
}

/** A value as text: strings trimmed, numbers as digits, multiple values joined with "\" (PS3.5 §6.4); null for nothing or an odd shape. */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String).join('\\');
  return null;
}

/** The items of a sequence attribute, or null when it is absent or not a sequence. */
export function sequenceItems(identifier: Identifier, keyword: string): Record<string, unknown>[] | null {
  const v = identifier?.[keyword];
  if (!Array.isArray(v)) return null;
  return v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/**
 * The scheduled procedure step of a worklist identifier: the first item of
 * its Scheduled Procedure Step Sequence, keyword → text ('' for a return
 * key); null when the identifier has no such item.
 */
export function scheduledStep(identifier: Identifier): Record<string, string> | null {
  const item = sequenceItems(identifier, 'ScheduledProcedureStepSequence')?.[0];
  if (!item) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(item)) {
    const t = valueText(v);
    if (t !== null) out[k] = t;
  }
  return out;
}

/** A matching key: present with a value that is not universal (PS3.4 C.2.2.2.3: empty or only "*"). */
export const isMatchingValue = (v: string | null | undefined): v is string => typeof v === 'string' && v.trim() !== '' && v.trim() !== '*';

/**
 * The matching keys of a worklist query, in the order a person reads them:
 * the scheduled procedure step's (inside (0040,0100)), then the top-level
 * ones; `path` is how DCMTK's findscu -k writes it.
 */
export interface WorklistKey {
  keyword: string;
  value: string;
  /** In the Scheduled Procedure Step Sequence. */
  inStep: boolean;
  /** `ScheduledProcedureStepSequence[0].ScheduledStationAETitle` or `PatientID`. */
  path: string;
}

export function worklistMatchingKeys(identifier: Identifier): WorklistKey[] {
  const out: WorklistKey[] = [];
  const step = scheduledStep(identifier);
  for (const [keyword, value] of Object.entries(step ?? {})) {
    if (isMatchingValue(value)) out.push({ keyword, value: value.trim(), inStep: true, path: `ScheduledProcedureStepSequence[0].${keyword}` });
  }
  for (const [keyword, raw] of Object.entries(identifier ?? {})) {
    if (keyword === 'SpecificCharacterSet' || keyword === 'ScheduledProcedureStepSequence') continue;
    const value = valueText(raw);
    if (isMatchingValue(value)) out.push({ keyword, value: value.trim(), inStep: false, path: keyword });
  }
  return out;
}

/** Performed Procedure Step Status (0040,0252) of an N-CREATE / N-SET attribute list, upper-cased; null when absent. */
export function ppsStatus(identifier: Identifier): string | null {
  const t = valueText(identifier?.['PerformedProcedureStepStatus']);
  return t === null || t === '' ? null : t.toUpperCase();
}
