/**
 * The synthetic studies the built-in PACS starts with (no real patient data):
 * three patients, CT and MR, five series, ten instances, written as Part 10
 * files with dcmjs. Chosen to show things on the wire:
 * - one 512×256 16-bit CT image (256 KiB of pixel data): several P-DATA-TF
 *   PDUs at any usual maximum PDU length;
 * - one patient name with non-ASCII characters, with Specific Character Set
 *   ISO_IR 192 (UTF-8; dcmjs writes strings as UTF-8, PS3.3 C.12.1.1.2);
 * - one MR series stored in Implicit VR Little Endian, the others in Explicit
 *   VR Little Endian (so a C-STORE may need a different accepted context).
 * UIDs are fixed under a pacscope root, so tests and docs can name them.
 */
import { join } from 'node:path';
import dimse from '../../dimse/library.ts';

const { Dataset, constants } = dimse;

export const SYNTHETIC_UID_ROOT = '2.25.81553092415366274836';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

interface SeriesSpec {
  number: number;
  modality: 'CT' | 'MR';
  description: string;
  instances: number;
  rows: number;
  columns: number;
  transferSyntax: string;
}

interface StudySpec {
  patientName: string;
  patientId: string;
  birthDate: string;
  sex: 'F' | 'M' | 'O';
  charset: string;
  studyDate: string;
  studyTime: string;
  accession: string;
  description: string;
  series: SeriesSpec[];
}

const EXPLICIT = constants.TransferSyntax.ExplicitVRLittleEndian;
const IMPLICIT = constants.TransferSyntax.ImplicitVRLittleEndian;

/** The studies, declared once. Patient n, study 1, series s, instance i → UID root.n.1.s.i */
export const SYNTHETIC_STUDIES: readonly StudySpec[] = [
  {
    patientName: 'ADAMS^ANNA', patientId: 'PSC-1001', birthDate: '19610412', sex: 'F', charset: '',
    studyDate: '20240304', studyTime: '091500', accession: 'PSCA1001', description: 'CT THORAX',
    series: [
      { number: 1, modality: 'CT', description: 'TOPOGRAM', instances: 3, rows: 64, columns: 64, transferSyntax: EXPLICIT },
      { number: 2, modality: 'CT', description: 'AXIAL 512x256 (spans several PDUs)', instances: 1, rows: 256, columns: 512, transferSyntax: EXPLICIT },
    ],
  },
  {
    patientName: 'BECK^BERND', patientId: 'PSC-1002', birthDate: '19780930', sex: 'M', charset: '',
    studyDate: '20240510', studyTime: '143000', accession: 'PSCA1002', description: 'MR KNEE',
    series: [
      { number: 1, modality: 'MR', description: 'T1 SAG', instances: 2, rows: 64, columns: 64, transferSyntax: EXPLICIT },
      { number: 2, modality: 'MR', description: 'T2 COR (Implicit VR)', instances: 2, rows: 64, columns: 64, transferSyntax: IMPLICIT },
    ],
  },
  {
    patientName: 'NÚÑEZ^JOSÉ', patientId: 'PSC-1003', birthDate: '19900101', sex: 'M', charset: 'ISO_IR 192',
    studyDate: '20231120', studyTime: '080000', accession: 'PSCA1003', description: 'CT HEAD',
    series: [{ number: 1, modality: 'CT', description: 'AXIAL', instances: 2, rows: 64, columns: 64, transferSyntax: EXPLICIT }],
  },
];

export const studyUid = (patient: number): string => `${SYNTHETIC_UID_ROOT}.${patient}.1`;
export const seriesUid = (patient: number, series: number): string => `${studyUid(patient)}.${series}`;
export const instanceUid = (patient: number, series: number, instance: number): string => `${seriesUid(patient, series)}.${instance}`;

/** A gradient with the instance number in it, so every image differs. */
function pixels(rows: number, columns: number, seed: number): ArrayBuffer {
  const words = new Uint16Array(rows * columns);
  for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) words[y * columns + x] = ((x * 7 + y * 5 + seed * 97) & 0x0fff) >>> 0;
  return words.buffer;
}

/** Writes the synthetic instances into `dir` as `<SOPInstanceUID>.dcm`; returns the paths. */
export function writeSyntheticStudies(dir: string): string[] {
  const paths: string[] = [];
  SYNTHETIC_STUDIES.forEach((study, p) => {
    for (const series of study.series) {
      for (let i = 1; i <= series.instances; i++) {
        const sopClass = series.modality === 'CT' ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE;
        const sopInstance = instanceUid(p + 1, series.number, i);
        const elements: Record<string, unknown> = {
          ...(study.charset ? { SpecificCharacterSet: study.charset } : {}),
          ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
          SOPClassUID: sopClass,
          SOPInstanceUID: sopInstance,
          StudyDate: study.studyDate,
          SeriesDate: study.studyDate,
          StudyTime: study.studyTime,
          SeriesTime: study.studyTime,
          AccessionNumber: study.accession,
          Modality: series.modality,
          Manufacturer: 'pacscope synthetic',
          ReferringPhysicianName: [{ Alphabetic: 'TEACHING^REFERRER' }],
          StudyDescription: study.description,
          SeriesDescription: series.description,
          PatientName: [{ Alphabetic: study.patientName }],
          PatientID: study.patientId,
          PatientBirthDate: study.birthDate,
          PatientSex: study.sex,
          StudyInstanceUID: studyUid(p + 1),
          SeriesInstanceUID: seriesUid(p + 1, series.number),
          StudyID: String(p + 1),
          SeriesNumber: String(series.number),
          InstanceNumber: String(i),
          SamplesPerPixel: 1,
          PhotometricInterpretation: 'MONOCHROME2',
          Rows: series.rows,
          Columns: series.columns,
          BitsAllocated: 16,
          BitsStored: 12,
          HighBit: 11,
          PixelRepresentation: 0,
          PixelData: [pixels(series.rows, series.columns, i + series.number * 10 + p * 100)],
          _vrMap: { PixelData: 'OW' },
        };
        const path = join(dir, `${sopInstance}.dcm`);
        new Dataset(elements, series.transferSyntax).toFile(path);
        paths.push(path);
      }
    }
  });
  return paths;
}
