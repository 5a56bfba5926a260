/**
 * Live passive capture in the browser (issue 17): `pacscope serve --capture
 * lo` while DCMTK's echoscu and storescu talk to DCMTK's storescp — pacscope
 * not in the path, the peers unchanged. The associations and messages appear
 * in the open page as they happen, the capture panel shows the capture
 * running with its counters, and what the serve recorded decodes to the same
 * summary as a dumpcap file of the same traffic. Then packets really dropped
 * by the kernel (a 1 MiB buffer while its dumpcap is stopped with SIGSTOP) are
 * counted when the capture is stopped from the panel, and reported among the
 * findings.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { storeFiles, type StoreFiles } from '../bench/store-files.ts';
import { Capture } from '../interop/harness/capture.ts';
import { requireRealPeers, STORE_AE } from '../interop/harness/lab.ts';
import { freePort } from '../interop/harness/net.ts';
import { pacscopeSummary } from '../interop/harness/pacscope-cli.ts';
import { StoreScp } from '../interop/harness/peers.ts';
import { runTool } from '../interop/harness/process.ts';
import { alignTimes, withoutSource } from '../interop/harness/same-summary.ts';
import { type Browser, openProduct, type RunningServe } from './harness.ts';
import { arrows, lifelines, until } from './ui-helpers.ts';

let dir = '';
let scp: StoreScp;
let port = 0;
let files: FixtureInstance[] = [];
let big: StoreFiles;
let serve: RunningServe;
let browser: Browser;
let recording = '';

const dcmtk = (tool: string, args: string[]) => runTool(tool, args, { timeoutMs: 60_000 });

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-e2e-capture-'));
  files = await generateFixtures(join(dir, 'files'));
  big = await storeFiles(join(dir, 'big'), 24);
  port = await freePort();
  scp = await StoreScp.start({ port, aeTitle: STORE_AE, outDir: join(dir, 'received') });
  recording = join(dir, 'serve.pacscope');
  // A 1 MiB kernel buffer: enough for the few packets of the first test, too small to ride out a stopped server in the second.
  ({ serve, browser } = await openProduct(['--capture', 'lo', '--capture-filter', `tcp port ${port}`, '--capture-buffer', '1', '--record', recording]));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await scp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pacscope serve --capture lo', () => {
  it('draws DCMTK traffic between two other processes live, as a dumpcap file of the same traffic decodes', async () => {
    const page = browser.page;
    expect(serve.proc.output).toMatch(/capture {4}lo \(filter "tcp port \d+"\): DICOM on any port, live/);
    const panel = page.locator('[data-testid=captures]');
    const capture = panel.locator('[data-testid=capture][data-interface=lo][data-state=capturing]');
    await capture.waitFor({ timeout: 10_000 });
    // The header says a capture runs, wherever the panel is scrolled.
    await page.locator('[data-testid=capturing]', { hasText: /^● capturing lo · \d+ packets$/ }).waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=arrow]').count()).toBe(0);

    const pcapng = join(dir, 'same-traffic.pcapng');
    const reference = await Capture.start(pcapng, [port]);
    try {
      expect((await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', STORE_AE, '127.0.0.1', String(port)])).code).toBe(0);
      // Live: the C-ECHO is on screen before the next tool runs.
      await page.locator('[data-testid=arrow][data-command=C-ECHO-RSP]').waitFor({ timeout: 10_000 });
      expect((await dcmtk('storescu', ['-aet', 'STORESCU', '-aec', STORE_AE, '127.0.0.1', String(port), ...files.map((f) => f.file)])).code).toBe(0);
      await until(() => arrows(page), (list) => list.filter((a) => a.command === 'C-STORE-RSP').length === files.length, `${files.length} C-STORE-RSP arrows`);
    } finally {
      await reference.stop(300);
    }
    const drawn = await arrows(page);
    expect(drawn.map((a) => a.command)).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP', ...files.flatMap(() => ['C-STORE-RQ', 'C-STORE-RSP'])]);
    expect(drawn.every((a) => a.status === null || a.status === '0x0000')).toBe(true);
    const lanes = (await lifelines(page)).map((l) => l.ae);
    expect(lanes).toEqual(expect.arrayContaining(['ECHOSCU', 'STORESCU', STORE_AE]));
    await page.locator('[data-testid=association][data-outcome=released]').nth(1).waitFor({ timeout: 5_000 });
    await capture.locator('[data-testid=capture-counters]', { hasText: /^\d+ packets · 2 DICOM connections · .* · no gap$/ }).waitFor({ timeout: 5_000 });
    expect(await capture.locator('[data-testid=capture-drops]').textContent()).toMatch(/counted by dumpcap when it stops/);
    await browser.screenshot('live-capture');

    // What the serve recorded of the capture is what a dumpcap file of the same traffic decodes to.
    const fromServe = await pacscopeSummary(recording);
    const fromFile = await pacscopeSummary(pcapng);
    expect(fromFile.messages).toHaveLength(drawn.length);
    expect(alignTimes(withoutSource(fromFile), withoutSource(fromServe))).toEqual(withoutSource(fromFile));
  });

  it('counts the packets the kernel dropped when the capture is stopped from the panel, and lists them among the findings', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=captures]');
    // A capture the panel cannot start says why.
    await panel.locator('input[name=capture-interface]').fill('nosuch0');
    await panel.locator('[data-action=start-capture]').click();
    await panel.locator('[data-testid=capture-error]', { hasText: /there is no interface "nosuch0": capture on one of .*\blo\b/ }).waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-testid=capture]').count()).toBe(1);

    // One started from the panel feeds the same live session: a connection refused on another port is drawn.
    const dead = await freePort();
    await panel.locator('input[name=capture-interface]').fill('lo');
    await panel.locator('input[name=capture-filter]').fill(`tcp port ${dead}`);
    await panel.locator('[data-action=start-capture]').click();
    await until(() => panel.locator('[data-testid=capture][data-state=capturing]').count(), (n) => n === 2, 'two captures running');
    expect((await dcmtk('echoscu', ['-aec', 'NOBODY', '127.0.0.1', String(dead)])).code).not.toBe(0);
    await page.locator('[data-testid=association][data-outcome=refused]').waitFor({ timeout: 10_000 });

    // The first capture's dumpcap (1 MiB buffer) stops reading (SIGSTOP): the kernel's buffer fills and the kernel
    // drops. (Stopping the server no longer does: dumpcap writes files that pacscope reads behind it.)
    const dumpcapPid = Number(execFileSync('pgrep', ['-P', String(serve.proc.pid), '-f', `tcp port ${port}\\)`], { encoding: 'utf8' }).trim());
    expect(dumpcapPid).toBeGreaterThan(0);
    process.kill(dumpcapPid, 'SIGSTOP');
    let sent;
    try {
      sent = await dcmtk('storescu', ['-aec', STORE_AE, '127.0.0.1', String(port), ...big.files]);
    } finally {
      process.kill(dumpcapPid, 'SIGCONT');
    }
    expect(sent.code).toBe(0);
    const first = panel.locator('[data-testid=capture][data-id=c1]');
    await first.locator('[data-action=stop-capture]').click();
    const stopped = panel.locator('[data-testid=capture][data-id=c1][data-state=stopped]');
    await stopped.waitFor({ timeout: 15_000 });
    // c2 still runs: the header names it alone.
    await page.locator('[data-testid=capturing]', { hasText: /^● capturing lo · \d+ packets$/ }).waitFor({ timeout: 5_000 });
    const drops = (await stopped.locator('[data-testid=capture-drops]').textContent()) ?? '';
    const dropped = Number(/^(\d+) dropped, \d+ captured$/.exec(drops)?.[1]);
    expect(dropped, drops).toBeGreaterThan(0);
    const finding = page.locator('[data-testid=finding][data-rule="capture.packets-dropped"]');
    await finding.waitFor({ timeout: 10_000 });
    expect(await finding.textContent()).toContain(`The capture dropped ${dropped} packet(s) on lo`);
    await browser.screenshot('live-capture-drops');
  });
});
