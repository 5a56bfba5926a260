/**
 * Storage commitment in the browser: the "report on a new association"
 * scenario run from the UI draws the N-ACTION with its instances and
 * Transaction UID, and the report association nested under the N-ACTION's
 * association (its `cause`), below the N-ACTION-RQ, with the report's label;
 * a rejected report association is drawn under its N-ACTION too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { arrows, associations, until } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function runScenario(name: string, steps: number): Promise<void> {
  const panel = browser.page.locator('[data-testid=scenarios]');
  await panel.locator('select[name=scenario]').selectOption(name);
  await panel.locator('[data-action=run-scenario]').click();
  await panel.locator('[data-testid=scenario-status]', { hasText: `done · ${steps} of ${steps} steps seen` }).waitFor({ timeout: 20_000 });
}

describe('storage commitment in the diagram', () => {
  it('the report association is drawn under the N-ACTION that caused it, with the facts in the labels', async () => {
    const page = browser.page;
    await runScenario('commit-new-association', 6);
    const drawn = await until(() => arrows(page), (a) => a.some((x) => x.command === 'N-EVENT-REPORT-RSP'), 'the report arrows');
    const action = drawn.find((a) => a.command === 'N-ACTION-RQ')!;
    const report = drawn.find((a) => a.command === 'N-EVENT-REPORT-RQ')!;
    expect(action.text).toMatch(/N-ACTION-RQ #1 commit 2 · txn 2\.25\./);
    expect(report.text).toMatch(/N-EVENT-REPORT-RQ #1 all 2 committed · txn 2\.25\./);
    const bars = await associations(page);
    const child = bars.find((b) => b.id === report.association)!;
    expect(child.parent).toBe(action.association);
    // Geometry: the report association starts below the N-ACTION-RQ, and its arrows are below it too.
    expect(child.top).toBeGreaterThan(action.y);
    expect(report.y).toBeGreaterThan(action.y);
    await page.locator(`[data-testid=sub-link][data-child=${report.association}]`).waitFor({ timeout: 5_000 });
    await browser.screenshot('storage-commitment-new-association');
  });

  it('a rejected report association is nested under its N-ACTION as well', async () => {
    const page = browser.page;
    await runScenario('commit-report-rejected', 4);
    const bars = await until(() => associations(page), (b) => b.some((x) => x.outcome === 'rejected'), 'the rejected association');
    const rejected = bars.find((b) => b.outcome === 'rejected')!;
    const actions = (await arrows(page)).filter((a) => a.command === 'N-ACTION-RQ');
    expect(rejected.parent).toBe(actions.at(-1)!.association);
    expect(rejected.top).toBeGreaterThan(actions.at(-1)!.y);
    await browser.screenshot('storage-commitment-rejected');
  });
});
