/**
 * Filters and exports in the browser: a summary of a real DCMTK C-MOVE
 * (test/fixtures/web/move.summary.json, with a C-FIND match whose patient
 * name is an HTML snippet added) opened in the page; the filter bar hides
 * arrows, associations and lifelines and the header counts "N of M
 * messages"; the SVG, PNG and Mermaid exports download as
 * pacscope-<date>.svg/.png/.mmd with the whole (filtered) diagram.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Summary, SummaryMessage } from '../../shared/model/summary-types.ts';
import { migrateSummary } from '../../shared/model/summary-migrations.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { ensureWebBuilt, openBrowser, REPO_ROOT, SCREENSHOTS, startServe, type Browser, type RunningServe } from './harness.ts';
import { arrows, lifelines } from './ui-helpers.ts';

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
let serve: RunningServe;
let browser: Browser;
let summary: Summary;

beforeAll(async () => {
  ensureWebBuilt();
  const move = migrateSummary(JSON.parse(await readFile(join(REPO_ROOT, 'test/fixtures/web/move.summary.json'), 'utf8')));
  const rq = move.messages[0];
  const at = rq.time / 2;
  const find = (over: Partial<SummaryMessage>): SummaryMessage => ({ ...rq, commandField: CommandField.CFindRq, time: at, moveDestination: null, messageId: 9, identifier: { QueryRetrieveLevel: 'PATIENT' }, ...over });
  // Two messages go in front: every link by message index moves on by two.
  const shift = <T extends { message: number }>(c: T | null): T | null => (c ? { ...c, message: c.message + 2 } : null);
  summary = {
    ...move,
    associations: move.associations.map((a) => ({ ...a, cause: shift(a.cause) })),
    messages: [
      find({ request: null, cause: null }),
      find({ commandField: CommandField.CFindRsp, side: 'acceptor', time: at + 0.0001, messageId: null, respondsTo: 9, status: 0xff00, statusCategory: 'pending', identifier: { PatientName: HOSTILE_NAME }, request: 0, cause: null }),
      ...move.messages.map((m) => ({ ...m, request: m.request === null ? null : m.request + 2, cause: shift(m.cause) })),
    ],
  };
  serve = await startServe();
  browser = await openBrowser();
  await browser.page.goto(serve.url);
  await browser.page.locator('[data-testid=diagram]').waitFor({ timeout: 15_000 });
  await browser.page.locator('label.file input[type=file]').setInputFiles({ name: 'move.summary.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(summary)) });
  await browser.page.locator('[data-testid=arrow]').nth(summary.messages.length - 1).waitFor({ timeout: 10_000 });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function download(action: string): Promise<{ name: string; bytes: Buffer }> {
  const page = browser.page;
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.locator(`[data-testid=export] [data-action=${action}]`).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

describe('filters and export in the browser', () => {
  it('filters by command, status, AE and association, counting "N of M messages"', async () => {
    const page = browser.page;
    const filters = page.locator('[data-testid=filters]');
    const counts = page.locator('[data-testid=counts]');
    const total = summary.messages.length;

    await filters.locator('select[name=command]').selectOption('C-STORE');
    await counts.filter({ hasText: `6 of ${total} messages` }).waitFor({ timeout: 5_000 });
    expect(new Set((await arrows(page)).map((a) => a.command))).toEqual(new Set(['C-STORE-RQ', 'C-STORE-RSP']));
    expect((await lifelines(page)).map((l) => l.ae)).toEqual(['QRSCP', 'STORESCP']);
    expect(await page.locator('[data-testid=association]').count()).toBe(1);

    await filters.locator('select[name=command]').selectOption('');
    await filters.locator('select[name=status]').selectOption('pending');
    await counts.filter({ hasText: `4 of ${total} messages` }).waitFor({ timeout: 5_000 });

    await filters.locator('select[name=status]').selectOption('');
    await filters.locator('select[name=ae]').selectOption('STORESCP');
    await counts.filter({ hasText: `6 of ${total} messages` }).waitFor({ timeout: 5_000 });

    await filters.locator('select[name=ae]').selectOption('');
    await filters.locator('select[name=association]').selectOption('a1');
    await counts.filter({ hasText: `${total} of ${total} messages` }).waitFor({ timeout: 5_000 });
    await filters.locator('[data-action=clear-filters]').click();
    await counts.filter({ hasText: `· ${total} messages` }).waitFor({ timeout: 5_000 });
    await browser.screenshot('filters-cleared');
  });

  it('exports the filtered diagram as SVG, PNG and Mermaid files', async () => {
    const page = browser.page;
    await page.locator('[data-testid=filters] select[name=association]').selectOption('a2');
    await page.locator('[data-testid=counts]').filter({ hasText: '6 of' }).waitFor({ timeout: 5_000 });

    const mmd = await download('export-mermaid');
    expect(mmd.name).toMatch(/^pacscope-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.mmd$/);
    const text = mmd.bytes.toString('utf8');
    expect(text.startsWith('sequenceDiagram\n')).toBe(true);
    // The association's 6 DIMSE messages, and its A-ASSOCIATE and A-RELEASE as dotted lifecycle arrows.
    expect(text.match(/ P\d+->>P\d+: /g)).toHaveLength(6);
    expect(text.match(/ P\d+-->>P\d+: /g)).toHaveLength(2);

    const svg = await download('export-svg');
    expect(svg.name).toMatch(/^pacscope-.*\.svg$/);
    const xml = svg.bytes.toString('utf8');
    expect(xml.match(/<line /g)).toHaveLength(8);
    expect(xml.match(/data-kind="message"/g)).toHaveLength(6);
    // well-formed: the browser's own XML parser
    const parsed = await page.evaluate((s) => {
      const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName };
    }, xml);
    expect(parsed).toEqual({ error: null, root: 'svg' });

    const png = await download('export-png');
    expect(png.name).toMatch(/^pacscope-.*\.png$/);
    expect(png.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(400); // IHDR width
    await writeFile(join(SCREENSHOTS, 'export-a2.png'), png.bytes);
  });

  it('exports a patient name that is markup as text', async () => {
    const page = browser.page;
    await page.locator('[data-testid=filters] [data-action=clear-filters]').click();
    await page.locator('[data-testid=filters] select[name=command]').selectOption('C-FIND');
    await page.locator('[data-testid=counts]').filter({ hasText: '2 of' }).waitFor({ timeout: 5_000 });
    const svg = (await download('export-svg')).bytes.toString('utf8');
    expect(svg).toContain('Pending match &lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toContain('<img');
    const text = (await download('export-mermaid')).bytes.toString('utf8');
    expect(text).toContain('Pending match #lt;img src=x onerror=alert(1)#gt;');
    await writeFile(join(SCREENSHOTS, 'export-find.png'), (await download('export-png')).bytes);
    expect(browser.dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
