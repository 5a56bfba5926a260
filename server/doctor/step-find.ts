/**
 * Steps e and the instance to retrieve: C-FIND (PS3.4 C.4.1) at STUDY level
 * with a universal query, cancelled (C-CANCEL, PS3.7 §9.3.2.3) after a few
 * matches, in Study Root, falling back to Patient Root (there the STUDY level
 * needs the Patient ID above it, PS3.4 C.4.1.2.1: a PATIENT query first);
 * then one series of the first study and one instance of that series
 * (SERIES and IMAGE levels), which the retrieve steps move and get.
 */
import { cFind, type FindResult } from '../endpoints/scu/find.ts';
import { formatValue } from '../endpoints/scu/keys.ts';
import type { QueryLevel, QueryModel } from '../endpoints/scu/options.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { idsOf } from './hub-evidence.ts';
import { STUDY_MATCH_LIMIT } from './tables.ts';
import { scuTarget, step, type DoctorContext, type DoctorContextProbe, type DoctorStep } from './types.ts';
import { QUERY_RETRIEVE_SOP_CLASSES } from '../endpoints/scu/sop-classes.ts';

export interface LimitedFind {
  result: FindResult;
  /** We sent the C-CANCEL (the limit was reached). */
  cancelled: boolean;
  connection: number | undefined;
}

const text = (v: unknown): string => formatValue(v).replace(/\0/g, '').trim();

/** A C-FIND that sends a C-CANCEL once `limit` matches arrived (the peer may finish first). */
export async function limitedFind(ctx: DoctorContext, model: QueryModel, level: QueryLevel, keys: Record<string, unknown>, limit: number): Promise<LimitedFind> {
  const own = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, own.signal]) : own.signal;
  let cancelled = false;
  const result = await cFind({ ...scuTarget(ctx), model, level, keys }, ctx.hub, {
    signal,
    onMatch: (_m, index) => {
      if (index >= limit && !cancelled) {
        cancelled = true;
        own.abort();
      }
    },
  });
  return { result, cancelled, connection: result.connection };
}

/** A find that worked: a final success, or the cancel we asked for (0xFE00, or a success that came first). */
const worked = (f: LimitedFind) => f.result.outcome === 'success' || f.result.outcome === 'warning' || (f.cancelled && f.result.outcome === 'cancel');

/** The Q/R models to query, best first: those whose FIND context the probe saw accepted (both when unknown). */
export function findModels(probes: readonly DoctorContextProbe[]): QueryModel[] {
  const models: QueryModel[] = ['study', 'patient'];
  if (probes.length === 0) return models;
  return models.filter((m) => probes.some((p) => p.sopClass === QUERY_RETRIEVE_SOP_CLASSES[m].find && p.accepted.length > 0));
}

export interface StudyFind {
  step: DoctorStep;
  model: QueryModel | null;
  study: { StudyInstanceUID: string; PatientID: string } | null;
}

const STUDY_KEYS = { StudyInstanceUID: '', PatientID: '', PatientName: '', StudyDate: '', ModalitiesInStudy: '' };

function outcomeText(f: LimitedFind): string {
  const r = f.result;
  const status = r.status !== undefined ? ` (final ${formatStatus(r.status)} ${r.statusText ?? ''})`.replace(/ \)$/, ')') : '';
  return `${r.matches.length} match${r.matches.length === 1 ? '' : 'es'}${f.cancelled ? `, C-CANCEL sent after ${r.matches.length}` : ''}${status}`;
}

export async function findStudies(ctx: DoctorContext, probes: readonly DoctorContextProbe[]): Promise<StudyFind> {
  const title = 'C-FIND at STUDY level';
  const models = findModels(probes);
  if (models.length === 0) return { step: step('find', title, null, 'skipped: the peer accepted no C-FIND context (Study Root or Patient Root): it offers no query (a storage-only SCP?)', []), model: null, study: null };
  const tried: string[] = [];
  const connections: (number | undefined)[] = [];
  for (const model of models) {
    if (ctx.signal?.aborted) break;
    let keys: Record<string, unknown> = STUDY_KEYS;
    if (model === 'patient') {
      // PS3.4 C.4.1.2.1: below the PATIENT level of the Patient Root model the SCU gives the Patient ID.
      const p = await limitedFind(ctx, 'patient', 'PATIENT', { PatientID: '', PatientName: '' }, 1);
      connections.push(p.connection);
      const pid = text(p.result.matches.find((m) => text(m.PatientID) !== '')?.PatientID);
      if (!worked(p) || pid === '') {
        tried.push(`Patient Root PATIENT level: ${worked(p) ? 'no patient' : (p.result.reason ?? p.result.outcome)}`);
        continue;
      }
      keys = { ...STUDY_KEYS, PatientID: pid };
    }
    const f = await limitedFind(ctx, model, 'STUDY', keys, STUDY_MATCH_LIMIT);
    connections.push(f.connection);
    const name = model === 'study' ? 'Study Root' : 'Patient Root';
    if (!worked(f)) {
      tried.push(`${name}: ${f.result.reason ?? f.result.outcome}`);
      continue;
    }
    const first = f.result.matches.find((m) => text(m.StudyInstanceUID) !== '');
    const study = first ? { StudyInstanceUID: text(first.StudyInstanceUID), PatientID: text(first.PatientID) } : null;
    const detail = [`${name}: ${outcomeText(f)}${study ? `; first study ${study.StudyInstanceUID}` : ''}`, ...tried.map((t) => `before: ${t}`)].join('\n');
    return { step: step('find', title, true, detail, idsOf(ctx.hub, connections), { status: f.result.status !== undefined ? formatStatus(f.result.status) : undefined }), model, study };
  }
  const fix = 'the peer refuses the query: check its log; Orthanc answers only known callers unless DicomAlwaysAllowFind is true (add the caller to DicomModalities); dcmqrscp needs the caller in the AETable peers column';
  return { step: step('find', title, false, `no C-FIND worked:\n${tried.map((t) => `  ${t}`).join('\n')}`, idsOf(ctx.hub, connections), { fix }), model: null, study: null };
}

export interface PickedInstance {
  step: DoctorStep;
  /** What to retrieve: level and unique keys (PS3.4 C.4.2.2.1), or null. */
  retrieve: { model: QueryModel; level: QueryLevel; keys: Record<string, string>; sopClassUid: string | null; sopInstanceUid: string | null } | null;
}

/** One series of the study, then one instance of the series. */
export async function pickInstance(ctx: DoctorContext, model: QueryModel, study: { StudyInstanceUID: string; PatientID: string }): Promise<PickedInstance> {
  const title = 'One instance to retrieve (C-FIND at SERIES and IMAGE level)';
  const above: Record<string, string> = model === 'patient' ? { PatientID: study.PatientID, StudyInstanceUID: study.StudyInstanceUID } : { StudyInstanceUID: study.StudyInstanceUID };
  const s = await limitedFind(ctx, model, 'SERIES', { ...above, SeriesInstanceUID: '', Modality: '' }, 1);
  const seriesUid = text(s.result.matches.find((m) => text(m.SeriesInstanceUID) !== '')?.SeriesInstanceUID);
  if (!worked(s) || seriesUid === '') {
    const why = worked(s) ? 'the study has no series' : (s.result.reason ?? s.result.outcome);
    return { step: step('instance', title, false, `no series found in study ${study.StudyInstanceUID}: ${why}`, idsOf(ctx.hub, [s.connection])), retrieve: null };
  }
  const series = { ...above, SeriesInstanceUID: seriesUid };
  const i = await limitedFind(ctx, model, 'IMAGE', { ...series, SOPInstanceUID: '', SOPClassUID: '' }, 1);
  const ids = idsOf(ctx.hub, [s.connection, i.connection]);
  const match = i.result.matches.find((m) => text(m.SOPInstanceUID) !== '');
  if (worked(i) && match) {
    const sopInstanceUid = text(match.SOPInstanceUID);
    const sopClassUid = text(match.SOPClassUID) || null;
    return { step: step('instance', title, true, `instance ${sopInstanceUid} of series ${seriesUid}`, ids), retrieve: { model, level: 'IMAGE', keys: { ...series, SOPInstanceUID: sopInstanceUid }, sopClassUid, sopInstanceUid } };
  }
  // No IMAGE level query (or no instance listed): retrieve the series.
  const why = worked(i) ? 'no instance listed at IMAGE level' : `IMAGE level query failed: ${i.result.reason ?? i.result.outcome}`;
  return { step: step('instance', title, true, `series ${seriesUid} (${why}: the retrieve moves the series)`, ids), retrieve: { model, level: 'SERIES', keys: series, sopClassUid: null, sopInstanceUid: null } };
}
