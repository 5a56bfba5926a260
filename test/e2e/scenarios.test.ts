/**
 * Teaching scenarios in the browser (issue 7 §2): one click runs
 * "synchronous vs asynchronous C-MOVE" on built-in actors, it draws live,
 * and "Next step" walks through the narration, each step selecting the arrow
 * it explains; a misconfiguration scenario shows its reject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { arrows } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

/** Runs a scenario from the panel and waits until its `steps` ("2 of 2") were seen. */
async function runScenario(id: string, steps: string): Promise<void> {
  const panel = browser.page.locator('[data-testid=scenarios]');
  await panel.locator('select[name=scenario]').selectOption(id);
  await panel.locator('[data-action=run-scenario]').click();
  await panel.locator('[data-testid=scenario-status]', { hasText: `done · ${steps} steps seen` }).waitFor({ timeout: 20_000 });
}

describe('teaching scenarios', () => {
  it('runs sync vs async and steps through the narration arrow by arrow', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=scenarios]');
    await panel.locator('select[name=scenario]').selectOption('sync-vs-async');
    await panel.locator('input[name=delay]').fill('0');
    await panel.locator('[data-action=run-scenario]').click();
    await panel.locator('[data-testid=scenario-status]', { hasText: 'done · 7 of 7 steps seen' }).waitFor({ timeout: 20_000 });
    // Drawn live: both PACSs and the viewer.
    for (const ae of ['WORKSTATION', 'TEACHPACS', 'ASYNCPACS', 'VIEWER']) await page.locator(`[data-testid=lifeline][data-ae=${ae}]`).waitFor({ timeout: 5_000 });

    const next = panel.locator('[data-action=narration-next]');
    const expected = [
      ['C-MOVE-RQ', /synchronously/],
      ['C-STORE-RQ', /while the C-MOVE is still open/],
      ['C-MOVE-RSP', /final response comes last/],
      ['C-MOVE-RQ', /ASYNCPACS/],
      ['C-MOVE-RSP', /answers at once/],
      ['C-MOVE-RSP', /final Success/],
      ['C-STORE-RQ', /Only now/],
    ] as const;
    for (const [i, [command, text]] of expected.entries()) {
      await next.click();
      const current = panel.locator('[data-testid=narration-current]');
      await current.filter({ hasText: `Step ${i + 1} of 7` }).waitFor({ timeout: 5_000 });
      expect(await current.textContent()).toMatch(text);
      const selected = page.locator('[data-testid=arrow].selected');
      await selected.waitFor({ timeout: 5_000 });
      expect(await selected.getAttribute('data-command')).toBe(command);
      // The async pendings and final response each select their own arrow.
      if (i === 4) expect(await selected.getAttribute('data-status')).toBe('0xFF00');
      if (i === 5) expect(await selected.getAttribute('data-status')).toBe('0x0000');
      if (i === 4) await browser.screenshot('scenario-narration');
    }
    expect(await next.isDisabled()).toBe(true);
    await panel.locator('[data-action=narration-back]').click();
    await panel.locator('[data-testid=narration-current]', { hasText: 'Step 6 of 7' }).waitFor({ timeout: 5_000 });

    // Presentation mode for a projector: the diagram alone, the step as a caption, n / N to move.
    const caption = page.locator('[data-testid=narration-caption]');
    expect(await caption.textContent()).toMatch(/6\/7.*final Success/);
    await page.locator('[data-testid=diagram]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await page.locator('aside').waitFor({ state: 'hidden', timeout: 5_000 });
    expect(await page.locator('[data-testid=toggle-present]').isChecked()).toBe(true);
    await page.keyboard.press('n');
    await caption.filter({ hasText: '7/7' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=arrow].selected').getAttribute('data-command')).toBe('C-STORE-RQ');
    await browser.screenshot('scenario-present');
    await page.keyboard.press('Shift+N');
    await caption.filter({ hasText: '6/7' }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('p');
    await page.locator('aside').waitFor({ state: 'visible', timeout: 5_000 });

    // Asynchronous: ASYNCPACS's pendings and final response are drawn above every C-STORE it sends.
    const drawn = (await arrows(page)).sort((x, y) => x.y - y.y);
    const asyncMove = drawn.filter((a) => a.command === 'C-MOVE-RQ')[1];
    const asyncRsps = drawn.filter((a) => a.command === 'C-MOVE-RSP' && a.association === asyncMove.association);
    expect(asyncRsps.map((a) => a.status)).toEqual(['0xFF00', '0xFF00', '0xFF00', '0x0000']);
    const asyncStores = drawn.filter((a) => a.command === 'C-STORE-RQ' && a.y > asyncMove.y);
    expect(asyncStores).toHaveLength(4);
    expect(asyncRsps.at(-1)!.y).toBeLessThan(Math.min(...asyncStores.map((a) => a.y)));
  });

  it('a misconfiguration scenario shows its reject', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=scenarios]');
    await runScenario('wrong-called-ae', '1 of 1');
    await page.locator('[data-testid=association][data-outcome=rejected]').waitFor({ timeout: 5_000 });
    await panel.locator('[data-action=narration-next]').click();
    expect(await panel.locator('[data-testid=narration-current]').textContent()).toMatch(/called AE title not recognised/);
  });

  it('a misconfiguration scenario yields a finding; clicking it marks the evidence arrows', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=scenarios]');
    await runScenario('unknown-destination', '2 of 2');
    const finding = page.locator('[data-testid=finding][data-rule="move.destination-unknown"]');
    await finding.waitFor({ timeout: 10_000 });
    // Found by the diagnosis worker (live), which knows the scenario's associations as pacscope's own probing.
    expect(page.workers().map((w) => w.url())).toEqual([expect.stringMatching(/\/assets\/diagnosis\.worker-[\w-]+\.js$/)]);
    expect(await finding.getAttribute('data-origin')).toBe('scenario');
    await finding.locator('button.title').click();
    expect(await finding.textContent()).toMatch(/NOWHERE/);
    expect(await finding.textContent()).toMatch(/fix:/);
    const marked = await page.$$eval('[data-testid=arrow].evidence', (els) => els.map((e) => [e.getAttribute('data-command'), e.getAttribute('data-status')]));
    expect(marked).toEqual(expect.arrayContaining([['C-MOVE-RSP', '0xA801']]));
    expect(await page.locator('[data-testid=arrow].selected').getAttribute('data-command')).toMatch(/C-MOVE-R/);
    await browser.screenshot('finding-evidence');
    // The narration advances step by step on the same run.
    await panel.locator('[data-action=narration-next]').click();
    await panel.locator('[data-testid=narration-current]', { hasText: 'Step 1 of 2' }).waitFor({ timeout: 5_000 });
    await panel.locator('[data-action=narration-next]').click();
    await panel.locator('[data-testid=narration-current]', { hasText: 'Step 2 of 2' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=arrow].selected').getAttribute('data-status')).toBe('0xA801');
  });

  it('the same misconfiguration run again is one finding seen twice; each occurrence can be shown', async () => {
    const page = browser.page;
    await runScenario('unknown-destination', '2 of 2');
    const finding = page.locator('[data-testid=finding][data-rule="move.destination-unknown"]');
    await page.locator('[data-testid=finding][data-rule="move.destination-unknown"][data-repeats="2"]').waitFor({ timeout: 10_000 });
    expect(await finding.count()).toBe(1);
    expect(await finding.locator('[data-testid=finding-repeats]').textContent()).toBe('×2');
    if (!(await finding.getAttribute('class'))?.includes('active')) await finding.locator('button.title').click();
    const occurrences = finding.locator('[data-testid=finding-occurrence]');
    expect(await occurrences.count()).toBe(2);
    // Every occurrence's evidence is marked: both runs' failed C-MOVE-RSPs.
    const marked = await page.$$eval('[data-testid=arrow].evidence[data-status="0xA801"]', (els) => els.length);
    expect(marked).toBe(2);
    // The second occurrence: the second run's C-MOVE is selected, and in view.
    await occurrences.nth(1).click();
    const selected = page.locator('[data-testid=arrow].selected');
    expect(await selected.getAttribute('data-command')).toMatch(/C-MOVE-R/);
    const association = await selected.getAttribute('data-association');
    expect((await occurrences.nth(1).textContent()) ?? '').toContain(association ?? 'no association');
    const [box, view] = await Promise.all([selected.boundingBox(), page.locator('[data-testid=diagram]').locator('xpath=ancestor::*[contains(@class,"scroller")][1]').boundingBox()]);
    expect(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height).toBe(true);
  });
});
