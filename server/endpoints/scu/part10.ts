/**
 * Writes a received data set as a DICOM Part 10 file (PS3.10 §7.1): preamble,
 * "DICM", the File Meta Information group written by dcmjs, then the data set
 * bytes exactly as they crossed the wire (no re-encoding).
 */
import { writeFile } from 'node:fs/promises';
import dcmjs from 'dcmjs';
import dimse from '../dimse.ts';

interface DicomDictLike {
  dict: Record<string, unknown>;
  write(options?: Record<string, unknown>): ArrayBuffer;
}
/** The parts of dcmjs that types/dcmjs.d.ts does not declare. */
const { DicomDict, DicomMetaDictionary } = dcmjs.data as unknown as {
  DicomDict: new (meta: Record<string, unknown>) => DicomDictLike;
  DicomMetaDictionary: { denaturalizeDataset(naturalized: Record<string, unknown>): Record<string, unknown> };
};

export interface Part10Input {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  dataset: Uint8Array;
}

/** The whole file as bytes. */
export function part10Bytes(input: Part10Input): Uint8Array {
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: input.sopClassUid,
    MediaStorageSOPInstanceUID: input.sopInstanceUid,
    TransferSyntaxUID: input.transferSyntax,
    ImplementationClassUID: dimse.Implementation.getImplementationClassUid(),
    ImplementationVersionName: dimse.Implementation.getImplementationVersion(),
  });
  const dict = new DicomDict(meta);
  dict.dict = {};
  const head = new Uint8Array(dict.write());
  const out = new Uint8Array(head.length + input.dataset.length);
  out.set(head, 0);
  out.set(input.dataset, head.length);
  return out;
}

export async function writePart10(path: string, input: Part10Input): Promise<void> {
  await writeFile(path, part10Bytes(input));
}
