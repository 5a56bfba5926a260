/**
 * Issue 14 §5: a valid recording of 200,000 short C-ECHO associations
 * (≈208 MB) opened in the browser with `pacscope open`, whose heap is capped
 * at 192 MB as a server's would be by what the machine has: the server
 * indexes it and serves it in pages of at most SESSION_PAGE_BUDGET, the page
 * shows the first page and says where it stands, the next page comes on a
 * click with its details in the inspector, and the server's peak resident
 * memory (VmHWM) stays bounded. Before, the server built the whole model and
 * one JSON string of it (≈5 GB of heap for such a file) and died.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningProcess } from '../interop/harness/process.ts';
import { BIN, ensureWebBuilt, openBrowser, REPO_ROOT, type Browser } from './harness.ts';
import { arrows } from './ui-helpers.ts';
import { writeManyEchoesRecording } from '../unit/capture/big-files.ts';
import type { SessionSummary } from '../../shared/events/live-api.ts';

const CONNECTIONS = 200_000;
const HEAP_MB = 192;

let dir: string;
let proc: RunningProcess;
let browser: Browser;
let url: string;
let base: string;

/** The server's peak resident memory so far, MB (Linux /proc). */
async function peakRssMb(): Promise<number> {
  const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

beforeAll(async () => {
  ensureWebBuilt();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-big-'));
  const size = await writeManyEchoesRecording(join(dir, 'echoes.pacscope'), CONNECTIONS);
  expect(size).toBeGreaterThan(200e6);
  proc = new RunningProcess(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, 'open', join(dir, 'echoes.pacscope')], { cwd: REPO_ROOT });
  await proc.waitFor(/sessions folder: .*\n/, 30_000);
  url = /on (http:\/\/\S+)/.exec(proc.output)?.[1] ?? '';
  base = `${new URL(url).origin}/api/sessions/echoes.pacscope`;
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await proc?.stop('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('a recording of 200,000 associations', () => {
  it('opens in the page: the first page drawn, and where it stands in the session', async () => {
    const page = browser.page;
    await page.goto(url);
    const position = page.locator('[data-testid=page-position]');
    await position.waitFor({ timeout: 90_000 });
    expect((await position.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Page 1 of 200: associations a1–a1000 of 200,000 · 2,000 of 400,000 messages');
    await page.locator('[data-testid=arrow]').first().waitFor({ timeout: 15_000 });
    // Only the arrows in view are in the DOM (2,000 messages): they are the first page's.
    const drawn = await arrows(page);
    expect(drawn.length).toBeGreaterThan(0);
    for (const a of drawn) {
      expect(a.command).toMatch(/^C-ECHO-R(Q|SP)$/);
      expect(Number(a.association.slice(1))).toBeLessThanOrEqual(1000);
    }
    expect(await page.locator('[data-action=page-prev]').isDisabled()).toBe(true);
    expect(proc.hasExited).toBe(false);
  }, 120_000);

  it('goes to the next page on a click, with that page’s message details in the inspector', async () => {
    const page = browser.page;
    await page.locator('[data-action=page-next]').click();
    const position = page.locator('[data-testid=page-position]');
    await position.filter({ hasText: 'Page 2 of 200' }).waitFor({ timeout: 30_000 });
    expect(await position.textContent()).toContain('associations a1001–a2000 of 200,000');
    await page.locator('[data-testid=arrow][data-association=a1001], [data-testid=arrow][data-association=a2000]').first().waitFor({ timeout: 15_000 });
    const drawn = await arrows(page);
    for (const a of drawn) expect(Number(a.association.slice(1))).toBeGreaterThan(1000);
    await page.locator('[data-testid=arrow]').first().click();
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.locator('tr[data-keyword=CommandField]').waitFor({ timeout: 15_000 });
    expect(await inspector.textContent()).toContain('C-ECHO');
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('serves the last page and its details over HTTP, each page within the budget, with bounded server memory', async () => {
    const first = (await (await fetch(base)).json()) as SessionSummary;
    expect(first.page).toEqual({ index: 0, count: 200, firstAssociation: 'a1', lastAssociation: 'a1000', partial: false, totals: { associations: 200_000, messages: 400_000, pdus: 1_200_000, errors: 0 } });
    const last = (await (await fetch(`${base}/pages/199`)).json()) as SessionSummary;
    expect(last.page).toMatchObject({ index: 199, firstAssociation: 'a199001', lastAssociation: 'a200000' });
    expect([last.associations.length, last.messages.length, last.pdus.length]).toEqual([1000, 2000, 6000]);
    expect(last.associations.every((a) => a.outcome === 'released')).toBe(true);
    const detail = (await (await fetch(`${base}/pages/199/messages/1`)).json()) as { command: string };
    expect(detail.command).toBe('C-ECHO-RSP');
    const bytes = (await (await fetch(`${base}/pages/199/pdus/0/bytes`)).json()) as { hex: string };
    expect(bytes.hex.slice(0, 2)).toBe('01'); // A-ASSOCIATE-RQ of a199001
    expect((await fetch(`${base}/pages/200`)).status).toBe(404);
    expect(proc.hasExited).toBe(false);
    const peak = await peakRssMb();
    console.log(`pacscope open, ${CONNECTIONS} associations: peak RSS ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(450);
  }, 120_000);
});
