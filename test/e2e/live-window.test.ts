/**
 * The live window in the browser (issue 14; docs/live-api.md, "The live
 * window"): `pacscope serve --live-window 100` (pages of 50 messages, 5
 * associations) under DCMTK `echoscu` runs of 30 C-ECHOs each. The live view
 * draws only the window and says where it stands; *previous* shows the page
 * before it, read back from the recording, whose messages the inspector
 * still decodes whole; *live ›* goes back to the live stream, which goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../interop/harness/process.ts';
import { ensureWebBuilt, openBrowser, startServe, type Browser, type RunningServe } from './harness.ts';
import { arrows, until } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

/** One association of `echoscu` with 30 C-ECHOs (60 DIMSE messages: more than a page). */
async function echoes(): Promise<void> {
  const r = await runTool('echoscu', ['--repeat', '30', '-aet', 'WINDOWSCU', '-aec', serve.pacsAe, '127.0.0.1', String(serve.pacsPort)], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`echoscu failed: ${r.output}`);
}

beforeAll(async () => {
  ensureWebBuilt();
  serve = await startServe(['--live-window', '100']);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

const position = () => browser.page.locator('[data-testid=page-position]');
const text = async () => (await position().textContent())?.replace(/\s+/g, ' ').trim() ?? '';

describe('a live session longer than its window', () => {
  it('shows the window live and where it stands in the session', async () => {
    const page = browser.page;
    await page.goto(serve.url);
    await page.locator('.connection.open').waitFor({ timeout: 15_000 });
    for (let i = 0; i < 6; i++) await echoes();
    // 6 associations × 60 messages: pages of 50 messages, the window the last one or two.
    const shown = await until(text, (t) => /^Live: .* of 360$/.test(t), 'the live pager at the live end');
    expect(shown).toMatch(/^Live: (page \d+|pages \d+–\d+) of \d+ · messages [\d,]+–360 of 360$/);
    const drawn = await arrows(page);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThanOrEqual(100);
    // The first association is long gone from the window.
    expect(drawn.some((a) => a.association === 'a1')).toBe(false);
    expect(await page.locator('[data-action=page-next]').isDisabled()).toBe(true);
  }, 120_000);

  it('shows an earlier page read back from the recording, with its details in the inspector', async () => {
    const page = browser.page;
    const live = await text();
    const firstLivePage = Number(/pages? (\d+)/.exec(live)?.[1]);
    await page.locator('[data-action=page-prev]').click();
    await position().filter({ hasText: 'Live session, page' }).waitFor({ timeout: 30_000 });
    expect(await text()).toContain(`Live session, page ${firstLivePage - 1} of`);
    expect(await page.locator('[data-testid=source]').textContent()).toContain(`live session, page ${firstLivePage - 1} (recorded)`);
    const drawn = await until(() => arrows(page), (a) => a.length > 0, 'the earlier page drawn');
    expect(drawn.every((a) => /^C-ECHO-R(Q|SP)$/.test(a.command))).toBe(true);
    await page.locator('[data-testid=arrow]').first().click();
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.locator('tr[data-keyword=CommandField]').waitFor({ timeout: 15_000 });
    expect(await inspector.textContent()).toContain('C-ECHO');
    // The hex view of the PDU carrying it, read back too.
    await inspector.locator('[data-testid=hex] .b').first().waitFor({ timeout: 15_000 });
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('goes back to the live stream past the last page read back, and the stream goes on', async () => {
    const page = browser.page;
    for (let i = 0; i < 10 && !(await text()).startsWith('Live:'); i++) {
      await page.locator('[data-action=page-next]').click();
      await page.waitForTimeout(300);
    }
    await until(text, (t) => t.startsWith('Live:'), 'back to live');
    await echoes();
    await until(text, (t) => t.endsWith('of 420'), 'the new association in the window');
    const drawn = await arrows(page);
    expect(drawn.some((a) => a.association === 'a7')).toBe(true);
    await browser.screenshot('live-window');
    expect(browser.errors).toEqual([]);
  }, 120_000);
});
