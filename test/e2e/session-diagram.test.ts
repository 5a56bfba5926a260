/**
 * The diagram holds a real session (issue 13), in Chromium against a real
 * `pacscope serve`: every teaching scenario run twice in one session, as a
 * lecturer would. Asserted as geometry, not only text: one lane per AE; no
 * two texts overlap; lane heads never overlap at any zoom; the selected
 * arrow and each narration step's arrow inside the view on both axes; a
 * rejected association shows its A-ASSOCIATE-RJ arrow with the reason at
 * DIMSE level and a decoded inspector; a refused sub-association is a red
 * arrow to the destination's lane, kept by the C-MOVE's filter; "new
 * session" starts a clean view; a run opens in its own tab; present mode
 * hides the bars. Screenshots of these states go to docs/images/.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { type Browser, openProduct, REPO_ROOT, type RunningServe, SCREENSHOTS } from './harness.ts';
import { arrowsOffTheirBars, lifelines } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

const SCENARIOS = [
  'echo', 'find', 'move-to-self', 'move-third-party', 'sync-vs-async', 'get', 'cancel-move',
  'wrong-called-ae', 'unknown-caller', 'unknown-destination', 'destination-down', 'storage-rejected', 'get-without-role',
];

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function runScenario(page: Page, name: string): Promise<void> {
  const panel = page.locator('[data-testid=scenarios]');
  await panel.locator('select[name=scenario]').selectOption(name);
  await panel.locator('input[name=delay]').fill('0');
  const pressed = panel.locator('[data-testid=scenario-run][aria-pressed=true]');
  const before = (await pressed.count()) > 0 ? await pressed.getAttribute('data-run') : null;
  await panel.locator('[data-action=run-scenario]').click();
  // The new run is chosen as it starts; then it runs to its end.
  const chosen = before === null ? '[data-testid=scenario-run][aria-pressed=true]' : `[data-testid=scenario-run][aria-pressed=true]:not([data-run="${before}"])`;
  await panel.locator(chosen).waitFor({ timeout: 10_000 });
  await panel.locator('[data-testid=scenario-status]', { hasText: /done ·/ }).waitFor({ timeout: 30_000 });
  // The chosen run is in view in its list, however many runs came before it.
  const [item, list] = await Promise.all([panel.locator(chosen).boundingBox(), panel.locator('[data-testid=scenario-runs]').boundingBox()]);
  expect(item && list && item.y >= list.y - 1 && item.y + item.height <= list.y + list.height + 1, `${name}: run ${JSON.stringify(item)} list ${JSON.stringify(list)}`).toBe(true);
}

interface Box {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The visible texts of the diagram (arrow labels, times, lane heads), as drawn on the page. */
async function texts(page: Page): Promise<{ heads: Box[]; body: Box[]; view: Box }> {
  return page.evaluate(() => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { text: (e.textContent ?? '').trim(), left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const scroller = document.querySelector('.scroller')!;
    const view = box(scroller);
    const heads = Array.from(document.querySelectorAll('[data-testid=lifeline] text')).map(box);
    const headBottom = Math.max(...Array.from(document.querySelectorAll('[data-testid=lifeline] rect')).map((r) => r.getBoundingClientRect().bottom), view.top);
    // Texts scrolled under the pinned heads, or out of the view, are not seen.
    const body = Array.from(document.querySelectorAll('svg.diagram text'))
      .filter((t) => !t.closest('[data-testid=lifeline]'))
      .map(box)
      .filter((b) => b.text !== '' && b.top >= headBottom && b.bottom <= view.bottom && b.right > view.left && b.left < view.right);
    return { heads, body, view };
  });
}

function overlapping(boxes: Box[]): [string, string][] {
  const hits: [string, string][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      // One pixel of tolerance: glyph boxes of neighbouring rows touch.
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) hits.push([a.text, b.text]);
    }
  }
  return hits;
}

/** The rects of the lane heads on the page. */
async function headRects(page: Page): Promise<Box[]> {
  return page.$$eval('[data-testid=lifeline] rect', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.parentElement?.getAttribute('data-ae') ?? '', left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }),
  );
}

/** Is the selected arrow's line inside the diagram's view, on both axes? */
async function selectedInView(page: Page): Promise<{ inside: boolean; what: string }> {
  return page.evaluate(() => {
    const selected = document.querySelector('.arrow.selected line');
    const scroller = document.querySelector('.scroller')!.getBoundingClientRect();
    if (!selected) return { inside: false, what: 'nothing selected' };
    const r = selected.getBoundingClientRect();
    const inside = r.top >= scroller.top + 40 && r.bottom <= scroller.bottom && r.left >= scroller.left - 1 && r.right <= scroller.right + 1;
    return { inside, what: `${selected.parentElement?.getAttribute('data-command')} line ${JSON.stringify(r)} view ${JSON.stringify(scroller)}` };
  });
}

describe('a whole teaching session in one diagram', () => {
  it('every scenario twice: one lane per AE, nothing overlaps, heads readable at every zoom', async () => {
    const page = browser.page;
    // The diagram's warm-up (web/src/lib/diagram/warmup.svelte.ts) ran once the snapshot was drawn, out of the document.
    await page.waitForFunction(() => performance.getEntriesByName('pacscope:warm-up-done', 'mark').length === 1, null, { timeout: 10_000 });
    expect(await page.locator('[data-ae^=WARMUP]').count()).toBe(0);
    expect(browser.errors).toEqual([]);
    for (let round = 0; round < 2; round++) {
      for (const name of SCENARIOS) {
        await runScenario(page, name);
        // Lanes come in among those drawn as the scenarios bring new actors (ASYNCPACS, ARCHIVE, STRANGER…): the
        // arrows already drawn move with them (web/src/lib/diagram/arrow-placement.ts).
        expect(await arrowsOffTheirBars(page), `after ${name}`).toEqual([]);
      }
    }
    const lanes = await lifelines(page);
    const titles = lanes.map((l) => l.ae);
    expect(new Set(titles).size, titles.join(', ')).toBe(titles.length);
    // The actors of the scenarios, each once, whatever ports their two runs had.
    for (const ae of ['WORKSTATION', 'TEACHPACS', 'ASYNCPACS', 'VIEWER', 'ARCHIVE', 'STRANGER']) expect(titles).toContain(ae);
    expect(titles).not.toContain('');
    const pacs = await page.locator('[data-testid=lifeline][data-ae=TEACHPACS]').getAttribute('data-ports');
    expect(pacs!.split(' ').length).toBeGreaterThan(2);

    for (const step of ['100%', 'zoom out', 'zoom out', 'zoom out', 'fit width']) {
      if (step === 'zoom out') await page.locator('[aria-label="zoom out"]').click();
      if (step === 'fit width') await page.locator('[data-action=fit-width]').click();
      await page.waitForTimeout(150);
      const { heads, body } = await texts(page);
      expect(overlapping(await headRects(page)), `lane heads at ${step}`).toEqual([]);
      expect(overlapping(heads), `lane head texts at ${step}`).toEqual([]);
      expect(overlapping(body), `diagram texts at ${step}`).toEqual([]);
      expect(body.length, `texts drawn at ${step}`).toBeGreaterThan(5);
    }
    // Fit width: every lane in view.
    const view = (await texts(page)).view;
    for (const l of await lifelines(page)) expect(l.x, l.ae).toBeLessThanOrEqual(view.right);
    await browser.screenshot('session-fit-width');
    await page.locator('[data-action=zoom-reset]').click();
  });

  it('the narration steps and the selection stay in view on both axes', async () => {
    const page = browser.page;
    await runScenario(page, 'sync-vs-async');
    const panel = page.locator('[data-testid=scenarios]');
    const next = panel.locator('[data-action=narration-next]');
    let steps = 0;
    while (!(await next.isDisabled()) && steps < 10) {
      await next.click();
      steps += 1;
      await page.locator('.arrow.selected').waitFor({ timeout: 5_000 });
      await page.waitForTimeout(100);
      const seen = await selectedInView(page);
      expect(seen.inside, `step ${steps}: ${seen.what}`).toBe(true);
    }
    expect(steps).toBe(7);
    // Keyboard stepping from the top: every arrow selected is brought into view.
    await page.locator('[data-testid=diagram]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('PageDown');
      await page.waitForTimeout(30);
      const seen = await selectedInView(page);
      expect(seen.inside, `PageDown ${i}: ${seen.what}`).toBe(true);
    }
  });

  it('a rejected association: RQ and a labelled RJ arrow at DIMSE level, its inspector decoded', async () => {
    const page = browser.page;
    await page.locator('[data-action=new-view]').click();
    expect(await page.locator('[data-testid=lifeline]').count()).toBe(0);
    await runScenario(page, 'wrong-called-ae');
    expect(await page.locator('[data-testid=toggle-pdus]').isChecked()).toBe(false);
    const rj = page.locator('[data-testid=lifecycle-arrow][data-event=reject]');
    await rj.waitFor({ timeout: 5_000 });
    expect(await rj.locator('text.label').textContent()).toBe("rejected: called AE 'PACS' not recognized (1/1/7)");
    expect(await rj.getAttribute('class')).toContain('status-failure');
    expect(await page.locator('[data-testid=lifecycle-arrow][data-event=associate]').count()).toBe(1);
    // A clean view: only this run's two lanes.
    expect((await lifelines(page)).map((l) => l.ae)).toEqual(['WORKSTATION', 'PACS']);
    await rj.click();
    const inspector = page.locator('[data-testid=association-inspector]');
    await inspector.waitFor({ timeout: 5_000 });
    expect(await inspector.locator('[data-testid=reject-result]').textContent()).toMatch(/1\s.*permanent/);
    expect(await inspector.locator('[data-testid=reject-source]').textContent()).toMatch(/1\s.*service.user/);
    expect(await inspector.locator('[data-testid=reject-reason]').textContent()).toMatch(/7\s.*called.AE.title.not.recognized/);
    await page.locator('[data-testid=hex]').first().waitFor({ timeout: 5_000 });
    expect(overlapping((await texts(page)).body)).toEqual([]);
    await browser.screenshot('rejected-association');
    await mkdir(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
    await copyFile(join(SCREENSHOTS, 'rejected-association.png'), join(REPO_ROOT, 'docs', 'images', 'rejected-association.png'));
  });

  it('a destination that does not listen: a red refused arrow to its lane, kept by the C-MOVE\'s filter', async () => {
    const page = browser.page;
    await page.locator('[data-action=new-view]').click();
    await runScenario(page, 'destination-down');
    const refused = page.locator('[data-testid=lifecycle-arrow][data-event=refused]');
    await refused.waitFor({ timeout: 5_000 });
    expect(await refused.locator('text.label').textContent()).toBe('TCP connection refused (VIEWER)');
    const lanes = await lifelines(page);
    expect(lanes.map((l) => l.ae)).toEqual(['WORKSTATION', 'TEACHPACS', 'VIEWER']);
    // The cross lands on VIEWER's lifeline: the destination the C-MOVE named (and the PACS could not reach).
    const viewer = lanes.find((l) => l.ae === 'VIEWER')!;
    const line = await refused.locator('line').boundingBox();
    expect(Math.abs(line!.x + line!.width - viewer.x)).toBeLessThan(16);
    const move = await page.locator('[data-testid=arrow][data-command=C-MOVE-RQ]').getAttribute('data-association');
    await page.locator('[data-testid=filters] select[name=association]').selectOption(move!);
    await refused.waitFor({ timeout: 5_000 });
    await page.locator('[data-testid=sub-link]').waitFor({ timeout: 5_000 });
    await browser.screenshot('refused-destination');
    await page.locator('[data-action=clear-filters]').click();
    // The clear keeps the new session's scope.
    expect(await page.locator('[data-testid=view-since]').count()).toBe(1);
    await page.locator('[data-action=show-all]').click();
    expect((await lifelines(page)).length).toBeGreaterThan(3);
  });

  it('a run in its own tab shows only its associations; present mode hides the bars', async () => {
    const page = browser.page;
    await page.locator('[data-testid=toggle-run-tabs]').check();
    await runScenario(page, 'move-third-party');
    const tab = page.locator('[data-testid=tab]', { hasText: 'C-MOVE to a third party' });
    await tab.waitFor({ timeout: 5_000 });
    expect(await tab.getAttribute('class')).toContain('active');
    expect((await lifelines(page)).map((l) => l.ae)).toEqual(['WORKSTATION', 'TEACHPACS', 'ARCHIVE']);
    const drawn = await page.$$eval('[data-testid=association]', (els) => els.length);
    expect(drawn).toBe(2);
    await page.locator('[data-testid=toggle-run-tabs]').uncheck();
    await page.locator('[data-testid=tab][data-tab=live] button.title').click();
    expect((await lifelines(page)).length).toBeGreaterThan(3);

    await page.locator('[data-testid=toggle-present]').check();
    await page.locator('[data-testid=filters]').waitFor({ state: 'hidden', timeout: 5_000 });
    expect(await page.locator('[data-testid=tabs]').isVisible()).toBe(false);
    await browser.screenshot('present');
    await page.locator('[data-testid=toggle-present]').uncheck();
  });
});
