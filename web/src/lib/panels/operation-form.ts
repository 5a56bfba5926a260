/**
 * Pure helpers of the operations panel: parse the `Key=Value` lines, build the
 * request, say the result in one line, and turn a C-FIND match into the keys
 * of a C-MOVE / C-GET of that one entity.
 */
import { dicomText } from '../../../../shared/view/dicom-text.ts';
import type { OperationKind, OperationRequest, OperationState } from '../transport/api.ts';

export type Level = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export function parseKeys(text: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq < 0) keys[line] = '';
    else keys[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return keys;
}

export function formatKeys(keys: Record<string, string>): string {
  return Object.entries(keys).map(([k, v]) => `${k}=${v}`).join('\n');
}

export interface FormValues {
  op: OperationKind;
  host: string;
  port: string;
  aet: string;
  aec: string;
  dest: string;
  level: Level;
  keys: string;
}

/** `uploads`: the ids of the files uploaded for a C-STORE (POST /api/uploads). */
export function buildRequest(f: FormValues, uploads: string[] = []): OperationRequest {
  const request: OperationRequest = {
    op: f.op,
    host: f.host.trim(),
    port: Number(f.port),
    callingAeTitle: f.aet.trim(),
    calledAeTitle: f.aec.trim(),
  };
  if (f.op === 'store') request.uploads = uploads;
  else if (f.op !== 'echo') {
    request.model = 'study';
    request.level = f.level;
    request.keys = parseKeys(f.keys);
  }
  if (f.op === 'move') request.destination = f.dest.trim();
  return request;
}

/** `move: success 0x0000 …; C=3 F=0 W=0` */
export function resultLine(state: OperationState): string {
  const c = state.counters;
  const st = state.store;
  const counters = c
    ? `; remaining=${c.remaining ?? '-'} completed=${c.completed} failed=${c.failed} warning=${c.warning}`
    : st
      ? `; sent ${st.sent} of ${st.total}${st.failed.length ? `, ${st.failed.length} failed` : ''}${st.skipped.length ? `, ${st.skipped.length} skipped` : ''}`
      : '';
  if (state.state === 'running') return `${state.op}: running${state.matches ? ` — ${state.matches.length} matches` : ''}${counters}`;
  const r = state.result;
  if (!r) return `${state.op}: done`;
  const status = r.status !== undefined ? ` 0x${r.status.toString(16).toUpperCase().padStart(4, '0')}` : '';
  const text = r.statusText ? ` ${r.statusText}` : '';
  const matches = state.op === 'find' && state.matches ? `; ${state.matches.length} matches` : '';
  return `${state.op}: ${r.outcome}${status}${text}${matches}${counters}${r.reason ? ` — ${r.reason}` : ''}`;
}

const UNIQUE_KEY: Record<Level, string> = { PATIENT: 'PatientID', STUDY: 'StudyInstanceUID', SERIES: 'SeriesInstanceUID', IMAGE: 'SOPInstanceUID' };
const PARENT_KEYS: Record<Level, string[]> = { PATIENT: [], STUDY: [], SERIES: ['StudyInstanceUID'], IMAGE: ['StudyInstanceUID', 'SeriesInstanceUID'] };

function text(value: unknown): string {
  return dicomText(value) ?? '';
}

/** Keys that retrieve exactly this match (Study Root: the unique keys down to its level). */
export function retrieveKeys(match: Record<string, unknown>, fallbackLevel: Level): { level: Level; keys: Record<string, string> } {
  const levelValue = text(match.QueryRetrieveLevel).toUpperCase();
  const level = (['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const).find((l) => l === levelValue) ?? fallbackLevel;
  const keys: Record<string, string> = {};
  for (const k of [...PARENT_KEYS[level], UNIQUE_KEY[level]]) keys[k] = text(match[k]);
  return { level, keys };
}

const MATCH_FIELDS = ['PatientName', 'PatientID', 'StudyDate', 'StudyDescription', 'ModalitiesInStudy', 'SeriesDescription', 'Modality', 'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'];
/** UIDs may wrap anywhere (they are long); every other value wraps only between words. */
const UID_FIELDS = new Set(['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID']);

/** A DA value as people read it: 20240312 → 2024-03-12 (PS3.5 §6.2 DA is YYYYMMDD); anything else unchanged. */
function dateText(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

/** The parts of one match's line, in order: the person, the study, the identifiers; `uid` parts may break anywhere. */
export function matchParts(match: Record<string, unknown>): { field: string; text: string; uid: boolean }[] {
  return MATCH_FIELDS.map((field) => ({ field, text: field === 'StudyDate' ? dateText(text(match[field])) : text(match[field]), uid: UID_FIELDS.has(field) })).filter((p) => p.text !== '');
}

/** A short line for one match: the person, the study, the identifiers. */
export function matchSummary(match: Record<string, unknown>): string {
  return matchParts(match).map((p) => p.text).join(' · ');
}
