/**
 * A modality's day in the browser (issue 16 §3): the "modality-day"
 * scenario run from the scenarios panel — the worklist query and its items,
 * MPPS IN PROGRESS, the images, MPPS COMPLETED — drawn with the worklist
 * keys and the status transitions on the arrows, and the N-SET's link to its
 * N-CREATE in the inspector. Screenshot: test-results/e2e/worklist-mpps.png.
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

describe('worklist and MPPS in the UI', () => {
  it("draws a modality's day with worklist keys and MPPS transitions, and links the N-SET to its N-CREATE", async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=scenarios]');
    await panel.locator('select[name=scenario]').selectOption('modality-day');
    await panel.locator('input[name=delay]').fill('0');
    await panel.locator('[data-action=run-scenario]').click();
    await panel.locator('[data-testid=scenario-status]', { hasText: 'done · 9 of 9 steps seen' }).waitFor({ timeout: 20_000 });
    for (const ae of ['CT1', 'TEACHPACS']) await page.locator(`[data-testid=lifeline][data-ae=${ae}]`).waitFor({ timeout: 5_000 });
    const drawn = await arrows(page);
    const label = (command: string) => drawn.filter((a) => a.command === command).map((a) => a.text.split(' | ')[0]);
    expect(label('C-FIND-RQ')[0]).toMatch(/^C-FIND-RQ #1 worklist CT1 · \d{8}$/);
    expect(label('C-FIND-RSP').slice(0, 2)).toEqual(['Pending item ADAMS^ANNA · CT1 CT 08:00', 'Pending item NÚÑEZ^JOSÉ · CT1 CT 11:00']);
    expect(label('N-CREATE-RQ')).toEqual(['N-CREATE-RQ #1 MPPS → IN PROGRESS']);
    expect(label('N-SET-RQ')).toEqual(['N-SET-RQ #1 MPPS → COMPLETED']);

    await page.locator('[data-testid=arrow][data-command=N-SET-RQ]').click();
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.locator('h2', { hasText: 'N-SET-RQ #1 MPPS → COMPLETED' }).waitFor({ timeout: 5_000 });
    expect(await inspector.locator('[data-testid=procedure-step]').textContent()).toBe('MPPS IN PROGRESS → COMPLETED');
    expect(await inspector.locator('[data-testid=message-links]').textContent()).toMatch(/update of the procedure step created by.*N-CREATE-RQ/);
    await browser.screenshot('worklist-mpps');
    await page.locator('[data-testid=arrow][data-command=C-FIND-RQ]').click();
    await inspector.locator('[data-testid=procedure-step]', { hasText: 'worklist query ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1' }).waitFor({ timeout: 5_000 });
    await browser.screenshot('worklist-query');
    expect(browser.errors).toEqual([]);
  });
});
