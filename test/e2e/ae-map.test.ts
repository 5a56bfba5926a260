/**
 * The AE map in Chromium (issue 13 §8), on two real captures made here with
 * dumpcap on lo and dropped on the page:
 *
 * - a wrong called AE: DCMTK dcmqrscp (AETable with QRSCP only) answered by
 *   echoscu called QRSCP (released) and findscu called WRONGAE, which
 *   dcmqrscp rejects with A-ASSOCIATE-RJ 1/1/7 (PS3.8 Table 9-21);
 * - a dead move destination: Orthanc 1.10 ("SynchronousCMove": false) with
 *   DEAD in its DicomModalities at a port where nothing listens; movescu
 *   asks it to move a study to DEAD: Orthanc answers, then its connection
 *   to DEAD is refused (TCP RST).
 *
 * The map must name the right nodes (AE titles, host:ports), colour the
 * rejected and refused edges red with their reason, draw the dashed
 * move-destination edge, keep boxes and labels apart and inside the SVG,
 * and show the rejected association in the sequence diagram when its edge
 * is clicked. Screenshots at 1600×1000 in test-results/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateFixtures, STUDIES } from '../fixtures/dicom/generate.ts';
import { Capture } from '../interop/harness/capture.ts';
import { requireRealPeers } from '../interop/harness/lab.ts';
import { freePorts } from '../interop/harness/net.ts';
import { OrthancServer, requireOrthanc } from '../interop/harness/orthanc.ts';
import { DcmQrScp } from '../interop/harness/peers.ts';
import { runTool, type ToolResult } from '../interop/harness/process.ts';
import { openProduct, type Browser, type RunningServe } from './harness.ts';
import { associations, dropFile, until } from './ui-helpers.ts';

let dir = '';
let serve: RunningServe;
let browser: Browser;
let qrPort = 0;
let orthancPort = 0;
let deadPort = 0;
let rejectedPcap = '';
let deadPcap = '';
const tools: ToolResult[] = [];

/** Runs the tools one after the other under a dumpcap capture of `ports`; `settle` before the capture stops. */
async function captured(file: string, ports: number[], steps: [string, string[]][], settle: () => Promise<void> = async () => undefined): Promise<string> {
  const cap = await Capture.start(file, ports);
  try {
    for (const [cmd, args] of steps) tools.push(await runTool(cmd, args, { timeoutMs: 30_000 }));
    await settle();
  } finally {
    await cap.stop(200);
  }
  return file;
}

/** Until every job of Orthanc has ended (the asynchronous C-MOVE runs as a job after the final response). */
async function jobsDone(o: OrthancServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await o.rest<{ State: string }[]>('GET', '/jobs?expand');
    if (jobs.length > 0 && jobs.every((j) => j.State === 'Success' || j.State === 'Failure')) return;
    if (Date.now() > deadline) throw new Error(`Orthanc jobs not done: ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-ae-map-'));
  let fixtures;
  [fixtures, [qrPort, deadPort]] = await Promise.all([generateFixtures(join(dir, 'fixtures')), freePorts(2)]);

  // (a) dcmqrscp knows itself as QRSCP only: any other called AE is rejected.
  const qr = await DcmQrScp.start({ dir: join(dir, 'dcmqrscp'), port: qrPort, aeTitle: 'QRSCP', destinations: {} });
  try {
    rejectedPcap = await captured(join(dir, 'wrong-called-ae.pcapng'), [qrPort], [
      ['echoscu', ['-aet', 'SCU', '-aec', 'QRSCP', '127.0.0.1', String(qrPort)]],
      ['findscu', ['-S', '-aet', 'SCU', '-aec', 'WRONGAE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '127.0.0.1', String(qrPort)]],
    ]);
  } finally {
    await qr.stop();
  }

  // (b) Orthanc, asynchronous C-MOVE, DEAD registered where nothing listens.
  const orthanc = await OrthancServer.start({ synchronousCMove: false, modalities: { DEAD: ['DEAD', '127.0.0.1', deadPort] } });
  try {
    orthancPort = orthanc.dicomPort;
    await orthanc.upload(fixtures.map((f) => f.file));
    const move = ['-S', '-aet', 'MOVESCU', '-aec', 'ORTHANC', '-aem', 'DEAD', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${STUDIES[0].studyInstanceUid}`, '127.0.0.1', String(orthancPort)];
    deadPcap = await captured(join(dir, 'dead-destination.pcapng'), [orthancPort, deadPort], [['movescu', move]], () => jobsDone(orthanc));
  } finally {
    await orthanc.stop();
  }

  ({ serve, browser } = await openProduct());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface DrawnNode {
  id: string;
  ae: string;
  endpoint: string;
  named: string;
  text: string;
  box: Rect;
}
interface DrawnEdge {
  from: string;
  to: string;
  outcome: string;
  kind: string;
  associations: string[];
  stroke: string;
  dashed: boolean;
  text: string;
  label: Rect;
}
interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

async function readMap(page: Page): Promise<{ svg: Rect; nodes: DrawnNode[]; edges: DrawnEdge[] }> {
  return page.$eval('[data-testid=ae-map]', (svg) => {
    const rect = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    // An edge's label is drawn apart from its line (over every line), pointing back to it.
    const label = (e: Element) => svg.querySelector(`[data-testid=ae-edge-label][data-edge="${CSS.escape(e.getAttribute('data-id') ?? '')}"]`)!;
    const texts = (e: Element) => Array.from(e.querySelectorAll(':scope > text')).map((t) => t.textContent ?? '').join(' | ');
    return {
      svg: rect(svg),
      nodes: Array.from(svg.querySelectorAll('[data-testid=ae-node]')).map((n) => ({
        id: n.getAttribute('data-id') ?? '',
        ae: n.getAttribute('data-ae') ?? '',
        endpoint: n.getAttribute('data-endpoint') ?? '',
        named: n.getAttribute('data-named') ?? '',
        text: texts(n),
        box: rect(n.querySelector('rect')!),
      })),
      edges: Array.from(svg.querySelectorAll('[data-testid=ae-edge]')).map((e) => {
        const line = e.querySelector('path.line')!;
        const style = getComputedStyle(line);
        return {
          from: e.getAttribute('data-from') ?? '',
          to: e.getAttribute('data-to') ?? '',
          outcome: e.getAttribute('data-outcome') ?? '',
          kind: e.getAttribute('data-kind') ?? '',
          associations: (e.getAttribute('data-associations') ?? '').split(' '),
          stroke: style.stroke,
          dashed: style.strokeDasharray !== 'none' && style.strokeDasharray !== '',
          // The label's lines joined as one text (wrapping is the layout's business).
          text: texts(label(e)).replace(/ \| /g, ' '),
          label: rect(label(e).querySelector('rect')!),
        };
      }),
    };
  });
}

const overlap = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const inside = (a: Rect, outer: Rect) => a.left >= outer.left - 0.5 && a.top >= outer.top - 0.5 && a.right <= outer.right + 0.5 && a.bottom <= outer.bottom + 0.5;

/** No two boxes overlap, no label covers a box or another label, everything is inside the SVG. */
function expectReadable(map: Awaited<ReturnType<typeof readMap>>): void {
  const boxes = map.nodes.map((n) => ({ what: `node ${n.id}`, r: n.box }));
  const labels = map.edges.map((e) => ({ what: `label ${e.from}>${e.to}`, r: e.label }));
  const all = [...boxes, ...labels];
  for (let i = 0; i < all.length; i++) {
    expect(inside(all[i].r, map.svg), `${all[i].what} inside the svg`).toBe(true);
    for (let j = i + 1; j < all.length; j++) expect(overlap(all[i].r, all[j].r), `${all[i].what} / ${all[j].what}`).toBe(false);
  }
}

const FAILURE = 'rgb(196, 20, 43)'; // --failure
const SUCCESS = 'rgb(26, 127, 55)'; // --success

async function openInMap(name: string, file: string): Promise<Awaited<ReturnType<typeof readMap>>> {
  const page = browser.page;
  await dropFile(page, name, await readFile(file));
  await page.locator('[data-testid=source]', { hasText: name }).waitFor({ timeout: 15_000 });
  if ((await page.locator('[data-testid=view-map][aria-pressed=true]').count()) === 0) await page.locator('[data-testid=view-map]').click();
  await page.locator('[data-testid=ae-map]').waitFor({ timeout: 10_000 });
  return readMap(page);
}

describe('the AE map of real captures', () => {
  it('a wrong called AE: dcmqrscp rejects WRONGAE (1/1/7), the edge is red with the reason', async () => {
    expect(tools.map((t) => t.code).slice(0, 1), tools[0]?.output.slice(-500)).toEqual([0]);
    const map = await openInMap('wrong-called-ae.pcapng', rejectedPcap);
    const byAe = (ae: string) => map.nodes.filter((n) => n.ae === ae);
    expect(byAe('SCU').map((n) => n.endpoint)).toEqual(['127.0.0.1']);
    expect(byAe('QRSCP').map((n) => n.endpoint)).toEqual([`127.0.0.1:${qrPort}`]);
    expect(byAe('WRONGAE').map((n) => n.endpoint)).toEqual([`127.0.0.1:${qrPort}`]);
    expect(map.nodes).toHaveLength(3);
    expect(byAe('SCU')[0].text).toMatch(/SCU \| 127\.0\.0\.1 \| from :\d+ :\d+ \| SCU/);

    const rejected = map.edges.find((e) => e.outcome === 'rejected')!;
    expect(rejected, JSON.stringify(map.edges)).toMatchObject({ kind: 'association', from: 'SCU@127.0.0.1', to: 'WRONGAE@127.0.0.1', stroke: FAILURE, dashed: false });
    expect(rejected.text).toContain('1 rejected: called AE title not recognised (1/1/7)');
    const released = map.edges.find((e) => e.to === 'QRSCP@127.0.0.1')!;
    expect(released).toMatchObject({ outcome: 'released', stroke: SUCCESS });
    expect(released.text).toContain('1 released');
    expect(map.edges).toHaveLength(2);
    expectReadable(map);
    await browser.page.mouse.move(1, 1); // no hover highlight in the picture
    await browser.screenshot('ae-map-rejected');

    // Clicking the rejected edge: the sequence diagram, filtered to that association.
    const page = browser.page;
    const rejectedId = await page.locator('[data-testid=ae-edge][data-outcome=rejected]').getAttribute('data-id');
    await page.locator(`[data-testid=ae-edge-label][data-edge="${rejectedId}"]`).click();
    await page.locator('[data-testid=view-sequence][aria-pressed=true]').waitFor({ timeout: 5_000 });
    const id = rejected.associations[0];
    const drawn = await until(() => associations(page), (list) => list.length === 1 && list[0].id === id, `association ${id} alone in the diagram`);
    expect(drawn[0].outcome).toBe('rejected');
    expect(await page.locator('[data-testid=filter-picked]').textContent()).toMatch(/^1 association picked/);
    await browser.screenshot('ae-map-rejected-shown');
  });

  it('a dead move destination: Orthanc\'s connection to DEAD is refused, the dashed edge shows where DEAD went', async () => {
    expect(tools[tools.length - 1].code, tools[tools.length - 1].output.slice(-800)).toBe(0);
    const page = browser.page;
    // Back to the map with the key the header advertises.
    const map = await (async () => {
      await dropFile(page, 'dead-destination.pcapng', await readFile(deadPcap));
      await page.locator('[data-testid=source]', { hasText: 'dead-destination.pcapng' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('m');
      await page.locator('[data-testid=ae-map]').waitFor({ timeout: 10_000 });
      return readMap(page);
    })();
    const node = (id: string) => map.nodes.find((n) => n.id === id);
    expect(node('MOVESCU@127.0.0.1')).toMatchObject({ ae: 'MOVESCU', endpoint: '127.0.0.1' });
    expect(node('ORTHANC@127.0.0.1')).toMatchObject({ ae: 'ORTHANC', endpoint: `127.0.0.1:${orthancPort}` });
    // The refused connection carried no AE title: the destination is named after the C-MOVE-RQ.
    const dead = node('DEAD@127.0.0.1')!;
    expect(dead, JSON.stringify(map.nodes)).toMatchObject({ ae: 'DEAD', named: 'move', endpoint: `127.0.0.1:${deadPort}` });
    expect(dead.text).toContain('(from C-MOVE)');
    expect(dead.text).toContain(`127.0.0.1:${deadPort} (refused)`);
    expect(node('requested:DEAD')).toMatchObject({ ae: 'DEAD', named: 'requested', endpoint: '' });
    expect(map.nodes).toHaveLength(4);

    const refused = map.edges.find((e) => e.kind === 'association' && e.to === 'DEAD@127.0.0.1')!;
    expect(refused, JSON.stringify(map.edges)).toMatchObject({ from: 'ORTHANC@127.0.0.1', outcome: 'refused', stroke: FAILURE, dashed: false });
    expect(refused.text).toMatch(/^\d+ refused: nothing listening \(TCP RST\)/);
    const moveEdge = map.edges.find((e) => e.kind === 'move-destination')!;
    expect(moveEdge).toMatchObject({ from: 'requested:DEAD', to: 'DEAD@127.0.0.1', outcome: 'refused', stroke: FAILURE, dashed: true });
    expect(moveEdge.text).toContain('C-MOVE #1 → here');
    expect(moveEdge.associations).toEqual(expect.arrayContaining(refused.associations));
    const released = map.edges.find((e) => e.from === 'MOVESCU@127.0.0.1')!;
    expect(released).toMatchObject({ to: 'ORTHANC@127.0.0.1', outcome: 'released', stroke: SUCCESS });
    expect(map.edges).toHaveLength(3);
    expectReadable(map);
    await browser.page.mouse.move(1, 1); // no hover highlight in the picture
    await browser.screenshot('ae-map-dead-destination');
    expect(browser.errors).toEqual([]);
    expect(browser.dialogs).toEqual([]);
  });
});
