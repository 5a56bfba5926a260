/**
 * The small synthetic worklist the built-in PACS serves (PS3.4 Annex K; in a
 * hospital the RIS does): the patients of synthetic-studies.ts scheduled
 * for today — the day a modality asks for — plus one for tomorrow, so that
 * a date key and a date range show on the wire. No real patient data.
 * Declared once, as data: the worklist SCP (worklist.ts) and the teaching
 * scenarios name these values.
 *
 * Station AE titles follow a RIS's usual set-up, one per modality: CT1 and
 * MR1. A CT scanner configured as "CT01" finds nothing (the classic
 * mismatch the diagnosis explains).
 */
import { SYNTHETIC_UID_ROOT, studyUid } from './synthetic-studies.ts';

/** One worklist item: top-level attributes and its scheduled procedure step(s), keyword → value as strings (PN in DICOM form). */
export interface WorklistItem {
  top: Readonly<Record<string, string>>;
  steps: readonly Readonly<Record<string, string>>[];
}

export const WORKLIST_STATIONS = { ct: 'CT1', mr: 'MR1' } as const;

interface ItemSpec {
  patientName: string;
  patientId: string;
  birthDate: string;
  sex: string;
  accession: string;
  procedure: string;
  station: string;
  modality: string;
  /** 0: today, 1: tomorrow. */
  day: number;
  time: string;
  /** The study the step will make: patients 1–3 are those of the synthetic studies, whose instances the teaching scenarios send. */
  studyInstanceUid: string;
}

const SPECS: readonly ItemSpec[] = [
  { patientName: 'ADAMS^ANNA', patientId: 'PSC-1001', birthDate: '19610412', sex: 'F', accession: 'PSCW2001', procedure: 'CT THORAX', station: WORKLIST_STATIONS.ct, modality: 'CT', day: 0, time: '080000', studyInstanceUid: studyUid(1) },
  { patientName: 'BECK^BERND', patientId: 'PSC-1002', birthDate: '19780930', sex: 'M', accession: 'PSCW2002', procedure: 'MR KNEE', station: WORKLIST_STATIONS.mr, modality: 'MR', day: 0, time: '093000', studyInstanceUid: studyUid(2) },
  { patientName: 'NÚÑEZ^JOSÉ', patientId: 'PSC-1003', birthDate: '19900101', sex: 'M', accession: 'PSCW2003', procedure: 'CT HEAD', station: WORKLIST_STATIONS.ct, modality: 'CT', day: 0, time: '110000', studyInstanceUid: studyUid(3) },
  { patientName: 'CLARK^CARL', patientId: 'PSC-1004', birthDate: '19550715', sex: 'M', accession: 'PSCW2004', procedure: 'CT ABDOMEN', station: WORKLIST_STATIONS.ct, modality: 'CT', day: 1, time: '090000', studyInstanceUid: `${SYNTHETIC_UID_ROOT}.9.2004` },
];

/** YYYYMMDD of a local date (DA, PS3.5 Table 6.2-1). */
export function daValue(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** The day `offset` days after `today`, as DA. */
export function dayAfter(today: Date, offset: number): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
  return daValue(d);
}

/** The worklist as of `today` (its items are scheduled relative to it). */
export function worklistItems(today: Date = new Date()): WorklistItem[] {
  return SPECS.map((s, i) => {
    const n = 2001 + i;
    return {
      top: {
        ...(/[^\x00-\x7f]/.test(s.patientName) ? { SpecificCharacterSet: 'ISO_IR 192' } : {}),
        AccessionNumber: s.accession,
        ReferringPhysicianName: 'TEACHING^REFERRER',
        PatientName: s.patientName,
        PatientID: s.patientId,
        PatientBirthDate: s.birthDate,
        PatientSex: s.sex,
        StudyInstanceUID: s.studyInstanceUid,
        RequestedProcedureDescription: s.procedure,
        RequestedProcedureID: `RP${n}`,
        RequestedProcedurePriority: 'ROUTINE',
      },
      steps: [
        {
          ScheduledStationAETitle: s.station,
          ScheduledProcedureStepStartDate: dayAfter(today, s.day),
          ScheduledProcedureStepStartTime: s.time,
          Modality: s.modality,
          ScheduledPerformingPhysicianName: 'TEACHING^TECHNOLOGIST',
          ScheduledProcedureStepDescription: s.procedure,
          ScheduledStationName: `${s.station} ROOM`,
          ScheduledProcedureStepLocation: 'RADIOLOGY',
          ScheduledProcedureStepID: `SPS${n}`,
          ScheduledProcedureStepStatus: 'SCHEDULED',
        },
      ],
    };
  });
}
