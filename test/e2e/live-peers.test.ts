/**
 * Traffic the page did not start shows live, and DICOM strings stay data:
 * a C-MOVE by DCMTK's movescu against the built-in PACS appears in the open
 * page without a reload; an instance whose patient name is an HTML snippet,
 * stored with `pacscope store` and found from the operations panel, shows
 * the snippet as text, and no dialog fires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from '../../server/dimse/library.ts';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { runTool } from '../interop/harness/process.ts';
import { BIN, type Browser, openProduct, REPO_ROOT, type RunningServe } from './harness.ts';
import { arrows, lifelines, moveFlow, runOperation, until, waitForResult } from './ui-helpers.ts';

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
let serve: RunningServe;
let browser: Browser;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pacscope-e2e-files-'));
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A small CT instance with the given patient (Explicit VR Little Endian, 8×8 pixels). */
function writeInstance(path: string, patientName: string, patientId: string): void {
  const root = '2.25.99887766554433221100';
  new dimse.Dataset(
    {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: `${root}.1.1.1`,
      StudyInstanceUID: `${root}.1`,
      SeriesInstanceUID: `${root}.1.1`,
      PatientName: [{ Alphabetic: patientName }],
      PatientID: patientId,
      StudyDate: '20250101',
      StudyDescription: '<b>bold?</b>',
      Modality: 'CT',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: 8,
      Columns: 8,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      PixelData: [new Uint16Array(64).buffer],
      _vrMap: { PixelData: 'OW' },
    },
    dimse.constants.TransferSyntax.ExplicitVRLittleEndian,
  ).toFile(path);
}

describe('the open page', () => {
  it('shows a C-MOVE by DCMTK movescu live', async () => {
    const { page } = browser;
    expect(await arrows(page)).toHaveLength(0);
    const move = await runTool('movescu', ['-S', '-aet', 'MOVESCU', '-aec', serve.pacsAe, '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(3)}`, '127.0.0.1', String(serve.pacsPort)]);
    expect(move.code, move.output).toBe(0);
    const rq = await until(() => arrows(page), (as) => as.some((a) => a.command === 'C-MOVE-RQ'), 'the movescu C-MOVE-RQ');
    const moveAssoc = rq.find((a) => a.command === 'C-MOVE-RQ')!.association;
    // Study 3 has 2 instances.
    const flow = await until(() => moveFlow(page, moveAssoc), (f) => !!f.final && f.stores.length === 2, 'the movescu C-MOVE drawn');
    expect(flow.final?.text).toMatch(/Success C=2/);
    expect(flow.subs).toHaveLength(1);
    expect((await lifelines(page)).map((l) => l.ae)).toEqual(expect.arrayContaining(['MOVESCU', 'PACSCOPE', 'STORESCP']));
    await browser.screenshot('movescu-live');
  });

  it('shows a patient name that is HTML as text, and runs none of it', async () => {
    const { page } = browser;
    const file = join(dir, 'hostile.dcm');
    writeInstance(file, HOSTILE_NAME, 'XSS-1');
    const store = await runTool(process.execPath, [BIN, 'store', '--aec', serve.pacsAe, '127.0.0.1', String(serve.pacsPort), file], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(store.code, store.output).toBe(0);

    await runOperation(page, { op: 'find', host: '127.0.0.1', port: serve.pacsPort, aet: 'WEBUI', aec: serve.pacsAe, level: 'STUDY', keys: ['PatientID=XSS-1', 'PatientName=', 'StudyDescription=', 'StudyInstanceUID='] });
    await waitForResult(page, /success/i);
    const match = page.locator('[data-testid=match]');
    await match.first().waitFor({ timeout: 10_000 });
    expect(await match.count()).toBe(1);
    // '=' separates the component groups of a PN value (PS3.5 §6.2.1): the matches carry the name as
    // {Alphabetic: '<img src', Ideographic: 'x onerror', Phonetic: 'alert(1)>'}, and the whole value is
    // the groups joined by '=' again; showing only the alphabetic group would hide most of the name.
    expect(await match.first().textContent(), 'the whole patient name, its PN component groups joined by "="').toContain(HOSTILE_NAME);

    // The identifier of the pending C-FIND-RSP in the inspector: the same text, as text.
    const rsp = (await arrows(page)).find((a) => a.command === 'C-FIND-RSP' && a.status === '0xFF00')!;
    await page.locator(`[data-testid=arrow][data-index="${rsp.index}"]`).click();
    await page.locator('[data-testid=inspector]').filter({ hasText: HOSTILE_NAME }).waitFor({ timeout: 10_000 });

    await page.waitForTimeout(500); // an injected <img src=x> would have fired its onerror by now
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    expect(browser.dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
    await browser.screenshot('hostile-patient-name');
  });
});
