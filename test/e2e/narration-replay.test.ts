/**
 * Teaching polish in the browser (issue 13 §5), against a real `pacscope
 * serve` recording its session: the sync-vs-async scenario run from the UI
 * keeps its narration across a reload of the page; the recording of that
 * session, opened from the sessions panel, lists the run, steps through it,
 * and a replay from the start at 16× moves the caption as each step's arrow
 * appears; a 5.5 s wait between two C-ECHOs plays in a fraction of that at
 * 1× with a break mark on the timeline; start/end jumps; both compare panes
 * titled and scrolling sideways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationState } from '../../shared/events/live-api.ts';
import { scenarioInfo } from '../../shared/scenarios/catalogue.ts';
import { type Browser, openProduct, REPO_ROOT, type RunningServe, SCREENSHOTS } from './harness.ts';

let serve: RunningServe;
let browser: Browser;
/** The live recording of this serve run, in its sessions folder. */
let recordingName: string;
/** data-index of the arrow each narration step points at, in the opened recording. */
let stepArrows: number[];

const WAIT_S = 5.5;
/** The scenario's steps, as this checkout's catalogue has them. */
const STEPS = scenarioInfo('sync-vs-async')!.steps;
const N = STEPS.length;
const COMMANDS = STEPS.map((s) => ('message' in s.match ? s.match.message.command : null));

beforeAll(async () => {
  ({ serve, browser } = await openProduct());
  [recordingName] = await readdir(join(serve.dataDir, 'sessions'));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

/** A C-ECHO through the operations API, as a script beside the page would run it; resolves once it is done. */
async function echo(): Promise<void> {
  const r = await fetch(`${serve.url}api/operations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ op: 'echo', host: '127.0.0.1', port: serve.pacsPort, callingAeTitle: 'WEBUI', calledAeTitle: serve.pacsAe }),
  });
  const { id } = (await r.json()) as { id: string };
  for (;;) {
    const state = (await (await fetch(`${serve.url}api/operations/${id}`)).json()) as OperationState;
    if (state.state === 'done') return void expect(state.result?.outcome).toBe('success');
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function position(): Promise<{ t: number; shown: number; total: number }> {
  const text = (await browser.page.locator('[data-testid=replay-position]').textContent()) ?? '';
  const m = /([\d.]+) s \/ [\d.]+ s · (\d+) of (\d+) messages/.exec(text);
  if (!m) throw new Error(`no position in "${text}"`);
  return { t: Number(m[1]), shown: Number(m[2]), total: Number(m[3]) };
}

describe('narration saved with the session, replayed with captions', () => {
  it('runs sync-vs-async from the UI; after a reload of the page its narration is still there', async () => {
    const page = browser.page;
    const panel = page.locator('[data-testid=scenarios]');
    await panel.locator('select[name=scenario]').selectOption('sync-vs-async');
    // Sub-operations 400 ms apart: at 16× each step still gets a frame or more of its own.
    await panel.locator('input[name=delay]').fill('400');
    await panel.locator('[data-action=run-scenario]').click();
    await panel.locator('[data-testid=scenario-status]', { hasText: `done · ${N} of ${N} steps seen` }).waitFor({ timeout: 30_000 });

    await page.reload();
    await page.locator('[data-testid=diagram]').waitFor({ timeout: 15_000 });
    await page.locator('.connection', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    await panel.locator('[data-testid=scenario-status]', { hasText: `Synchronous vs asynchronous C-MOVE: done · ${N} of ${N} steps seen` }).waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-testid=scenario-run]').count()).toBe(1);
    expect(await panel.locator('[data-testid=narration-step]').count()).toBe(N);
    await panel.locator('[data-action=narration-next]').click();
    await page.locator('[data-testid=narration-caption]', { hasText: `1/${N}` }).waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=arrow].selected').getAttribute('data-command')).toBe('C-MOVE-RQ');

    // The picker shows the whole title, the longest one too (it wraps); each step's number sits beside its first line.
    const picked = panel.locator('[data-testid=scenario-picked]');
    expect(await picked.textContent()).toBe('Synchronous vs asynchronous C-MOVE');
    await panel.locator('select[name=scenario]').selectOption('get-without-role');
    expect(await picked.textContent()).toBe(scenarioInfo('get-without-role')!.title);
    const box = await picked.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth, height: e.clientHeight }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect((await panel.locator('select[name=scenario]').boundingBox())!.height).toBeGreaterThanOrEqual(box.height);
    await panel.screenshot({ path: join(SCREENSHOTS, 'scenario-picker-long.png') });
    await panel.locator('select[name=scenario]').selectOption('sync-vs-async');
    const rows = await panel.locator('[data-testid=narration-step]').evaluateAll((items) =>
      items.map((li) => {
        const n = li.querySelector('.number')!.getBoundingClientRect();
        const text = li.querySelector('button')!.getBoundingClientRect();
        return { numberTop: n.top, textTop: text.top, textHeight: text.height, numberHeight: n.height };
      }),
    );
    for (const r of rows) expect(Math.abs(r.numberTop - r.textTop)).toBeLessThan(3);
    expect(rows.some((r) => r.textHeight > 2 * r.numberHeight)).toBe(true); // some steps do wrap
    await browser.screenshot('narration-after-reload');
  });

  it('two C-ECHOs 5.5 s apart go into the same recording', async () => {
    await echo();
    await new Promise((r) => setTimeout(r, WAIT_S * 1000));
    await echo();
    await browser.page.locator('[data-testid=arrow][data-command=C-ECHO-RSP]').nth(1).waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 300)); // the release after the response
  });

  it('the recording opened from the sessions panel lists the run and steps through it', async () => {
    const page = browser.page;
    const sessions = page.locator('[data-testid=sessions]');
    await sessions.locator('[data-action=refresh-sessions]').click();
    await sessions.locator('[data-testid=session]', { hasText: recordingName }).locator('[data-action=open-session]').click();
    await page.locator('[data-testid=source]', { hasText: recordingName }).waitFor({ timeout: 15_000 });

    const panel = page.locator('[data-testid=scenarios]');
    await panel.locator('[data-testid=scenario-status]', { hasText: `Synchronous vs asynchronous C-MOVE: recorded · ${N} of ${N} steps seen` }).waitFor({ timeout: 10_000 });
    expect(await panel.locator('.runs-title').textContent()).toBe('Runs recorded in this session');
    const run = panel.locator('[data-testid=scenario-run]');
    expect(await run.count()).toBe(1);
    expect(await run.getAttribute('data-scenario')).toBe('sync-vs-async');
    expect(await run.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid=narration-caption]').count()).toBe(0);

    // Next/Previous work on the opened session: each step selects its arrow.
    expect(COMMANDS).toContain('C-STORE-RQ');
    stepArrows = [];
    for (const [i, command] of COMMANDS.entries()) {
      await panel.locator('[data-action=narration-next]').click();
      await panel.locator('[data-testid=narration-current]', { hasText: `Step ${i + 1} of ${N}` }).waitFor({ timeout: 5_000 });
      const selected = page.locator('[data-testid=arrow].selected');
      expect(await selected.getAttribute('data-command')).toBe(command);
      stepArrows.push(Number(await selected.getAttribute('data-index')));
    }
    await panel.locator('[data-action=narration-back]').click();
    await page.locator('[data-testid=narration-caption]', { hasText: `${N - 1}/${N}` }).waitFor({ timeout: 5_000 });
    expect(Number(await page.locator('[data-testid=arrow].selected').getAttribute('data-index'))).toBe(stepArrows[N - 2]);
  });

  it('replayed from the start at 16×, the caption shows each step as its arrow appears', async () => {
    const page = browser.page;
    const replay = page.locator('[data-testid=replay]');
    expect(await replay.locator('input[name=shorten-gaps]').isChecked()).toBe(true);
    await replay.locator('select[name=speed]').selectOption('16');
    await replay.locator('[data-testid=replay-start]').click();
    expect((await position()).shown).toBe(0);
    // Before the first step's arrow: no caption.
    await page.locator('[data-testid=narration-caption]').waitFor({ state: 'detached', timeout: 5_000 });

    // Every frame, the caption's step and the arrows drawn then.
    await page.evaluate(() => {
      const seen: { step: string; drawn: number[] }[] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      const sample = () => {
        const caption = document.querySelector('[data-testid=narration-caption] strong')?.textContent ?? '';
        if (caption !== (seen.at(-1)?.step ?? '')) {
          seen.push({ step: caption, drawn: Array.from(document.querySelectorAll('[data-testid=arrow]'), (e) => Number(e.getAttribute('data-index'))) });
        }
        if (seen.length < 50) requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    });
    await replay.locator('[data-action=play]').click();
    await replay.locator('[data-action=play]').waitFor({ timeout: 30_000 });
    const seen = (await page.evaluate(() => (window as unknown as { seen: { step: string; drawn: number[] }[] }).seen)).filter((s) => s.step !== '');
    const numbers = seen.map((s) => Number(s.step.split('/')[0]));
    // In order, ending on the last step; at 16× one frame (~0.27 s of the session) may pass several steps at once.
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.at(-1)).toBe(N);
    expect(new Set(numbers).size).toBeGreaterThanOrEqual(2);
    // Each caption came with its step's arrow drawn, and not before.
    for (const s of seen) {
      const n = Number(s.step.split('/')[0]);
      expect(s.drawn).toContain(stepArrows[n - 1]);
      if (n < N) expect(s.drawn).not.toContain(stepArrows[n]);
    }
    const { total, shown } = await position();
    expect(shown).toBe(total);
    expect(await page.locator('[data-testid=narration-caption]').textContent()).toContain(`${N}/${N} ${STEPS[N - 1].text}`);
    // Mid-way, as a class walks through it: from the start, Next step moves the replay on to each step's arrow.
    await replay.locator('[data-testid=replay-start]').click();
    const next = page.locator('[data-testid=scenarios] [data-action=narration-next]');
    for (let i = 1; i <= 3; i++) {
      await next.click();
      await page.locator('[data-testid=narration-caption]', { hasText: `${i}/${N}` }).waitFor({ timeout: 5_000 });
      expect(Number(await page.locator('[data-testid=arrow].selected').getAttribute('data-index'))).toBe(stepArrows[i - 1]);
    }
    expect((await position()).shown).toBeLessThan(total);
    expect(await page.locator(`[data-testid=arrow][data-index="${stepArrows[3]}"]`).count()).toBe(0);
    await browser.screenshot('replay-caption');
  });

  it('a 5.5 s wait between two C-ECHOs plays at 1× in much less, marked as a break on the timeline', async () => {
    const page = browser.page;
    const replay = page.locator('[data-testid=replay]');
    const gaps = replay.locator('[data-testid=replay-gap]');
    expect(await gaps.count()).toBeGreaterThanOrEqual(1);
    const labels = await gaps.allTextContents();
    expect(labels.some((l) => /^⋯ 5\.\d s$/.test(l.trim()))).toBe(true);
    const box = await gaps.last().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(10);

    // The echoes' associations, from their marks on the timeline (the last two association starts).
    const marks = await replay.locator('.mark.association').evaluateAll((els) => els.map((e) => ({ title: e.getAttribute('title') ?? '', height: e.getBoundingClientRect().height })));
    for (const m of marks) expect(m.height).toBeGreaterThanOrEqual(10);
    const echoes = marks.filter((m) => m.title.includes('WEBUI'));
    expect(echoes).toHaveLength(2);
    const [t1, t2] = echoes.map((m) => Number(/at ([\d.]+) s/.exec(m.title)![1]));
    expect(t2 - t1).toBeGreaterThan(WAIT_S);

    await replay.locator('select[name=speed]').selectOption('1');
    await replay.locator('.mark.association').nth(marks.indexOf(echoes[0])).click();
    expect((await position()).t).toBeCloseTo(t1, 2);
    expect(await page.locator('[data-testid=arrow][data-command=C-ECHO-RQ]').count()).toBe(0);
    const started = Date.now();
    await replay.locator('[data-action=play]').click();
    await page.locator('[data-testid=arrow][data-command=C-ECHO-RQ]').nth(1).waitFor({ timeout: WAIT_S * 1000 });
    const crossed = (Date.now() - started) / 1000;
    expect(crossed).toBeLessThan(2);
    expect(crossed).toBeLessThan((t2 - t1) / 3);
    await replay.locator('[data-action=play]').waitFor({ timeout: 10_000 });
    await browser.screenshot('replay-gap-break');
    await replay.screenshot({ path: join(SCREENSHOTS, 'replay-timeline.png') });

    // Without shortening: the same stretch takes its real length on the timeline's clock.
    await replay.locator('input[name=shorten-gaps]').uncheck();
    expect(await gaps.count()).toBe(0);
    const max = Number(await replay.locator('input[name=timeline]').getAttribute('max'));
    expect(max).toBeGreaterThan(t2);
    await replay.locator('input[name=shorten-gaps]').check();
    expect(Number(await replay.locator('input[name=timeline]').getAttribute('max'))).toBeLessThan(max - WAIT_S + 1);
  });

  it('jumps to the start and to the end', async () => {
    const page = browser.page;
    const replay = page.locator('[data-testid=replay]');
    await replay.locator('[data-testid=replay-start]').click();
    const start = await position();
    expect(start.t).toBe(0);
    expect(start.shown).toBe(0);
    expect(await page.locator('[data-testid=arrow]').count()).toBe(0);
    await replay.locator('[data-testid=replay-end]').click();
    const end = await position();
    expect(end.shown).toBe(end.total);
    expect(await page.locator('[data-testid=arrow]').count()).toBe(end.total);
    await page.locator('[data-testid=narration-caption]', { hasText: `${N}/${N}` }).waitFor({ timeout: 5_000 });
  });

  it('compare mode: both panes titled, each scrolls sideways instead of clipping a lifeline', async () => {
    const page = browser.page;
    await copyFile(join(REPO_ROOT, 'test/fixtures/pcap/dcmtk-echo.pcapng'), join(serve.dataDir, 'sessions', 'echo.pcapng'));
    const sessions = page.locator('[data-testid=sessions]');
    await sessions.locator('[data-action=refresh-sessions]').click();
    await sessions.locator('[data-testid=session]', { hasText: 'echo.pcapng' }).locator('[data-action=open-session]').click();
    await page.locator('[data-testid=source]', { hasText: 'echo.pcapng' }).waitFor({ timeout: 10_000 });
    await page.locator(`[data-testid=tab][data-tab="s:${recordingName}"] button.title`).click();
    await page.locator('[data-testid=source]', { hasText: recordingName }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=tabs] select[name=compare]').selectOption('s:echo.pcapng');
    await page.locator('[data-testid=compare-pane] [data-testid=arrow]').first().waitFor({ timeout: 10_000 });

    expect(await page.locator('[data-testid=compare-title-left]').textContent()).toBe(recordingName);
    expect(await page.locator('[data-testid=compare-title-right]').textContent()).toBe('echo.pcapng');
    for (const id of ['compare-title-left', 'compare-title-right']) expect((await page.locator(`[data-testid=${id}]`).boundingBox())!.height).toBeGreaterThan(15);

    // The left pane (several lifelines, half the width) scrolls sideways to its last lifeline.
    const left = page.locator('.diagram-box > .diagram-wrap .scroller');
    const sizes = await left.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    await left.evaluate((e) => (e.scrollLeft = e.scrollWidth));
    const pane = await left.boundingBox();
    const last = page.locator('.diagram-box > .diagram-wrap [data-testid=lifeline]').last().locator('rect');
    const head = await last.boundingBox();
    expect(head!.x + head!.width).toBeLessThanOrEqual(pane!.x + pane!.width + 1);
    expect(head!.x).toBeGreaterThanOrEqual(pane!.x - 1);
    await browser.screenshot('compare-titled');
  });
});
