/**
 * The C-STORE receive path (server/endpoints/store-receive.ts) with DCMTK's
 * storescu as the sender: the store SCP and the PACS save the data set as it
 * came off the wire — an ISO_IR 100 (Latin-1) data set stays ISO_IR 100,
 * byte for byte — behind a File Meta Information header (PS3.10 §7.1) with
 * the request's UIDs and the accepted transfer syntax, which DCMTK reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './harness/process.ts';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { startLab, until, type PacsLab } from './pacs-lab.ts';
import dimse from '../../server/dimse/library.ts';
import { DataStore } from '../../server/endpoints/pacs/data-store.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';

interface Part10 {
  meta: Map<string, Uint8Array>;
  dataset: Uint8Array;
}

/** Splits a Part 10 file into its group 0002 elements (Explicit VR LE, PS3.10 §7.1) and the data set bytes after them. */
function splitPart10(bytes: Uint8Array): Part10 {
  expect(Buffer.from(bytes.subarray(128, 132)).toString('latin1')).toBe('DICM');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = new Map<string, Uint8Array>();
  let at = 132;
  let end = Infinity;
  while (at < end) {
    const tag = `${view.getUint16(at, true).toString(16).padStart(4, '0')},${view.getUint16(at + 2, true).toString(16).padStart(4, '0')}`;
    const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    const length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
    const value = bytes.subarray(at + (long ? 12 : 8), at + (long ? 12 : 8) + length);
    meta.set(tag, value);
    if (tag === '0002,0000') end = at + 12 + view.getUint32(at + 8, true);
    at += (long ? 12 : 8) + length;
  }
  expect(at).toBe(end);
  return { meta, dataset: bytes.subarray(end) };
}

const text = (v: Uint8Array | undefined) => Buffer.from(v ?? []).toString('latin1').replace(/[\0 ]+$/, '');

let lab: PacsLab;
let fixtures: FixtureInstance[];
beforeAll(async () => {
  lab = await startLab();
  fixtures = await generateFixtures(join(lab.dir, 'fixtures'));
  dimse.log.setLevel('error');
});
afterAll(async () => {
  await lab?.stop();
});

const latin1 = () => fixtures.filter((f) => f.modality === 'MR');

async function storescu(port: number, calledAe: string, files: string[], extra: string[] = []): Promise<void> {
  const r = await runTool('storescu', ['-aec', calledAe, ...extra, '127.0.0.1', String(port), ...files], { timeoutMs: 20_000 });
  expect(r.code, r.output).toBe(0);
}

/** The received file against its source: same UIDs in the header, and (same transfer syntax) the same data set bytes. */
async function expectSavedAsSent(received: string, source: FixtureInstance): Promise<Part10> {
  const got = splitPart10(new Uint8Array(await readFile(received)));
  const sent = splitPart10(new Uint8Array(await readFile(source.file)));
  expect([...(got.meta.get('0002,0001') ?? [])]).toEqual([0, 1]);
  expect(text(got.meta.get('0002,0002'))).toBe(source.sopClassUid);
  expect(text(got.meta.get('0002,0003'))).toBe(source.sopInstanceUid);
  expect(text(got.meta.get('0002,0010'))).toBe(EXPLICIT_LE);
  expect(text(sent.meta.get('0002,0010'))).toBe(EXPLICIT_LE);
  expect(text(got.meta.get('0002,0012'))).toBe(dimse.Implementation.getImplementationClassUid());
  expect(text(got.meta.get('0002,0013'))).toBe(dimse.Implementation.getImplementationVersion());
  expect(Buffer.from(got.dataset).equals(Buffer.from(sent.dataset))).toBe(true);
  // The Latin-1 name and its label, untouched (dcmjs would have written UTF-8 and ISO_IR 192).
  expect(Buffer.from(got.dataset).includes(Buffer.from('ISO_IR 100'))).toBe(true);
  expect(Buffer.from(got.dataset).includes(Buffer.from('MÜLLER^JÜRGEN', 'latin1'))).toBe(true);
  const ok = await runTool('dcmftest', [received]);
  expect(ok.output).toMatch(/^yes:/m);
  return got;
}

describe('C-STORE receive path', () => {
  it('the store SCP saves an ISO_IR 100 data set byte-identical to what storescu sent', async () => {
    const files = latin1();
    await storescu(lab.store.port, 'STORESCP', files.map((f) => f.file));
    for (const f of files) await expectSavedAsSent(join(lab.store.outputDir, `${f.sopInstanceUid}.dcm`), f);
    // Nothing but the files: the temporary ones were renamed.
    expect((await readdir(lab.store.outputDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('the header names the accepted transfer syntax: Implicit VR Little Endian when only that was proposed', async () => {
    const f = latin1()[0];
    await storescu(lab.store.port, 'STORESCP', [f.file], ['-xi']);
    const path = join(lab.store.outputDir, `${f.sopInstanceUid}.dcm`);
    const got = splitPart10(new Uint8Array(await readFile(path)));
    expect(text(got.meta.get('0002,0010'))).toBe(IMPLICIT_LE);
    const dump = await runTool('dcmdump', [path], { encoding: 'latin1' });
    expect(dump.code, dump.output).toBe(0);
    expect(dump.output).toMatch(/\(0010,0010\) PN \[MÜLLER\^JÜRGEN\]/);
    expect(dump.output).toMatch(/\(0008,0005\) CS \[ISO_IR 100\]/);
  });

  it('the PACS keeps the bytes too, indexes the decoded values, and sends the instance on as UTF-8 labelled ISO_IR 192', async () => {
    const files = latin1();
    const before = lab.pacs.instanceCount();
    await storescu(lab.pacs.port, 'PACSCOPE', files.map((f) => f.file));
    await until(() => lab.pacs.instanceCount() === before + files.length);
    for (const f of files) await expectSavedAsSent(join(lab.pacs.dataDir, 'instances', `${f.sopInstanceUid}.dcm`), f);
    const reopened = DataStore.open(lab.pacs.dataDir);
    expect(reopened.get(files[0].sopInstanceUid)?.values.PatientName).toEqual(['MÜLLER^JÜRGEN']);
    expect(reopened.get(files[0].sopInstanceUid)?.transferSyntaxUid).toBe(EXPLICIT_LE);

    // Out again by C-MOVE: dcmjs re-encodes what it sends as UTF-8, so the label must say so.
    const f = files[1];
    const move = await runTool('movescu', ['-S', '-aec', 'PACSCOPE', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${f.studyInstanceUid}`, '-k', `SeriesInstanceUID=${f.seriesInstanceUid}`, '-k', `SOPInstanceUID=${f.sopInstanceUid}`, '127.0.0.1', String(lab.pacs.port)], { timeoutMs: 20_000 });
    expect(move.code, move.output).toBe(0);
    const moved = splitPart10(new Uint8Array(await readFile(join(lab.store.outputDir, `${f.sopInstanceUid}.dcm`))));
    expect(Buffer.from(moved.dataset).includes(Buffer.from('ISO_IR 192'))).toBe(true);
    expect(Buffer.from(moved.dataset).includes(Buffer.from('MÜLLER^JÜRGEN', 'utf8'))).toBe(true);
  });

  it('a data set whose SOP Instance UID differs from the request is refused by the PACS with 0xC000, nothing kept', async () => {
    // storescu takes the Affected SOP Instance UID from the data set: a dcmjs-dimse client can make them disagree.
    const f = latin1()[0];
    const wrongUid = `${f.sopInstanceUid}.99`;
    const request = new dimse.requests.CStoreRequest(dimse.Dataset.fromFile(f.file)!);
    request.setAffectedSopInstanceUid(wrongUid);
    const status = await new Promise<number>((resolve, reject) => {
      const client = new dimse.Client();
      let got = -1;
      request.on('response', (rsp: { getStatus(): number }) => (got = rsp.getStatus()));
      client.addRequest(request);
      client.on('closed', () => resolve(got));
      client.on('networkError', reject);
      client.send('127.0.0.1', lab.pacs.port, 'MISMATCH', 'PACSCOPE');
    });
    expect(status).toBe(0xc000);
    const names = await readdir(join(lab.pacs.dataDir, 'instances'));
    expect(names).not.toContain(`${wrongUid}.dcm`);
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
