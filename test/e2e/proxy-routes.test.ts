/**
 * Proxy routes from the UI (issue 5 §1): a route added in the panel while
 * the server runs relays a C-ECHO to the built-in PACS; the association is
 * drawn live once, the route counts it, and removing the route stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { freePort } from '../interop/harness/net.ts';
import { runOperation, waitForResult } from './ui-helpers.ts';

let serve: RunningServe;
let browser: Browser;

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('proxy routes in the browser', () => {
  it('adds a route, relays a C-ECHO through it drawn once, counts it and removes it', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=routes]');
    const port = await freePort();
    await panel.locator('input[name=listen]').fill(`127.0.0.1:${port}`);
    await panel.locator('input[name=upstream]').fill(`127.0.0.1:${serve.pacsPort}`);
    await panel.locator('[data-action=add-route]').click();
    const route = panel.locator(`[data-testid=route][data-listen="127.0.0.1:${port}"]`);
    await route.waitFor({ timeout: 5_000 });

    await runOperation(page, { op: 'echo', host: '127.0.0.1', port, aet: 'VIAPROXY', aec: serve.pacsAe });
    await waitForResult(page, /echo: success/);
    await page.locator('[data-testid=arrow][data-command=C-ECHO-RSP]').waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=association]').count()).toBe(1);
    await route.locator('[data-testid=route-counters]', { hasText: /^1 connections/ }).waitFor({ timeout: 6_000 });
    await browser.screenshot('proxy-route');

    await route.locator('[data-action=remove-route]').click();
    await route.waitFor({ state: 'detached', timeout: 5_000 });
    await runOperation(page, { op: 'echo', host: '127.0.0.1', port, aet: 'VIAPROXY', aec: serve.pacsAe });
    await waitForResult(page, /echo: refused/);

    // A bad route is refused with the reason.
    await panel.locator('input[name=listen]').fill('10.9.9.9:4243');
    await panel.locator('[data-action=add-route]').click();
    expect(await panel.locator('.result.failure').textContent()).toMatch(/not a loopback address/);
  });
});
