/**
 * Opening files in the browser: `pacscope open FILE` starts the UI on a
 * capture (page URL ?session=NAME), a recording dropped on the page is saved
 * into the sessions folder and shown, a file picked with "open…" too, and a
 * file that is no capture is refused with the reason, losing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess } from '../interop/harness/process.ts';
import { BIN, ensureWebBuilt, openBrowser, REPO_ROOT, type Browser } from './harness.ts';
import { arrows, dropFile } from './ui-helpers.ts';

let dir: string;
let proc: RunningProcess;
let browser: Browser;
let url: string;
/** Requests of the page answered with an error status, and console errors. */
const failed: string[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-open-'));
  await copyFile(join(REPO_ROOT, 'test/fixtures/pcap/dcmtk-store.pcapng'), join(dir, 'store.pcapng'));
  proc = new RunningProcess(process.execPath, [BIN, 'open', join(dir, 'store.pcapng')], { cwd: REPO_ROOT });
  await proc.waitFor(/sessions folder: .*\n/, 30_000);
  url = /on (http:\/\/\S+)/.exec(proc.output)?.[1] ?? '';
  browser = await openBrowser();
  browser.page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  browser.page.on('console', (m) => {
    if (m.type() === 'error') failed.push(`console: ${m.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await proc?.stop('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('opening recordings and captures', () => {
  it('pacscope open FILE shows the file at once', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?session=store\.pcapng$/);
    const page = browser.page;
    await page.goto(url);
    await page.locator('[data-testid=source]', { hasText: 'store.pcapng' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=lifeline][data-ae=STORESCU]').waitFor({ timeout: 10_000 });
    expect((await arrows(page)).map((a) => a.command).slice(0, 2)).toEqual(['C-STORE-RQ', 'C-STORE-RSP']);
  });

  it('its bare address (typed, or a bookmark) shows the file too', async () => {
    const bare = new URL('/', url).href;
    const answer = await fetch(bare, { redirect: 'manual' });
    expect([answer.status, answer.headers.get('location')]).toEqual([302, '/?session=store.pcapng']);
    const page = await browser.context.newPage();
    try {
      await page.goto(bare);
      await page.locator('[data-testid=lifeline][data-ae=STORESCU]').waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).search).toBe('?session=store.pcapng');
    } finally {
      await page.close();
    }
  });

  it('shows what applies to a file: no live tab or live-only panel, the findings in view, no failed request', async () => {
    const page = browser.page;
    await page.locator('[data-testid=findings]').waitFor({ timeout: 10_000 });
    // The panels that act on a live session are not there at all (nothing live runs in pacscope open).
    for (const id of ['operations', 'pacs-panel', 'routes', 'doctor']) expect(await page.locator(`[data-testid=${id}]`).count(), id).toBe(0);
    // Nor a button that would start something live: running a scenario, going back to a live session.
    for (const action of ['run-scenario', 'go-live']) expect(await page.locator(`[data-action=${action}]`).count(), action).toBe(0);
    expect(await page.locator('[data-testid=tab][data-tab=live]').count()).toBe(0);
    expect(await page.locator('[data-action=new-view]').count()).toBe(0);
    const findings = await page.locator('[data-testid=findings]').boundingBox();
    expect(findings!.y + 40).toBeLessThan(1000);
    expect(failed).toEqual([]);
    await browser.screenshot('open-mode');
  });

  it('a recording dropped on the page is saved in the folder and shown', async () => {
    const page = browser.page;
    await dropFile(browser.page, 'echo.pacscope', await readFile(join(REPO_ROOT, 'test/fixtures/recording/v1-dcmtk-echo.pacscope')));
    await page.locator('[data-testid=source]', { hasText: 'echo.pacscope' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=arrow][data-command=C-ECHO-RSP]').waitFor({ timeout: 10_000 });
    expect((await arrows(page)).map((a) => a.command)).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP']);
    expect((await readdir(dir)).sort()).toEqual(['echo.pacscope', 'store.pcapng']);
    await browser.screenshot('dropped-recording');
  });

  it('a file that is no capture is refused with the reason; what is shown stays', async () => {
    const page = browser.page;
    await dropFile(browser.page, 'notes.pcap', Buffer.from('these are notes, not packets'));
    const error = page.locator('[data-testid=open-error]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toMatch(/notes\.pcap is not a pacscope recording, a pcap or a pcapng/);
    expect((await arrows(page)).map((a) => a.command)).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP']);
    expect((await readdir(dir)).sort()).toEqual(['echo.pacscope', 'store.pcapng']);
  });

  it('"open…" picks a file the same way', async () => {
    const page = browser.page;
    await page.locator('[data-testid=open-file]').setInputFiles({ name: 'again.pcapng', mimeType: 'application/octet-stream', buffer: await readFile(join(dir, 'store.pcapng')) });
    await page.locator('[data-testid=source]', { hasText: 'again.pcapng' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=open-error]').count()).toBe(0);
    await page.locator('[data-testid=lifeline][data-ae=STORESCU]').waitFor({ timeout: 10_000 });
  });
});
