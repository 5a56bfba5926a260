/**
 * The doctor's tables, declared once as data: what the presentation context
 * probe proposes (Verification PS3.4 Annex A, the Query/Retrieve information
 * models PS3.4 C.6.1/C.6.2, the common storage SOP classes PS3.4 B.5, the
 * transfer syntaxes of PS3.5 §10 / Annex A), the AE titles products ship with,
 * and the limits that keep a doctor run short.
 */
import { Uid } from '../../shared/dicom/uids.ts';

/** PS3.8 §9.3.2.2: presentation context ids are odd integers 1–255, so at most 128 contexts per association. */
export const MAX_PRESENTATION_CONTEXTS = 128;
export const MAX_PRESENTATION_CONTEXT_ID = 255;

/** Called AE titles tried after a reject, at most this many associations. */
export const MAX_VARIANT_ATTEMPTS = 8;

/** C-FIND at STUDY level: a C-CANCEL (PS3.7 §9.3.2.3) after this many matches. */
export const STUDY_MATCH_LIMIT = 5;

/** AE titles that products use out of the box, tried when the called AE title is rejected. */
export const DEFAULT_AE_TITLES: readonly string[] = Object.freeze([
  'ANY-SCP', // DCMTK's tools (storescp, findscu …)
  'ORTHANC', // Orthanc's DicomAet
  'DCM4CHEE', // dcm4chee-arc
  'STORESCP', // DCMTK storescp, many examples
  'PACS',
]);

export interface ProbeTransferSyntax {
  uid: string;
  /** Short name for the report. */
  label: string;
}

/** Transfer syntaxes proposed for each storage SOP class, one presentation context each (PS3.5 Annex A). */
export const PROBE_TRANSFER_SYNTAXES: readonly ProbeTransferSyntax[] = Object.freeze([
  { uid: Uid.ImplicitVrLittleEndian, label: 'Implicit LE' },
  { uid: Uid.ExplicitVrLittleEndian, label: 'Explicit LE' },
  { uid: Uid.ExplicitVrBigEndian, label: 'Explicit BE' },
  { uid: '1.2.840.10008.1.2.4.50', label: 'JPEG Baseline' },
  { uid: '1.2.840.10008.1.2.4.70', label: 'JPEG Lossless' },
  { uid: '1.2.840.10008.1.2.4.90', label: 'JPEG 2000 Lossless' },
  { uid: '1.2.840.10008.1.2.5', label: 'RLE Lossless' },
  { uid: Uid.DeflatedExplicitVrLittleEndian, label: 'Deflate' },
]);

/** Verification and Q/R contexts carry small command and identifier sets: the native syntaxes suffice. */
export const NATIVE_PROBE_SYNTAXES: readonly string[] = Object.freeze([Uid.ImplicitVrLittleEndian, Uid.ExplicitVrLittleEndian, Uid.ExplicitVrBigEndian]);

export type ProbeKind = 'verification' | 'query-retrieve' | 'storage';

export interface ProbeSopClass {
  uid: string;
  /** Short name for the report. */
  label: string;
  kind: ProbeKind;
}

const ST = '1.2.840.10008.5.1.4.1.1';

/** Verification, then the Q/R models (PS3.4 C.6.1, C.6.2): the services the later steps need. */
export const PROBE_SERVICE_CLASSES: readonly ProbeSopClass[] = Object.freeze([
  { uid: Uid.Verification, label: 'Verification', kind: 'verification' },
  { uid: Uid.StudyRootFind, label: 'Study Root C-FIND', kind: 'query-retrieve' },
  { uid: Uid.StudyRootMove, label: 'Study Root C-MOVE', kind: 'query-retrieve' },
  { uid: Uid.StudyRootGet, label: 'Study Root C-GET', kind: 'query-retrieve' },
  { uid: Uid.PatientRootFind, label: 'Patient Root C-FIND', kind: 'query-retrieve' },
  { uid: Uid.PatientRootMove, label: 'Patient Root C-MOVE', kind: 'query-retrieve' },
  { uid: Uid.PatientRootGet, label: 'Patient Root C-GET', kind: 'query-retrieve' },
] satisfies ProbeSopClass[]);

/** The common storage SOP classes (PS3.4 B.5): 15 × 8 transfer syntaxes + 7 fit one association (127 contexts). */
export const PROBE_STORAGE_CLASSES: readonly ProbeSopClass[] = Object.freeze(
  (
    [
      [`${ST}.2`, 'CT'],
      [`${ST}.4`, 'MR'],
      [`${ST}.1`, 'CR'],
      [`${ST}.1.1`, 'DX'],
      [`${ST}.1.2`, 'MG'],
      [`${ST}.6.1`, 'US'],
      [`${ST}.3.1`, 'US Multi-frame'],
      [`${ST}.7`, 'Secondary Capture'],
      [`${ST}.20`, 'NM'],
      [`${ST}.128`, 'PET'],
      [`${ST}.12.1`, 'XA'],
      [`${ST}.481.1`, 'RT Image'],
      [`${ST}.481.2`, 'RT Dose'],
      [`${ST}.481.3`, 'RT Structure Set'],
      [`${ST}.481.5`, 'RT Plan'],
    ] as const
  ).map(([uid, label]): ProbeSopClass => ({ uid, label, kind: 'storage' })),
);

/** Short name of a transfer syntax for the report (the UID when it is not in the table). */
export function transferSyntaxLabel(uid: string): string {
  return PROBE_TRANSFER_SYNTAXES.find((t) => t.uid === uid)?.label ?? uid;
}
