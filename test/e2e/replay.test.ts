/**
 * Replay in the browser (issue 6 §1): a real C-MOVE recorded by
 * `pacscope serve` (sub-operations 400 ms apart, so the session lasts ~2 s),
 * dropped on the page as a file, played at 4×, paused, stepped and scrubbed;
 * at each point the diagram shows the session as it stood then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { arrows, dropFile, runOperation, waitForResult } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;
let recording: Buffer;

beforeAll(async () => {
  ({ serve, browser } = await openProduct(['--sub-operation-delay', '400']));
  const page = browser.page;
  await runOperation(page, { op: 'move', host: '127.0.0.1', port: serve.pacsPort, aet: 'WEBUI', aec: serve.pacsAe, dest: 'STORESCP', level: 'STUDY', keys: [`StudyInstanceUID=${studyUid(1)}`] });
  await waitForResult(page, /move: success/, 30_000);
  // This run's recording, as a user would take it from the sessions folder.
  await page.locator('[data-testid=arrow][data-command=C-MOVE-RSP][data-status="0x0000"]').waitFor({ timeout: 10_000 });
  const dir = join(serve.dataDir, 'sessions');
  const [name] = await readdir(dir);
  await new Promise((r) => setTimeout(r, 300)); // the release after the final response
  // Opening it through the API flushes what the server still buffers.
  expect((await fetch(`${serve.url}api/sessions/${encodeURIComponent(name)}`)).status).toBe(200);
  recording = await readFile(join(dir, name));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function position(): Promise<{ t: number; shown: number; total: number }> {
  const text = (await browser.page.locator('[data-testid=replay-position]').textContent()) ?? '';
  const m = /([\d.]+) s \/ [\d.]+ s · (\d+) of (\d+) messages/.exec(text);
  if (!m) throw new Error(`no position in "${text}"`);
  return { t: Number(m[1]), shown: Number(m[2]), total: Number(m[3]) };
}

const drawn = async () => (await arrows(browser.page)).map((a) => a.command);

describe('replay of a recorded C-MOVE', () => {
  it('opens the dropped recording whole, then plays it at 4× building up as it happened', async () => {
    const page = browser.page;
    await dropFile(browser.page, 'move.pacscope', recording);
    await page.locator('[data-testid=source]', { hasText: 'move.pacscope' }).waitFor({ timeout: 15_000 });
    const replay = page.locator('[data-testid=replay]');
    await replay.waitFor({ timeout: 5_000 });
    const whole = await drawn();
    const total = whole.length;
    expect(whole).toContain('C-STORE-RQ');
    expect((await position()).shown).toBe(total);

    await replay.locator('select[name=speed]').selectOption('4');
    await replay.locator('[data-action=play]').click();
    // Mid-way: part of the session, in the order it happened.
    await page.waitForFunction(() => {
      const n = document.querySelectorAll('[data-testid=arrow]').length;
      return n > 2 && n < 20;
    }, undefined, { timeout: 5_000 });
    const partial = await drawn();
    expect(partial.length).toBeLessThan(total);
    expect(partial).toEqual(whole.slice(0, partial.length));
    await browser.screenshot('replay-midway');
    // At the end: everything, and playing stops by itself.
    await replay.locator('[data-action=play]').waitFor({ timeout: 10_000 });
    expect(await drawn()).toEqual(whole);
  });

  it('pauses, steps one message at a time and scrubs', async () => {
    const page = browser.page;
    const replay = page.locator('[data-testid=replay]');
    const timeline = replay.locator('input[name=timeline]');
    const { total } = await position();

    // Scrub to the start: nothing but lifelines-to-be.
    await timeline.fill('0');
    expect((await position()).shown).toBe(0);
    expect(await drawn()).toEqual([]);

    await replay.locator('[data-action=step-forward]').click();
    expect((await position()).shown).toBe(1);
    expect(await drawn()).toEqual(['C-MOVE-RQ']);
    await replay.locator('[data-action=step-forward]').click();
    await replay.locator('[data-action=step-forward]').click();
    const two = await position();
    expect(two.shown).toBeGreaterThanOrEqual(3);
    await replay.locator('[data-action=step-back]').click();
    expect((await position()).shown).toBe(two.shown - 1);

    // Play, pause: the cursor stays where it was paused.
    await replay.locator('select[name=speed]').selectOption('1');
    await replay.locator('[data-action=play]').click();
    await page.waitForTimeout(300);
    await replay.locator('[data-action=pause]').click();
    const paused = await position();
    await page.waitForTimeout(400);
    expect(await position()).toEqual(paused);
    expect(paused.shown).toBeLessThan(total);
    expect((await drawn()).length).toBe(paused.shown);

    // Scrub to the end: the whole session.
    const end = await timeline.getAttribute('max');
    await timeline.fill(end!);
    expect((await position()).shown).toBe(total);
    await replay.locator('[data-action=replay-off]').click();
    expect((await drawn()).length).toBe(total);
  });
});
