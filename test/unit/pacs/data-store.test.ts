/** The PACS's on-disk store: synthetic studies on first start, the index, additions kept across a reopen. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataStore } from '../../../server/endpoints/pacs/data-store.ts';
import { instanceUid } from '../../../server/endpoints/pacs/synthetic-studies.ts';
import dimse from '../../../server/dimse/library.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('DataStore', () => {
  it('starts with the synthetic studies: 3 patients, CT and MR, a big image, an Implicit VR series, a UTF-8 name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-store-'));
    const store = DataStore.open(dir);
    const all = store.instances();
    expect(all).toHaveLength(10);
    expect(new Set(all.map((i) => i.values.PatientID[0])).size).toBe(3);
    expect(new Set(all.map((i) => i.values.Modality[0]))).toEqual(new Set(['CT', 'MR']));
    expect(store.get(instanceUid(1, 2, 1))!.size).toBeGreaterThan(200 * 1024);
    expect(all.filter((i) => i.transferSyntaxUid === '1.2.840.10008.1.2').map((i) => i.values.SeriesInstanceUID[0])).toHaveLength(2);
    const nunez = store.get(instanceUid(3, 1, 1))!;
    expect(nunez.values.PatientName).toEqual(['NÚÑEZ^JOSÉ']);
    // The bytes on disk are UTF-8 and say so.
    const bytes = await readFile(join(store.instancesDir, nunez.file));
    expect(bytes.includes(Buffer.from('ISO_IR 192'))).toBe(true);
    expect(bytes.includes(Buffer.from('NÚÑEZ^JOSÉ', 'utf8'))).toBe(true);
    expect((await stat(join(dir, 'index.json'))).size).toBeGreaterThan(0);
  });

  it('keeps an added instance across a reopen, and does not recreate the synthetic ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-store-'));
    const store = DataStore.open(dir);
    const ds = store.read(store.get(instanceUid(2, 1, 1))!);
    const copy = new dimse.Dataset({ ...ds.getElements(), SOPInstanceUID: '2.25.1.2.3', PatientName: [{ Alphabetic: 'ÖZ^ÄLI' }], SpecificCharacterSet: 'ISO_IR 100' }, ds.getTransferSyntaxUid());
    store.add(copy);
    await rm(join(store.instancesDir, `${instanceUid(3, 1, 2)}.dcm`));
    const again = DataStore.open(dir);
    expect(again.instances()).toHaveLength(10);
    expect(again.get('2.25.1.2.3')?.values.PatientName).toEqual(['ÖZ^ÄLI']);
    expect(again.get(instanceUid(3, 1, 2))).toBeUndefined();
  });

  it('refuses a data set without a usable SOP Instance UID', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-store-'));
    const store = DataStore.open(dir);
    expect(() => store.add(new dimse.Dataset({ SOPInstanceUID: '../../etc/passwd' }))).toThrow(/invalid SOP Instance UID/);
  });
});
