/**
 * Modality Performed Procedure Step SCU (PS3.4 F.7, SOP Class
 * 1.2.840.10008.3.1.2.3.3): what a modality tells the RIS/PACS about a
 * procedure step it performs — N-CREATE when it starts (status IN PROGRESS,
 * F.7.2.1), N-SET when it ends (COMPLETED or DISCONTINUED, F.7.2.2), each
 * on its own association, as modalities do. The attribute lists follow
 * PS3.4 Table F.7.2-1 (N-CREATE and N-SET requirements), filled from a
 * worklist item when there is one (the Scheduled Step Attributes Sequence
 * ties the performed step to what was scheduled, PS3.3 C.4.13).
 *
 *   const created = await nCreateMpps({...target, attributes: mppsCreateAttributes(item, {stationAe: 'CT1'})}, hub);
 *   await nSetMpps({...target, sopInstanceUid: created.sopInstanceUid, attributes: mppsSetAttributes('COMPLETED')}, hub);
 */
import dimse from '../../dimse/library.ts';
import type { CaptureHub } from '../../capture/hub.ts';
import type { OperationResult, ScuTarget } from './options.ts';
import { runSingleRequest } from './single-request.ts';
import { operationResult, type FinalStatus } from './result.ts';
import { hasNonAscii } from './key-paths.ts';
import { newUid } from '../pacs/mpps.ts';
import { daValue } from '../pacs/worklist-items.ts';
import { MPPS_SOP_CLASS, sequenceItems, valueText } from '../../../shared/dicom/worklist-mpps.ts';

export interface MppsTarget extends ScuTarget {
  /** The N-CREATE / N-SET attribute list: keyword → value, sequences as lists of items. */
  attributes: Record<string, unknown>;
}

export interface MppsResult extends OperationResult {
  /** The procedure step's SOP Instance UID: the one sent, or the one the SCP assigned (N-CREATE-RSP). */
  sopInstanceUid: string;
}

/** TM of a local time (HHMMSS, PS3.5 Table 6.2-1). */
const tmValue = (d: Date): string => `${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;

const text = (v: unknown): string => valueText(v) ?? '';

/** A worklist match's value (a naturalized data set: PN as objects), as text. */
function fromMatch(match: Record<string, unknown> | null, keyword: string): string {
  const v = match?.[keyword];
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'Alphabetic' in v[0]) return String((v[0] as { Alphabetic?: string }).Alphabetic ?? '');
  if (v !== null && typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return text(v);
}

/**
 * The N-CREATE attribute list of a procedure step that starts now (PS3.4
 * Table F.7.2-1, the attributes of N-CREATE requirement 1 and 2), from the
 * worklist item it performs (null: unscheduled, its keys left empty).
 */
export function mppsCreateAttributes(match: Record<string, unknown> | null, o: { stationAe: string; modality?: string; stepId?: string; now?: Date }): Record<string, unknown> {
  const now = o.now ?? new Date();
  const step = sequenceItems(match, 'ScheduledProcedureStepSequence')?.[0] ?? null;
  const stepText = (k: string) => fromMatch(step, k);
  return {
    ScheduledStepAttributesSequence: [
      {
        StudyInstanceUID: fromMatch(match, 'StudyInstanceUID') || newUid(),
        ReferencedStudySequence: [],
        AccessionNumber: fromMatch(match, 'AccessionNumber'),
        RequestedProcedureID: fromMatch(match, 'RequestedProcedureID'),
        RequestedProcedureDescription: fromMatch(match, 'RequestedProcedureDescription'),
        ScheduledProcedureStepID: stepText('ScheduledProcedureStepID'),
        ScheduledProcedureStepDescription: stepText('ScheduledProcedureStepDescription'),
        ScheduledProtocolCodeSequence: [],
      },
    ],
    PatientName: fromMatch(match, 'PatientName'),
    PatientID: fromMatch(match, 'PatientID'),
    PatientBirthDate: fromMatch(match, 'PatientBirthDate'),
    PatientSex: fromMatch(match, 'PatientSex'),
    ReferencedPatientSequence: [],
    PerformedProcedureStepID: o.stepId ?? `PPS${tmValue(now)}`,
    PerformedStationAETitle: o.stationAe,
    PerformedStationName: '',
    PerformedLocation: '',
    PerformedProcedureStepStartDate: daValue(now),
    PerformedProcedureStepStartTime: tmValue(now),
    PerformedProcedureStepStatus: 'IN PROGRESS',
    PerformedProcedureStepDescription: stepText('ScheduledProcedureStepDescription'),
    PerformedProcedureTypeDescription: '',
    ProcedureCodeSequence: [],
    PerformedProcedureStepEndDate: '',
    PerformedProcedureStepEndTime: '',
    Modality: o.modality ?? (stepText('Modality') || 'OT'),
    StudyID: '',
    PerformedProtocolCodeSequence: [],
    PerformedSeriesSequence: [],
  };
}

/** A series the step produced, for the Performed Series Sequence of the final N-SET (PS3.4 Table F.7.2-1, type 1 at COMPLETED). */
export interface PerformedSeries {
  seriesInstanceUid: string;
  description?: string;
  /** SOP Class and Instance UIDs of its images. */
  images: { sopClassUid: string; sopInstanceUid: string }[];
  retrieveAe?: string;
}

/** The N-SET attribute list that ends a procedure step now (PS3.4 F.7.2.2, Table F.7.2-1), with the series it produced. */
export function mppsSetAttributes(status: 'COMPLETED' | 'DISCONTINUED' | 'IN PROGRESS', o: { series?: PerformedSeries[]; now?: Date } = {}): Record<string, unknown> {
  const now = o.now ?? new Date();
  const final = status !== 'IN PROGRESS';
  return {
    PerformedProcedureStepStatus: status,
    ...(final ? { PerformedProcedureStepEndDate: daValue(now), PerformedProcedureStepEndTime: tmValue(now) } : {}),
    PerformedSeriesSequence: (o.series ?? []).map((s) => ({
      PerformingPhysicianName: '',
      ProtocolName: s.description ?? '',
      OperatorsName: '',
      SeriesInstanceUID: s.seriesInstanceUid,
      SeriesDescription: s.description ?? '',
      RetrieveAETitle: s.retrieveAe ?? '',
      ReferencedImageSequence: s.images.map((i) => ({ ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid })),
      ReferencedNonImageCompositeSOPInstanceSequence: [],
    })),
  };
}

function withCharset(attributes: Record<string, unknown>): Record<string, unknown> {
  const a = structuredClone(attributes);
  // dcmjs writes every string as UTF-8 (PS3.3 C.12.1.1.2).
  if (hasNonAscii(a) && a.SpecificCharacterSet === undefined) a.SpecificCharacterSet = 'ISO_IR 192';
  return a;
}

interface NResponse {
  getStatus(): number;
  getErrorComment(): string;
  getAffectedSopInstanceUid(): string;
}

/** N-CREATE of a procedure step (PS3.4 F.7.2.1); `sopInstanceUid` absent: a new one (the SCU gives it, F.7.2.1.1). */
export async function nCreateMpps(target: MppsTarget & { sopInstanceUid?: string }, hub: CaptureHub): Promise<MppsResult> {
  const uid = target.sopInstanceUid ?? newUid();
  const request = new dimse.requests.NCreateRequest(MPPS_SOP_CLASS, uid);
  request.setDataset(new dimse.Dataset(withCharset(target.attributes)));
  let final: FinalStatus | null = null;
  let assigned = uid;
  request.on('response', (r: NResponse) => {
    final = { status: r.getStatus(), service: 'N-CREATE', errorComment: r.getErrorComment() };
    const given = (r.getAffectedSopInstanceUid() ?? '').trim();
    if (given) assigned = given;
  });
  const { end, connection, problem } = await runSingleRequest(target, request, hub, { encodeDataSet: true });
  return { ...operationResult(end, final, connection, problem), sopInstanceUid: assigned };
}

/** N-SET of a procedure step (PS3.4 F.7.2.2): its status and the attributes that change. */
export async function nSetMpps(target: MppsTarget & { sopInstanceUid: string }, hub: CaptureHub): Promise<MppsResult> {
  const request = new dimse.requests.NSetRequest(MPPS_SOP_CLASS, target.sopInstanceUid);
  request.setDataset(new dimse.Dataset(withCharset(target.attributes)));
  let final: FinalStatus | null = null;
  request.on('response', (r: NResponse) => {
    final = { status: r.getStatus(), service: 'N-SET', errorComment: r.getErrorComment() };
  });
  const { end, connection, problem } = await runSingleRequest(target, request, hub, { encodeDataSet: true });
  return { ...operationResult(end, final, connection, problem), sopInstanceUid: target.sopInstanceUid };
}
