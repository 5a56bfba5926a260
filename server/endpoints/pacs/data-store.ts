/**
 * The built-in PACS's store: a directory of Part 10 files (`instances/`) and
 * an index of their Q/R attributes (`index.json`), loaded at start and
 * brought up to date with the files (new or changed files are read, missing
 * ones dropped). Created on first start with the synthetic studies; what
 * C-STORE brings is added, as the bytes that came off the wire
 * (../store-receive.ts), and kept across restarts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dimse from '../../dimse/library.ts';
import type { Dataset as DatasetType } from '../../dimse/library.ts';
import { QR_ATTRIBUTES } from './qr-attributes.ts';
import type { AttributeValues } from './matching.ts';
import { writeSyntheticStudies } from './synthetic-studies.ts';
import { STORE_STATUS, StoreFailure, type ReceivedFile } from '../store-receive.ts';

const { Dataset } = dimse;

export interface StoredInstance {
  file: string;
  size: number;
  mtimeMs: number;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  values: AttributeValues;
}

const INDEX_VERSION = 1;

/** A naturalized dcmjs value as the strings matching works on (PN: "A=I=P" component groups). */
export function valueStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v): string[] => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'object') {
      const pn = v as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
      if (pn.Alphabetic === undefined && pn.Ideographic === undefined && pn.Phonetic === undefined) return [];
      return [[pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''].join('=').replace(/=+$/, '')];
    }
    return [String(v)];
  });
}

/** dcmjs read options for what the index needs: no Pixel Data (faster, and dcmjs has no VR for it in Implicit VR). */
const INDEX_READ_OPTIONS = { untilTag: '7FE00010', includeUntilTagValue: false };

/** The Q/R attributes of a data set, as the index keeps them. */
export function indexValues(elements: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of QR_ATTRIBUTES) {
    if (a.computed) continue;
    const v = valueStrings(elements[a.keyword]);
    if (v.length > 0) out[a.keyword] = v;
  }
  return out;
}

/**
 * dcmjs decodes strings by the Specific Character Set and writes them back as
 * UTF-8 whatever it says: label the data set ISO_IR 192 when it has non-ASCII
 * text, so the saved file says what it holds (PS3.3 C.12.1.1.2).
 */
export function labelUtf8(dataset: DatasetType): void {
  const elements = dataset.getElements();
  const text = JSON.stringify(elements, (k, v: unknown) => (k === 'PixelData' || v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? undefined : v));
  if (/[^\x00-\x7f]/.test(text ?? '')) elements.SpecificCharacterSet = 'ISO_IR 192';
}

/**
 * dcmjs reads Pixel Data without keeping its VR (or as "ox" in Implicit VR) and writes "ox"
 * with a complaint: name it (PS3.5 §8.2: OW above 8 bits allocated, else OB).
 */
export function namePixelDataVr(dataset: DatasetType): void {
  const elements = dataset.getElements() as Record<string, unknown> & { _vrMap?: Record<string, string> };
  const known = elements._vrMap?.PixelData;
  if (elements.PixelData === undefined || (known && known !== 'ox')) return;
  elements._vrMap = { ...elements._vrMap, PixelData: Number(elements.BitsAllocated) > 8 ? 'OW' : 'OB' };
}

function recordOf(file: string, st: { size: number; mtimeMs: number }, elements: Record<string, unknown>, transferSyntaxUid: string): StoredInstance {
  const sopInstanceUid = String(elements.SOPInstanceUID ?? '');
  if (!sopInstanceUid) throw new Error(`${file}: no SOP Instance UID`);
  return {
    file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    sopClassUid: String(elements.SOPClassUID ?? ''),
    sopInstanceUid,
    transferSyntaxUid,
    values: indexValues(elements),
  };
}

export class DataStore {
  private readonly byUid = new Map<string, StoredInstance>();

  private constructor(readonly dir: string) {}

  get instancesDir(): string {
    return join(this.dir, 'instances');
  }

  /** Opens (and on first start creates, with the synthetic studies) the store in `dir`. */
  static open(dir: string): DataStore {
    const store = new DataStore(dir);
    const fresh = !existsSync(store.instancesDir);
    mkdirSync(store.instancesDir, { recursive: true });
    if (fresh) writeSyntheticStudies(store.instancesDir);
    store.load();
    return store;
  }

  instances(): StoredInstance[] {
    return [...this.byUid.values()];
  }

  get(sopInstanceUid: string): StoredInstance | undefined {
    return this.byUid.get(sopInstanceUid);
  }

  /** Saves a received data set as a Part 10 file (replacing one with the same SOP Instance UID) and indexes it. */
  add(dataset: DatasetType): StoredInstance {
    const elements = dataset.getElements();
    const uid = String(elements.SOPInstanceUID ?? '');
    if (!/^[0-9.]{1,64}$/.test(uid)) throw new Error(`invalid SOP Instance UID "${uid}"`);
    const file = `${uid}.dcm`;
    const tmp = join(this.instancesDir, `.${file}.tmp`);
    labelUtf8(dataset);
    namePixelDataVr(dataset);
    dataset.toFile(tmp);
    renameSync(tmp, join(this.instancesDir, file));
    const record = this.readRecord(file);
    this.byUid.set(record.sopInstanceUid, record);
    this.saveIndex();
    return record;
  }

  /**
   * Indexes a Part 10 file written by the C-STORE receive path and moves it into the store
   * (replacing one with the same SOP Instance UID). Its bytes are kept as they are; the index
   * values are parsed from them, up to the Pixel Data.
   */
  async addReceived(file: ReceivedFile): Promise<StoredInstance> {
    let elements: Record<string, unknown>;
    try {
      const bytes = await readFile(file.tmpPath);
      const dataset = new Dataset(bytes.subarray(file.datasetOffset), file.transferSyntaxUid, INDEX_READ_OPTIONS) as DatasetType;
      elements = dataset.getElements();
    } catch (e) {
      await file.discard();
      throw new StoreFailure(`unreadable data set: ${(e as Error).message}`, STORE_STATUS.CannotUnderstand);
    }
    // PS3.7 §9.1.1.1: the Affected SOP Instance UID is the instance stored; the file is named by it, the index keys on the data set's.
    if (String(elements.SOPInstanceUID ?? '') !== file.sopInstanceUid) {
      await file.discard();
      throw new StoreFailure('SOPInstanceUID differs from Affected SOP Instance UID', STORE_STATUS.CannotUnderstand);
    }
    const name = `${file.sopInstanceUid}.dcm`;
    await file.commit(join(this.instancesDir, name));
    const st = await stat(join(this.instancesDir, name));
    const record = recordOf(name, st, elements, file.transferSyntaxUid);
    this.byUid.set(record.sopInstanceUid, record);
    await this.saveIndexAsync();
    return record;
  }

  /**
   * The Part 10 file of an instance as a dcmjs-dimse Dataset, ready to send: dcmjs writes every
   * string as UTF-8, so a data set with non-ASCII text (stored as received, e.g. ISO_IR 100) is
   * labelled ISO_IR 192 on its way out.
   */
  read(instance: StoredInstance): DatasetType {
    const dataset = Dataset.fromFile(join(this.instancesDir, instance.file)) as DatasetType;
    labelUtf8(dataset);
    namePixelDataVr(dataset);
    return dataset;
  }

  private load(): void {
    const indexPath = join(this.dir, 'index.json');
    const known = new Map<string, StoredInstance>();
    if (existsSync(indexPath)) {
      try {
        const parsed = JSON.parse(readFileSync(indexPath, 'utf8')) as { version?: number; instances?: StoredInstance[] };
        if (parsed.version === INDEX_VERSION) for (const r of parsed.instances ?? []) known.set(r.file, r);
      } catch {
        // A damaged index is rebuilt from the files.
      }
    }
    let changed = false;
    for (const file of readdirSync(this.instancesDir).filter((f) => f.endsWith('.dcm') && !f.startsWith('.'))) {
      const st = statSync(join(this.instancesDir, file));
      let record = known.get(file);
      if (!record || record.size !== st.size || record.mtimeMs !== st.mtimeMs) {
        try {
          record = this.readRecord(file);
        } catch {
          continue; // Not a readable Part 10 file: not served.
        }
        changed = true;
      }
      known.delete(file);
      this.byUid.set(record.sopInstanceUid, record);
    }
    if (changed || known.size > 0 || !existsSync(indexPath)) this.saveIndex();
  }

  private readRecord(file: string): StoredInstance {
    const path = join(this.instancesDir, file);
    const st = statSync(path);
    const dataset = Dataset.fromFile(path, undefined, INDEX_READ_OPTIONS) as DatasetType;
    return recordOf(file, st, dataset.getElements(), dataset.getTransferSyntaxUid());
  }

  private indexText(): string {
    return JSON.stringify({ version: INDEX_VERSION, instances: [...this.byUid.values()] }, null, 1);
  }

  /** One index write at a time; a write asked for while one runs is done once after it, with the latest state. */
  private indexWrite: Promise<void> = Promise.resolve();
  private indexDirty = false;

  private saveIndexAsync(): Promise<void> {
    if (this.indexDirty) return this.indexWrite;
    this.indexDirty = true;
    const path = join(this.dir, 'index.json');
    this.indexWrite = this.indexWrite
      .catch(() => {})
      .then(async () => {
        this.indexDirty = false;
        await writeFile(`${path}.async.tmp`, this.indexText());
        await rename(`${path}.async.tmp`, path);
      });
    return this.indexWrite;
  }

  private saveIndex(): void {
    const path = join(this.dir, 'index.json');
    writeFileSync(`${path}.tmp`, this.indexText());
    renameSync(`${path}.tmp`, path);
  }
}
