/**
 * Worklist files for DCMTK wlmscpfs and Orthanc's ModalityWorklists plugin:
 * the built-in PACS's synthetic worklist (server/endpoints/pacs/
 * worklist-items.ts, the same patients and steps) written as DCMTK dump text
 * (`(gggg,eeee) VR [value]` lines, sequences with item delimiters, as in
 * DCMTK's wlistdb examples) and turned into DICOM files by `dump2dcm`, one
 * `.wl` file per item, in a folder per called AE title with the empty
 * `lockfile` wlmscpfs wants (its wlistdb/README).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { runTool } from './process.ts';
import type { WorklistItem } from '../../../server/endpoints/pacs/worklist-items.ts';

const { DicomMetaDictionary } = dcmjs.data;

function line(keyword: string, value: string, indent: string): string {
  const entry = DicomMetaDictionary.nameMap[keyword];
  if (!entry) throw new Error(`worklist dump: unknown keyword ${keyword}`);
  return `${indent}${String(entry.tag).toLowerCase()} ${entry.vr} [${value}]`;
}

/** One item as DCMTK dump text. */
export function worklistDump(item: WorklistItem): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(item.top)) out.push(line(k, v, ''));
  out.push('(0040,0100) SQ');
  for (const step of item.steps) {
    out.push('  (fffe,e000) -');
    for (const [k, v] of Object.entries(step)) out.push(line(k, v, '    '));
    out.push('  (fffe,e00d) -');
  }
  out.push('(fffe,e0dd) -');
  return `${out.join('\n')}\n`;
}

/** Writes `items` as `<dir>/<ae>/itemN.wl` (with a lockfile) by dump2dcm; returns the AE folder. */
export async function writeWorklistFiles(dir: string, ae: string, items: readonly WorklistItem[]): Promise<string> {
  const folder = join(dir, ae);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'lockfile'), '');
  for (const [i, item] of items.entries()) {
    const dump = join(dir, `${ae}-item${i + 1}.dump`);
    await writeFile(dump, worklistDump(item));
    const res = await runTool('dump2dcm', ['+te', dump, join(folder, `item${i + 1}.wl`)], { timeoutMs: 10_000 });
    if (res.code !== 0) throw new Error(`dump2dcm ${dump} failed (${res.code}):\n${res.output.slice(0, 2000)}`);
  }
  return folder;
}
