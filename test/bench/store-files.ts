/**
 * The files of the store benchmark: N CT images of 512 × 512 × 16 bit
 * (≈ 512 KiB each), one study, Explicit VR Little Endian, made once by
 * DCMTK's `dump2dcm` (the pixel data read from a raw file with its `=file`
 * syntax) and kept in .tmp/bench/files until the parameters change.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const UID_ROOT = '2.25.178236401952749301843';

export interface StoreFiles {
  dir: string;
  files: string[];
  bytes: number;
}

/** 12-bit noise-like but deterministic pixel words, different per image. */
function pixels(seed: number, rows: number, columns: number): Buffer {
  const out = Buffer.alloc(rows * columns * 2);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < rows * columns; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt16LE(((i >> 9) * 3 + (x & 0x3ff)) & 0x0fff, i * 2);
  }
  return out;
}

function dump(n: number, raw: string): string {
  return [
    '# pacscope store benchmark image (test/bench/store-files.ts)',
    '(0002,0010) UI [1.2.840.10008.1.2.1]',
    '(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]',
    `(0008,0016) UI [${CT_IMAGE_STORAGE}]`,
    `(0008,0018) UI [${UID_ROOT}.1.1.${n}]`,
    '(0008,0020) DA [20240301]',
    '(0008,0060) CS [CT]',
    '(0010,0010) PN [BENCH^STORE]',
    '(0010,0020) LO [BENCH001]',
    `(0020,000d) UI [${UID_ROOT}.1]`,
    `(0020,000e) UI [${UID_ROOT}.1.1]`,
    `(0020,0013) IS [${n}]`,
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 512',
    '(0028,0011) US 512',
    '(0028,0100) US 16',
    '(0028,0101) US 12',
    '(0028,0102) US 11',
    '(0028,0103) US 0',
    `(7fe0,0010) OW =${raw}`,
    '',
  ].join('\n');
}

/** Makes (or reuses) `count` files under `root`/files. */
export async function storeFiles(root: string, count: number): Promise<StoreFiles> {
  const dir = join(root, 'files');
  const stampFile = join(dir, 'stamp.json');
  const stamp = JSON.stringify({ count, rows: 512, columns: 512, generator: 1 });
  const names = Array.from({ length: count }, (_, i) => join(dir, `ct-${String(i + 1).padStart(4, '0')}.dcm`));
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && names.every((f) => existsSync(f));
  if (!fresh) {
    process.stdout.write(`generating ${count} CT images (512 × 512 × 16 bit) with dump2dcm in ${dir} …\n`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const work = join(dir, 'work');
    mkdirSync(work);
    const one = async (i: number) => {
      const raw = join(work, `px-${i}.raw`);
      const txt = join(work, `ct-${i}.dump`);
      writeFileSync(raw, pixels(i + 1, 512, 512));
      writeFileSync(txt, dump(i + 1, raw));
      await run('dump2dcm', ['-q', '+te', txt, names[i]]);
    };
    for (let i = 0; i < count; i += 2) await Promise.all([one(i), ...(i + 1 < count ? [one(i + 1)] : [])]);
    rmSync(work, { recursive: true, force: true });
    writeFileSync(stampFile, stamp);
  }
  const bytes = names.reduce((n, f) => n + statSync(f).size, 0);
  return { dir, files: names, bytes };
}
