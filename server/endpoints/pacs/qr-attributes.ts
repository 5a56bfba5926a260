/**
 * The attributes the built-in PACS indexes and answers C-FIND with, per
 * Query/Retrieve level (PS3.4 C.6.1.1 Patient Root and C.6.2.1 Study Root
 * keys). Declared once; the data store, the matcher and the C-FIND responses
 * read this table. `computed` keys are derived over the entities below the
 * level (PS3.4 C.3.4 "Additional Query/Retrieve Attributes").
 */
export type QrLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export const LEVELS: readonly QrLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** The unique key of each level (PS3.4 C.2.2.1.1). */
export const UNIQUE_KEY: Readonly<Record<QrLevel, string>> = Object.freeze({
  PATIENT: 'PatientID',
  STUDY: 'StudyInstanceUID',
  SERIES: 'SeriesInstanceUID',
  IMAGE: 'SOPInstanceUID',
});

export interface QrAttribute {
  keyword: string;
  vr: string;
  level: QrLevel;
  computed?: boolean;
}

export const QR_ATTRIBUTES: readonly QrAttribute[] = Object.freeze([
  { keyword: 'PatientName', vr: 'PN', level: 'PATIENT' },
  { keyword: 'PatientID', vr: 'LO', level: 'PATIENT' },
  { keyword: 'IssuerOfPatientID', vr: 'LO', level: 'PATIENT' },
  { keyword: 'PatientBirthDate', vr: 'DA', level: 'PATIENT' },
  { keyword: 'PatientSex', vr: 'CS', level: 'PATIENT' },
  { keyword: 'NumberOfPatientRelatedStudies', vr: 'IS', level: 'PATIENT', computed: true },
  { keyword: 'NumberOfPatientRelatedSeries', vr: 'IS', level: 'PATIENT', computed: true },
  { keyword: 'NumberOfPatientRelatedInstances', vr: 'IS', level: 'PATIENT', computed: true },
  { keyword: 'StudyInstanceUID', vr: 'UI', level: 'STUDY' },
  { keyword: 'StudyDate', vr: 'DA', level: 'STUDY' },
  { keyword: 'StudyTime', vr: 'TM', level: 'STUDY' },
  { keyword: 'AccessionNumber', vr: 'SH', level: 'STUDY' },
  { keyword: 'StudyID', vr: 'SH', level: 'STUDY' },
  { keyword: 'StudyDescription', vr: 'LO', level: 'STUDY' },
  { keyword: 'ReferringPhysicianName', vr: 'PN', level: 'STUDY' },
  { keyword: 'ModalitiesInStudy', vr: 'CS', level: 'STUDY', computed: true },
  { keyword: 'SOPClassesInStudy', vr: 'UI', level: 'STUDY', computed: true },
  { keyword: 'NumberOfStudyRelatedSeries', vr: 'IS', level: 'STUDY', computed: true },
  { keyword: 'NumberOfStudyRelatedInstances', vr: 'IS', level: 'STUDY', computed: true },
  { keyword: 'SeriesInstanceUID', vr: 'UI', level: 'SERIES' },
  { keyword: 'Modality', vr: 'CS', level: 'SERIES' },
  { keyword: 'SeriesNumber', vr: 'IS', level: 'SERIES' },
  { keyword: 'SeriesDescription', vr: 'LO', level: 'SERIES' },
  { keyword: 'SeriesDate', vr: 'DA', level: 'SERIES' },
  { keyword: 'SeriesTime', vr: 'TM', level: 'SERIES' },
  { keyword: 'NumberOfSeriesRelatedInstances', vr: 'IS', level: 'SERIES', computed: true },
  { keyword: 'SOPInstanceUID', vr: 'UI', level: 'IMAGE' },
  { keyword: 'SOPClassUID', vr: 'UI', level: 'IMAGE' },
  { keyword: 'InstanceNumber', vr: 'IS', level: 'IMAGE' },
  { keyword: 'Rows', vr: 'US', level: 'IMAGE' },
  { keyword: 'Columns', vr: 'US', level: 'IMAGE' },
]);

export const QR_ATTRIBUTE: ReadonlyMap<string, QrAttribute> = new Map(QR_ATTRIBUTES.map((a) => [a.keyword, a]));

/** Index of a level from the top (PATIENT = 0). */
export const levelIndex = (level: QrLevel): number => LEVELS.indexOf(level);

export function isQrLevel(text: unknown): text is QrLevel {
  return typeof text === 'string' && (LEVELS as readonly string[]).includes(text);
}
