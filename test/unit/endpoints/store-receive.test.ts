/**
 * The C-STORE receive path without a network: the File Meta Information
 * header (PS3.10 §7.1) as dcmjs reads it, the temporary file renamed only on
 * commit, and what happens with a bad UID, a missing directory and a data set
 * cut off by the end of the association.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { encodeFileMetaInformation } from '../../../server/endpoints/file-meta.ts';
import { StoreReceiver, StoreFailure, STORE_STATUS } from '../../../server/endpoints/store-receive.ts';
import type { CStoreRequest, PresentationContext } from '../../../server/dimse/library.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const { DicomMessage } = dcmjs.data as unknown as { DicomMessage: { readFile(ab: ArrayBuffer): { meta: Record<string, { vr: string; Value: unknown[] }>; dict: Record<string, unknown> } } };

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const pc = { getAcceptedTransferSyntaxUid: () => EXPLICIT_LE } as unknown as PresentationContext;
const request = (sopInstanceUid: string) => ({ getAffectedSopClassUid: () => CT, getAffectedSopInstanceUid: () => sopInstanceUid }) as unknown as CStoreRequest;

/** (0008,0018) UI "1.2.3" and (0010,0010) PN "Ä" in ISO 8859-1, Explicit VR LE: bytes dcmjs would not write back as they are. */
const DATASET = Uint8Array.of(0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x0a, 0x00, ...Buffer.from('ISO_IR 100'), 0x08, 0x00, 0x18, 0x00, 0x55, 0x49, 0x06, 0x00, ...Buffer.from('1.2.3\0'), 0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x02, 0x00, 0xc4, 0x20);

describe('File Meta Information (PS3.10 §7.1)', () => {
  it('is read back by dcmjs with the group length, version, UIDs and implementation', () => {
    const head = encodeFileMetaInformation({ sopClassUid: CT, sopInstanceUid: '1.2.3', transferSyntaxUid: EXPLICIT_LE, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'PACSCOPE_0' });
    expect(head.length % 2).toBe(0);
    const file = new Uint8Array(head.length + DATASET.length);
    file.set(head);
    file.set(DATASET, head.length);
    const parsed = DicomMessage.readFile(file.buffer);
    const meta = Object.fromEntries(Object.entries(parsed.meta).map(([k, v]) => [k, v.Value]));
    // (0002,0000) UL: the bytes of the group after it (dcmjs does not keep it in `meta`).
    expect(Buffer.from(head.subarray(132, 140)).equals(Buffer.from([0x02, 0, 0, 0, 0x55, 0x4c, 4, 0]))).toBe(true);
    expect(new DataView(head.buffer).getUint32(140, true)).toBe(head.length - 144);
    expect(meta['00020002']).toEqual([CT]);
    expect(meta['00020003']).toEqual(['1.2.3']);
    expect(meta['00020010']).toEqual([EXPLICIT_LE]);
    expect(meta['00020012']).toEqual(['1.2.826.0.1.3680043.10.1']);
    expect(meta['00020013']).toEqual(['PACSCOPE_0']);
    expect(new Uint8Array((meta['00020001'] as ArrayBuffer[])[0])).toEqual(Uint8Array.of(0, 1));
    expect(Object.keys(parsed.dict)).toEqual(['00080005', '00080018', '00100010']);
  });

  it('refuses a UID that is not digits and dots (it names a file)', () => {
    expect(() => encodeFileMetaInformation({ sopClassUid: CT, sopInstanceUid: '../../etc/passwd', transferSyntaxUid: EXPLICIT_LE, implementationClassUid: '1.2' })).toThrow(/invalid SOP Instance UID/);
  });
});

describe('StoreReceiver', () => {
  it('writes header + data set bytes under a hidden name, renamed on commit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-receive-'));
    const receiver = new StoreReceiver(() => dir);
    const rq = request('1.2.3');
    const w = receiver.writable(pc, rq);
    for (let i = 0; i < DATASET.length; i += 7) w.write(DATASET.subarray(i, i + 7));
    w.end();
    const file = await receiver.take(rq);
    expect((await readdir(dir)).every((n) => n.startsWith('.1.2.3.'))).toBe(true);
    await file.commit(join(dir, '1.2.3.dcm'));
    expect(await readdir(dir)).toEqual(['1.2.3.dcm']);
    const bytes = new Uint8Array(await readFile(join(dir, '1.2.3.dcm')));
    expect(file.datasetBytes).toBe(DATASET.length);
    expect(bytes.subarray(file.datasetOffset)).toEqual(DATASET);
  });

  it('a bad Affected SOP Instance UID: 0xC000, no file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-receive-'));
    const receiver = new StoreReceiver(() => dir);
    const rq = request('../x');
    receiver.writable(pc, rq).end(DATASET);
    await expect(receiver.take(rq)).rejects.toMatchObject({ status: STORE_STATUS.CannotUnderstand });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a directory that cannot be written: 0xA700 (out of resources)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-receive-'));
    const receiver = new StoreReceiver(() => join(dir, 'missing'));
    const rq = request('1.2.3');
    receiver.writable(pc, rq).end(DATASET);
    const err = await receiver.take(rq).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreFailure);
    expect((err as StoreFailure).status).toBe(STORE_STATUS.OutOfResources);
  });

  it('the association ends mid data set: the temporary file is removed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pacscope-receive-'));
    const receiver = new StoreReceiver(() => dir);
    const rq = request('1.2.3');
    const w = receiver.writable(pc, rq);
    w.write(DATASET.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    receiver.abortAll();
    await expect(receiver.take(rq)).rejects.toThrow(/ended before the data set was complete/);
    await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(dir)).toEqual([]);
  });

  it('a request without a data set stream: 0xC000', async () => {
    const receiver = new StoreReceiver(() => tmpdir());
    await expect(receiver.take(request('1.2.3'))).rejects.toMatchObject({ status: STORE_STATUS.CannotUnderstand });
  });
});
