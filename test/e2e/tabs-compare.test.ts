/**
 * Several sources at once (issue 6 §1): two recorded sessions of the sessions
 * folder open in tabs beside the live one, switching between them, closing
 * one, and two shown side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureWebBuilt, openBrowser, REPO_ROOT, startServe, type Browser, type RunningServe } from './harness.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  serve = await startServe();
  const sessions = join(serve.dataDir, 'sessions');
  await copyFile(join(REPO_ROOT, 'test/fixtures/pcap/dcmtk-store.pcapng'), join(sessions, 'store.pcapng'));
  await copyFile(join(REPO_ROOT, 'test/fixtures/pcap/dcmtk-echo.pcapng'), join(sessions, 'echo.pcapng'));
  browser = await openBrowser();
  await browser.page.goto(serve.url);
  await browser.page.locator('[data-testid=diagram]').waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

const lifelinesIn = (scope: string) => browser.page.$$eval(`${scope} [data-testid=lifeline]`, (els) => els.map((e) => e.getAttribute('data-ae')));

describe('tabs and comparison', () => {
  it('opens sessions in tabs, switches, compares side by side and closes', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=sessions]');
    await panel.locator('[data-action=refresh-sessions]').click();
    for (const name of ['store.pcapng', 'echo.pcapng']) {
      await panel.locator('[data-testid=session]', { hasText: name }).locator('[data-action=open-session]').click();
      await page.locator('[data-testid=source]', { hasText: name }).waitFor({ timeout: 10_000 });
    }
    const tabs = page.locator('[data-testid=tab]');
    expect((await tabs.allTextContents()).map((t) => t.trim())).toEqual(['● live', 'store.pcapng ×', 'echo.pcapng ×']);
    expect(await page.locator('[data-testid=tab].active').getAttribute('data-tab')).toBe('s:echo.pcapng');
    await page.locator('[data-testid=arrow][data-command=C-ECHO-RQ]').waitFor({ timeout: 5_000 });

    await page.locator('[data-testid=tab][data-tab="s:store.pcapng"] button.title').click();
    await page.locator('[data-testid=source]', { hasText: 'store.pcapng' }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=arrow][data-command=C-STORE-RQ]').first().waitFor({ timeout: 5_000 });

    // Side by side: the store session on the left, the echo session on the right.
    await page.locator('[data-testid=tabs] select[name=compare]').selectOption('s:echo.pcapng');
    const pane = page.locator('[data-testid=compare-pane]');
    await pane.waitFor({ timeout: 10_000 });
    expect(await pane.locator('.compare-title').textContent()).toBe('echo.pcapng');
    await pane.locator('[data-testid=arrow][data-command=C-ECHO-RSP]').waitFor({ timeout: 5_000 });
    expect(await pane.locator('[data-testid=arrow]').count()).toBe(2);
    expect(await lifelinesIn('[data-testid=compare-pane]')).toEqual(['ECHOSCU', 'STORESCP']);
    expect(await page.locator('.diagram-box > .diagram-wrap [data-testid=arrow][data-command=C-STORE-RQ]').count()).toBeGreaterThan(0);
    await browser.screenshot('compare-side-by-side');

    // Closing the compared tab ends the comparison; back to live.
    await page.locator('[data-testid=tab][data-tab="s:echo.pcapng"] [data-action=close-tab]').click();
    await pane.waitFor({ state: 'detached', timeout: 5_000 });
    await page.locator('[data-testid=tab][data-tab=live] button.title').click();
    await page.locator('.connection', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    expect((await tabs.allTextContents()).map((t) => t.trim())).toEqual(['● live', 'store.pcapng ×']);
  });
});
