/**
 * The connectivity doctor in the browser: checking the built-in PACS passes
 * every step (the one-instance C-MOVE reaching the server's own store SCP);
 * a port where nothing listens fails at the connection with its fix; a step's
 * association chip shows that association in the diagram.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { freePort } from '../interop/harness/net.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

async function check(port: number, aec: string): Promise<void> {
  const panel = browser.page.locator('[data-testid=doctor]');
  await panel.locator('input[name=host]').fill('127.0.0.1');
  await panel.locator('input[name=port]').fill(String(port));
  await panel.locator('input[name=aec]').fill(aec);
  await panel.locator('[data-action=run-doctor]').click();
  await panel.locator('[data-testid=doctor-status]', { hasText: 'done' }).waitFor({ timeout: 60_000 });
}

describe('connectivity doctor in the browser', () => {
  it('finds the built-in PACS healthy, the retrieve reaching the store SCP', async () => {
    const panel = browser.page.locator('[data-testid=doctor]');
    await check(serve.pacsPort, serve.pacsAe);
    const steps = panel.locator('[data-testid=doctor-step]');
    const ids = await steps.evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.classList.contains('ok'), e.classList.contains('bad')]));
    expect(ids.filter(([, , bad]) => bad)).toEqual([]);
    expect(ids.map(([id]) => id)).toEqual(expect.arrayContaining(['connect', 'echo', 'contexts', 'find', 'move']));
    expect(await panel.locator('[data-testid=doctor-step][data-step=move]').getAttribute('class')).toMatch(/\bok\b/);
    // The move step's evidence, shown alone in the diagram: the C-MOVE and its sub-association.
    await panel.locator('[data-testid=doctor-step][data-step=move] .chip').first().click();
    await browser.page.locator('[data-testid=counts]', { hasText: ' of ' }).waitFor({ timeout: 5_000 });
    const commands = await browser.page.$$eval('[data-testid=arrow]', (els) => els.map((e) => e.getAttribute('data-command')));
    expect(commands).toContain('C-MOVE-RQ');
    expect(commands).toContain('C-STORE-RQ');
    await browser.screenshot('doctor-healthy');
    await browser.page.locator('[data-testid=filters] [data-action=clear-filters]').click();
  });

  it('says nothing listens, with the fix, for a closed port', async () => {
    const panel = browser.page.locator('[data-testid=doctor]');
    await check(await freePort(), 'ANY-SCP');
    const connect = panel.locator('[data-testid=doctor-step][data-step=connect]');
    expect(await connect.getAttribute('class')).toMatch(/\bbad\b/);
    expect(await connect.textContent()).toMatch(/refused|nothing listens/i);
    expect(await panel.locator('[data-testid=doctor-fixes]').textContent()).toMatch(/port/);
  });
});
