/**
 * Writes a data set received by C-GET as a DICOM Part 10 file (PS3.10 §7.1):
 * the File Meta Information header of file-meta.ts (the one the store SCP and
 * the PACS write too), then the data set bytes exactly as they crossed the
 * wire (no re-encoding).
 */
import { writeFile } from 'node:fs/promises';
import dimse from '../../dimse/library.ts';
import { encodeFileMetaInformation } from '../file-meta.ts';

export interface Part10Input {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  dataset: Uint8Array;
}

/** The whole file as bytes. */
export function part10Bytes(input: Part10Input): Uint8Array {
  const head = encodeFileMetaInformation({
    sopClassUid: input.sopClassUid,
    sopInstanceUid: input.sopInstanceUid,
    transferSyntaxUid: input.transferSyntax,
    implementationClassUid: dimse.Implementation.getImplementationClassUid(),
    implementationVersionName: dimse.Implementation.getImplementationVersion(),
  });
  const out = new Uint8Array(head.length + input.dataset.length);
  out.set(head, 0);
  out.set(input.dataset, head.length);
  return out;
}

export async function writePart10(path: string, input: Part10Input): Promise<void> {
  await writeFile(path, part10Bytes(input));
}
