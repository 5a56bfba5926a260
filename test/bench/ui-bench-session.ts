/**
 * The UI benchmark's building blocks: the C-MOVE session's recording, the
 * bench server that holds it, page loads timed to the last arrow in view, and
 * frame times under real wheel input (see ui-bench.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RecordingWriter } from '../../server/recording/writer.ts';
import { VERSION } from '../../server/version.ts';
import { RunningProcess } from '../interop/harness/process.ts';
import { REPO_ROOT, type Browser } from '../e2e/harness.ts';
import { cmoveWireEvents, type CMoveSessionOptions } from './cmove-session.ts';
import { deltas, READ_TIMES, SCROLLER_BOX, START_FRAMES, STOP_FRAMES, type PageTimes } from './ui-bench-page.ts';

export const BENCH_DIR = join(REPO_ROOT, '.tmp', 'bench');
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The session's recording in .tmp/bench/, generated unless an identical one is there. */
export async function generate(session: CMoveSessionOptions): Promise<string> {
  const recording = join(BENCH_DIR, `cmove-${session.instances}.pacscope`);
  mkdirSync(BENCH_DIR, { recursive: true });
  const stampFile = `${recording}.stamp`;
  const stamp = JSON.stringify({ ...session, generator: 1 });
  if (existsSync(recording) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return recording;
  process.stdout.write(`generating a C-MOVE of ${session.instances} instances in ${recording} …\n`);
  const part = `${recording}.part`;
  const rec = await RecordingWriter.open(part, { tool: { name: 'pacscope', version: VERSION }, startTime: session.startTime, source: { kind: 'bench', description: 'synthetic C-MOVE with its C-STORE sub-association' }, metadata: {} }, { overwrite: true });
  let n = 0;
  for (const event of cmoveWireEvents(session)) {
    rec.write(event);
    if (++n % 1024 === 0) await rec.flush();
  }
  await rec.close();
  renameSync(part, recording);
  writeFileSync(stampFile, stamp);
  return recording;
}

export interface BenchServer {
  url: string;
  echoPort: number;
  echoAe: string;
  messages: number;
  loadSeconds: number;
  snapshotBytes: number;
  snapshotJsonMs: number;
  /** The first snapshot's cost, when the server keeps the messages' text between snapshots (absent: every one costs the same). */
  snapshotFirstMs?: number;
  /** JSON bytes of the snapshot's messages and PDUs, and of the PDUs when asked for (a server that sends them on request). */
  share: { messages: number; pdus: number; pdusOnRequest?: number };
  stop(): Promise<void>;
}

/** test/bench/ui-bench-server.ts (of the checkout at `root`) with `recording` loaded, serving `webRoot`. */
export async function startBenchServer(recording: string, webRoot: string, root = REPO_ROOT): Promise<BenchServer> {
  const data = await mkdtemp(join(tmpdir(), 'pacscope-ui-bench-'));
  const proc = new RunningProcess(process.execPath, ['--import', 'tsx', join(root, 'test', 'bench', 'ui-bench-server.ts'), recording, webRoot, data], { cwd: root });
  const stop = async () => {
    await proc.stop('SIGTERM');
    await rm(data, { recursive: true, force: true });
  };
  try {
    await proc.waitFor(/\{"url".*\n/, 120_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const line = proc.output.split('\n').find((l) => l.startsWith('{"url"'))!;
  return { ...(JSON.parse(line) as Omit<BenchServer, 'stop'>), stop };
}

export interface FirstRender {
  ms: number;
  wsCreated: number;
  snapshotArrived: number;
  snapshotBytes: number;
  /** The live end's preview, when one came before the snapshot. */
  preview: { at: number; bytes: number } | null;
  /** After the task that drew the whole snapshot (null: not known). */
  wholeDrawn: number | null;
}

/** Opens the page in a new tab; resolves when arrow `lastIndex` is in view. The tab stays open. */
async function firstRender(browser: Browser, url: string, lastIndex: number): Promise<{ page: Page; render: FirstRender }> {
  const page = await browser.context.newPage();
  await page.goto(url);
  // Polled from here: the page's Content-Security-Policy forbids the string evaluation of waitForFunction.
  const deadline = Date.now() + 60_000;
  while (!(await page.evaluate(`window.__bench.shown['${lastIndex}'] !== undefined`))) {
    if (Date.now() > deadline) throw new Error(`arrow ${lastIndex} did not come into view within 60 s at ${url}`);
    await sleep(50);
  }
  // The last arrow drawn from the live end's preview: the snapshot is still to come. Waited for (it does not change
  // the figure), so that the times of the whole are known and the next load does not share the machine with it.
  let t = (await page.evaluate(READ_TIMES)) as PageTimes;
  while (t.preview && t.wholeDrawn === null) {
    if (Date.now() > deadline) throw new Error(`the snapshot after the preview was not drawn within 60 s at ${url}`);
    await sleep(50);
    t = (await page.evaluate(READ_TIMES)) as PageTimes;
  }
  return { page, render: { ms: t.shown[String(lastIndex)], wsCreated: t.ws.created ?? NaN, snapshotArrived: t.ws.first ?? NaN, snapshotBytes: t.ws.bytes, preview: t.preview ?? null, wholeDrawn: t.wholeDrawn ?? null } };
}

/** `runs` page loads, each in a new tab (the previous one closed); the last tab stays open. */
export async function renders(browser: Browser, url: string, lastIndex: number, runs: number): Promise<{ page: Page; all: FirstRender[] }> {
  const all: FirstRender[] = [];
  let page: Page | null = null;
  for (let i = 0; i < runs; i++) {
    await page?.close();
    const r = await firstRender(browser, url, lastIndex);
    page = r.page;
    all.push(r.render);
  }
  return { page: page!, all };
}

export interface Frames {
  intervals: number[];
  work: number[];
}

/** Frame intervals and rendering work while `drive` runs. */
export async function collectFrames(page: Page, drive: () => Promise<void>): Promise<Frames> {
  await page.evaluate(START_FRAMES);
  await drive();
  const r = (await page.evaluate(STOP_FRAMES)) as { frames: number[]; work: number[] };
  return { intervals: deltas(r.frames), work: r.work };
}

/**
 * ~driveMs of real input over the diagram, mouse wheel events sent through
 * the DevTools protocol at ~60 per second like a trackpad's (not waiting for
 * each to be handled): first wheel scrolling up and down, then ctrl+wheel
 * zooming out (to ~20 %) and back in, interleaved with scrolling.
 */
export async function zoomAndScroll(page: Page, driveMs: number): Promise<{ wheels: number; scaleSeen: string[] }> {
  const box = (await page.evaluate(SCROLLER_BOX)) as { x: number; y: number; width: number; height: number };
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const cdp = await page.context().newCDPSession(page);
  const sent: Promise<unknown>[] = [];
  const wheel = (deltaY: number, ctrl: boolean) =>
    sent.push(cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x, y, deltaX: 0, deltaY, modifiers: ctrl ? 2 : 0 }));
  const scale = page.locator('.diagram-tools button').nth(2);
  const scaleSeen: string[] = [];
  const start = performance.now();
  for (let i = 0; performance.now() - start < driveMs; i++) {
    if (performance.now() - start < driveMs / 2) wheel(i % 40 < 30 ? -200 : 200, false);
    else if (i % 2 === 0) wheel(i % 48 < 24 ? 10 : -10, true);
    else wheel(i % 4 === 1 ? -150 : 100, false);
    if (i % 30 === 0) scaleSeen.push((await scale.textContent({ timeout: 500 }).catch(() => null)) ?? '?');
    await sleep(16);
  }
  await Promise.all(sent);
  await cdp.detach();
  return { wheels: sent.length, scaleSeen: [...new Set(scaleSeen)] };
}
