/**
 * Names of the UIDs a DICOM network debugger meets most, declared once as
 * data: PS3.6 Annex A (Table A-1, registry of DICOM unique identifiers).
 * The application context name (PS3.7 Annex A.2.1), the transfer syntaxes in
 * common use (PS3.5 §10), Verification, Query/Retrieve (PS3.4 Annex C),
 * and the common storage SOP classes (PS3.4 Annex B).
 */

export type UidKind = 'application-context' | 'transfer-syntax' | 'sop-class';

export interface UidEntry {
  readonly name: string;
  readonly kind: UidKind;
}

const APPLICATION_CONTEXTS: [string, string][] = [['1.2.840.10008.3.1.1.1', 'DICOM Application Context Name']];

const TRANSFER_SYNTAXES: [string, string][] = [
  ['1.2.840.10008.1.2', 'Implicit VR Little Endian'],
  ['1.2.840.10008.1.2.1', 'Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian'],
  ['1.2.840.10008.1.2.2', 'Explicit VR Big Endian (Retired)'],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)'],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)'],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)'],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])'],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression'],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression'],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression'],
  ['1.2.840.10008.1.2.4.94', 'JPIP Referenced'],
  ['1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate'],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level'],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level'],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1'],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video'],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video'],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2'],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1'],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1'],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression'],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL'],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)'],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.5', 'RLE Lossless'],
];

const QR = '1.2.840.10008.5.1.4.1.2';
const ST = '1.2.840.10008.5.1.4.1.1';

const SOP_CLASSES: [string, string][] = [
  ['1.2.840.10008.1.1', 'Verification SOP Class'],
  ['1.2.840.10008.1.20.1', 'Storage Commitment Push Model SOP Class'],
  ['1.2.840.10008.3.1.2.3.3', 'Modality Performed Procedure Step SOP Class'],
  ['1.2.840.10008.5.1.4.31', 'Modality Worklist Information Model - FIND'],
  // Query/Retrieve, PS3.4 Annex C.6
  [`${QR}.1.1`, 'Patient Root Query/Retrieve Information Model - FIND'],
  [`${QR}.1.2`, 'Patient Root Query/Retrieve Information Model - MOVE'],
  [`${QR}.1.3`, 'Patient Root Query/Retrieve Information Model - GET'],
  [`${QR}.2.1`, 'Study Root Query/Retrieve Information Model - FIND'],
  [`${QR}.2.2`, 'Study Root Query/Retrieve Information Model - MOVE'],
  [`${QR}.2.3`, 'Study Root Query/Retrieve Information Model - GET'],
  [`${QR}.3.1`, 'Patient/Study Only Query/Retrieve Information Model - FIND (Retired)'],
  [`${QR}.3.2`, 'Patient/Study Only Query/Retrieve Information Model - MOVE (Retired)'],
  [`${QR}.3.3`, 'Patient/Study Only Query/Retrieve Information Model - GET (Retired)'],
  [`${QR}.4.2`, 'Composite Instance Root Retrieve - MOVE'],
  [`${QR}.4.3`, 'Composite Instance Root Retrieve - GET'],
  [`${QR}.5.3`, 'Composite Instance Retrieve Without Bulk Data - GET'],
  // Storage, PS3.4 Annex B.5
  [`${ST}.1`, 'Computed Radiography Image Storage'],
  [`${ST}.1.1`, 'Digital X-Ray Image Storage - For Presentation'],
  [`${ST}.1.1.1`, 'Digital X-Ray Image Storage - For Processing'],
  [`${ST}.1.2`, 'Digital Mammography X-Ray Image Storage - For Presentation'],
  [`${ST}.1.2.1`, 'Digital Mammography X-Ray Image Storage - For Processing'],
  [`${ST}.1.3`, 'Digital Intra-Oral X-Ray Image Storage - For Presentation'],
  [`${ST}.1.3.1`, 'Digital Intra-Oral X-Ray Image Storage - For Processing'],
  [`${ST}.2`, 'CT Image Storage'],
  [`${ST}.2.1`, 'Enhanced CT Image Storage'],
  [`${ST}.3.1`, 'Ultrasound Multi-frame Image Storage'],
  [`${ST}.4`, 'MR Image Storage'],
  [`${ST}.4.1`, 'Enhanced MR Image Storage'],
  [`${ST}.6.1`, 'Ultrasound Image Storage'],
  [`${ST}.7`, 'Secondary Capture Image Storage'],
  [`${ST}.7.1`, 'Multi-frame Single Bit Secondary Capture Image Storage'],
  [`${ST}.7.2`, 'Multi-frame Grayscale Byte Secondary Capture Image Storage'],
  [`${ST}.7.3`, 'Multi-frame Grayscale Word Secondary Capture Image Storage'],
  [`${ST}.7.4`, 'Multi-frame True Color Secondary Capture Image Storage'],
  [`${ST}.11.1`, 'Grayscale Softcopy Presentation State Storage'],
  [`${ST}.12.1`, 'X-Ray Angiographic Image Storage'],
  [`${ST}.12.2`, 'X-Ray Radiofluoroscopic Image Storage'],
  [`${ST}.20`, 'Nuclear Medicine Image Storage'],
  [`${ST}.66.4`, 'Segmentation Storage'],
  [`${ST}.77.1.4`, 'VL Photographic Image Storage'],
  [`${ST}.88.11`, 'Basic Text SR Storage'],
  [`${ST}.88.22`, 'Enhanced SR Storage'],
  [`${ST}.88.33`, 'Comprehensive SR Storage'],
  [`${ST}.88.34`, 'Comprehensive 3D SR Storage'],
  [`${ST}.88.59`, 'Key Object Selection Document Storage'],
  [`${ST}.104.1`, 'Encapsulated PDF Storage'],
  [`${ST}.128`, 'Positron Emission Tomography Image Storage'],
  [`${ST}.130`, 'Enhanced PET Image Storage'],
  [`${ST}.481.1`, 'RT Image Storage'],
  [`${ST}.481.2`, 'RT Dose Storage'],
  [`${ST}.481.3`, 'RT Structure Set Storage'],
  [`${ST}.481.4`, 'RT Beams Treatment Record Storage'],
  [`${ST}.481.5`, 'RT Plan Storage'],
  [`${ST}.481.6`, 'RT Brachy Treatment Record Storage'],
  [`${ST}.481.7`, 'RT Treatment Summary Record Storage'],
  [`${ST}.481.8`, 'RT Ion Plan Storage'],
  [`${ST}.481.9`, 'RT Ion Beams Treatment Record Storage'],
];

function entries(kind: UidKind, list: [string, string][]): [string, UidEntry][] {
  return list.map(([uid, name]) => [uid, Object.freeze({ name, kind })]);
}

/** UID → name and kind. */
export const UIDS: ReadonlyMap<string, UidEntry> = Object.freeze(
  new Map([
    ...entries('application-context', APPLICATION_CONTEXTS),
    ...entries('transfer-syntax', TRANSFER_SYNTAXES),
    ...entries('sop-class', SOP_CLASSES),
  ]),
);

/** Well-known UIDs by role, for code that needs one by name. */
export const Uid = Object.freeze({
  ApplicationContext: '1.2.840.10008.3.1.1.1',
  ImplicitVrLittleEndian: '1.2.840.10008.1.2',
  ExplicitVrLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVrLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVrBigEndian: '1.2.840.10008.1.2.2',
  Verification: '1.2.840.10008.1.1',
  PatientRootFind: `${QR}.1.1`,
  PatientRootMove: `${QR}.1.2`,
  PatientRootGet: `${QR}.1.3`,
  StudyRootFind: `${QR}.2.1`,
  StudyRootMove: `${QR}.2.2`,
  StudyRootGet: `${QR}.2.3`,
  CtImageStorage: `${ST}.2`,
  MrImageStorage: `${ST}.4`,
  SecondaryCaptureImageStorage: `${ST}.7`,
} as const);

/** The name of a UID (trailing NUL/space padding ignored), or null when it is not in the table. */
export function uidName(uid: string): string | null {
  return UIDS.get(uid)?.name ?? UIDS.get(uid.replace(/[\0 ]+$/, ''))?.name ?? null;
}

/** What a UID names, or null when it is not in the table. */
export function uidKind(uid: string): UidKind | null {
  return UIDS.get(uid)?.kind ?? null;
}
