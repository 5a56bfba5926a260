/**
 * The instances a storage commitment request names (PS3.4 J.3.2: Referenced
 * SOP Class UID and Referenced SOP Instance UID of each): from DICOM Part 10
 * files (folders searched recursively, in name order), read from their File
 * Meta Information only — Media Storage SOP Class UID (0002,0002) and Media
 * Storage SOP Instance UID (0002,0003), PS3.10 §7.1 — so large files are not
 * read whole; or from "CLASS:INSTANCE" pairs given as text. Bad input is
 * data: a file that is not Part 10 or lacks the UIDs is listed as skipped.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ReferencedInstance {
  sopClass: string;
  sopInstance: string;
  /** The file it was read from, if any. */
  file?: string;
}

export interface InstanceList {
  instances: ReferencedInstance[];
  skipped: { file: string; reason: string }[];
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

/** "1.2.840.10008.5.1.4.1.1.2:1.2.3.4" → the pair, or an error text. */
export function parseInstancePair(text: string): ReferencedInstance | string {
  const [sopClass, sopInstance, ...rest] = text.split(':').map((s) => s.trim());
  if (rest.length || !sopClass || !sopInstance || !UID.test(sopClass) || !UID.test(sopInstance) || sopClass.length > 64 || sopInstance.length > 64) {
    return `expected SOPCLASSUID:SOPINSTANCEUID (two UIDs of digits and dots, at most 64 characters each), got "${text}"`;
  }
  return { sopClass, sopInstance };
}

async function expand(path: string, out: string[]): Promise<void> {
  const s = await stat(path);
  if (s.isDirectory()) {
    for (const e of (await readdir(path)).sort()) await expand(join(path, e), out);
  } else if (s.isFile()) out.push(path);
}

/** The value of (0002,0002) and (0002,0003) in an Explicit VR Little Endian group 0002 (PS3.10 §7.1), or null. */
export function fileMetaUids(head: Uint8Array): { sopClass: string; sopInstance: string } | null {
  if (head.length < 132 || String.fromCharCode(...head.subarray(128, 132)) !== 'DICM') return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const found = new Map<number, string>();
  let at = 132;
  while (at + 8 <= head.length) {
    const group = view.getUint16(at, true);
    if (group !== 0x0002) break;
    const element = view.getUint16(at + 2, true);
    const vr = String.fromCharCode(head[at + 4], head[at + 5]);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(vr);
    const length = long ? (at + 12 <= head.length ? view.getUint32(at + 8, true) : -1) : view.getUint16(at + 6, true);
    const value = at + (long ? 12 : 8);
    if (length < 0 || value + length > head.length) break;
    if (element === 0x0002 || element === 0x0003) found.set(element, new TextDecoder('latin1').decode(head.subarray(value, value + length)).replace(/[\0 ]+$/, ''));
    at = value + length;
  }
  const sopClass = found.get(0x0002);
  const sopInstance = found.get(0x0003);
  return sopClass && sopInstance ? { sopClass, sopInstance } : null;
}

/** Reads the referenced instances of files and folders. */
export async function instancesFromFiles(paths: readonly string[]): Promise<InstanceList> {
  const files: string[] = [];
  const out: InstanceList = { instances: [], skipped: [] };
  for (const p of paths) {
    try {
      await expand(p, files);
    } catch (e) {
      out.skipped.push({ file: p, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  }
  for (const file of files) {
    try {
      const handle = await open(file, 'r');
      try {
        const head = new Uint8Array(8192);
        const { bytesRead } = await handle.read(head, 0, head.length, 0);
        const uids = fileMetaUids(head.subarray(0, bytesRead));
        if (uids) out.instances.push({ ...uids, file });
        else out.skipped.push({ file, reason: 'not a DICOM Part 10 file with Media Storage SOP Class/Instance UIDs' });
      } finally {
        await handle.close();
      }
    } catch (e) {
      out.skipped.push({ file, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  }
  return out;
}
