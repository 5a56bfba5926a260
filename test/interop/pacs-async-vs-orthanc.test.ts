/**
 * The built-in PACS's asynchronous C-MOVE against the real thing it imitates:
 * Orthanc 1.10 with `SynchronousCMove: false`. The same instances (the CT
 * study of the fixtures, 3 instances, and the MR study) are in both: uploaded
 * to Orthanc by its REST API, C-STOREd to the built-in PACS by DCMTK storescu.
 * DCMTK movescu moves the CT study from each to a DCMTK storescp; each flow
 * is captured with dumpcap and decoded by pacscope (`pacscope summary
 * --json`), and both must show this order on the wire:
 *
 *   C-MOVE-RQ
 *   C-MOVE-RSP 0xFF00 R=2 C=1 F=0 W=0
 *   C-MOVE-RSP 0xFF00 R=1 C=2 F=0 W=0
 *   C-MOVE-RSP 0x0000 C=3 F=0 W=0        (no Remaining; PS3.4 C.4.2.1.5)
 *   C-STORE-RQ / C-STORE-RSP 0x0000  × 3 (sub-association SCP → STORESCP)
 *   sub A-RELEASE-RQ / RP
 *
 * i.e. the counters are what was queued, all sent before anything is stored.
 * With the destination down: the same responses ("completed 3"), and a
 * refused TCP connection.
 *
 * Where the sub-association's A-ASSOCIATE-RQ falls is asserted for the
 * built-in PACS only (after the final response, always). Orthanc submits its
 * store job at the first sub-operation, before its first pending response
 * goes out, and the job runs on its own thread: in 30 runs of these two
 * flows (15 to a destination that is down), its TCP connection came after
 * the final response 25 times, before or among the pendings 5 times; its
 * C-STOREs always came after the final response. Likewise, whether movescu's A-RELEASE-RQ of
 * the C-MOVE association comes before or after the sub-association's
 * A-ASSOCIATE-RQ is a race in both: left out.
 */
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { startPacs, type RunningPacs } from '../../server/endpoints/pacs/pacs.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { Capture } from './harness/capture.ts';
import { requireRealPeers } from './harness/lab.ts';
import { describeTimeline, moveTimeline } from './harness/move-order.ts';
import { freePort } from './harness/net.ts';
import { OrthancServer } from './harness/orthanc.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { StoreScp } from './harness/peers.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { until } from './pacs-lab.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

dimse.log.setLevel('error');

const SCU_AE = 'MOVESCU';
const STORE_AE = 'STORESCP';
const DEAD_AE = 'DEADSCP';
const CT_STUDY = STUDIES[0].studyInstanceUid;

/** One SCP under test: its DICOM port, the storescp it moves to, and how to wait until its sub-operations are over. */
interface Side {
  name: string;
  ae: string;
  port: number;
  store: StoreScp;
  settled(dest: string): Promise<void>;
}

let dir = '';
let instances: FixtureInstance[] = [];
let deadPort = 0;
let orthanc: OrthancServer;
let hub: CaptureHub;
let pacs: RunningPacs;
const stores: StoreScp[] = [];
let orthancSide: Side;
let pacsSide: Side;
const ctUids = () => instances.filter((x) => x.modality === 'CT').map((x) => x.sopInstanceUid).sort();

/** Orthanc's jobs all ended (its C-MOVE job runs after the C-MOVE association). */
async function orthancJobsDone(count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const jobs = await orthanc.rest<{ State: string }[]>('GET', '/jobs?expand');
    if (jobs.length >= count && jobs.every((j) => j.State === 'Success' || j.State === 'Failure')) return;
    if (Date.now() > deadline) throw new Error(`Orthanc jobs not done: ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dcmFiles = async (d: string) => (await readdir(d)).filter((f) => f.endsWith('.dcm'));

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-async-vs-orthanc-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  deadPort = await freePort();
  for (const name of ['orthanc', 'pacscope']) stores.push(await StoreScp.start({ port: await freePort(), aeTitle: STORE_AE, outDir: join(dir, `received-from-${name}`) }));

  orthanc = await OrthancServer.start({
    synchronousCMove: false,
    modalities: { store: [STORE_AE, '127.0.0.1', stores[0].port], dead: [DEAD_AE, '127.0.0.1', deadPort] },
  });
  await orthanc.upload(instances.map((x) => x.file));
  let orthancMoves = 0;
  orthancSide = {
    name: 'Orthanc 1.10 (SynchronousCMove false)',
    ae: orthanc.aeTitle,
    port: orthanc.dicomPort,
    store: stores[0],
    settled: async () => orthancJobsDone(++orthancMoves),
  };

  hub = await CaptureHub.open({ source: { kind: 'test', description: 'pacs-async-vs-orthanc' } });
  pacs = await startPacs(
    {
      ae: 'PACSCOPE',
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'pacs'),
      destinations: new Map([
        [STORE_AE, { host: '127.0.0.1', port: stores[1].port }],
        [DEAD_AE, { host: '127.0.0.1', port: deadPort }],
      ]),
      moveMode: 'async',
      aePolicy: 'any',
      knownCallers: [],
      subOperationDelayMs: 0,
    },
    hub,
  );
  const load = await runTool('storescu', ['-aet', 'STORESCU', '-aec', pacs.ae, '127.0.0.1', String(pacs.port), ...instances.map((x) => x.file)], { timeoutMs: 30_000 });
  if (load.code !== 0) throw new Error(`storescu into the built-in PACS failed:\n${load.output.slice(-3000)}`);
  pacsSide = {
    name: 'pacscope built-in PACS (async)',
    ae: pacs.ae,
    port: pacs.port,
    store: stores[1],
    // Its sub-operations run in this process: over when the hub has seen the sub-association end.
    settled: (dest) =>
      until(() => {
        const s = hub.summary();
        const subs = s.associations.filter((a) => a.acceptor.port === (dest === DEAD_AE ? deadPort : stores[1].port));
        return subs.length > 0 && subs.every((a) => a.outcome !== 'open');
      }, 15_000),
  };
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([orthanc?.stop(), pacs?.close().then(() => hub.close()), ...stores.map((s) => s.stop())]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

/** movescu of the CT study through `side` to `dest`, under a dumpcap capture of every port involved, decoded by pacscope. */
async function moveCaptured(side: Side, dest: string): Promise<{ summary: Summary; code: number | null; output: string }> {
  const destinationPort = dest === DEAD_AE ? deadPort : side.store.port;
  const tag = `${side.ae}-${dest}`.toLowerCase();
  const cap = await Capture.start(join(dir, `${tag}.pcapng`), [side.port, destinationPort]);
  let r: ToolResult;
  try {
    r = await runTool('movescu', ['-d', '-S', '-aet', SCU_AE, '-aec', side.ae, '-aem', dest, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, '127.0.0.1', String(side.port)], {
      timeoutMs: 30_000,
    });
    await side.settled(dest);
  } finally {
    // Long enough for the sub-association's release to be captured.
    await cap.stop(300).catch(() => undefined);
  }
  return { summary: await pacscopeSummary(cap.file), code: r.code, output: r.output };
}

/**
 * The C-MOVE as a sequence of wire events, in capture order: its request and responses (status and the
 * four counters), the C-STOREs and the release of the sub-association(s). Left out (see the header):
 * how the sub-association starts (A-ASSOCIATE-RQ/AC, or the refused connection), and the C-MOVE
 * association's own A-ASSOCIATE and A-RELEASE. `start` is where the sub-association starts in it:
 * the number of events before.
 */
function wireOrder(s: Summary, scpPort: number, destinationPort: number): { events: string[]; start: number } {
  const t = moveTimeline(s, { scpPort, destinationPort });
  const subIds = new Set(t.subs.map((a) => a.id));
  const events: { time: number; label: string }[] = [];
  for (const m of s.messages) {
    const counters = [m.remaining !== null ? `R=${m.remaining}` : '', m.completed !== null ? `C=${m.completed}` : '', m.failed !== null ? `F=${m.failed}` : '', m.warning !== null ? `W=${m.warning}` : ''];
    if (m.association === t.main.id) events.push({ time: m.time, label: [commandOf(m), statusCodeOf(m) ?? '', ...counters].filter(Boolean).join(' ') });
    else if (subIds.has(m.association)) events.push({ time: m.time, label: [commandOf(m), statusCodeOf(m) ?? ''].filter(Boolean).join(' ') });
  }
  for (const p of s.pdus) if (subIds.has(p.association) && p.type.startsWith('A-RELEASE')) events.push({ time: p.time, label: `sub ${p.type}` });
  // Stable: messages of one instant keep the decoder's order.
  events.sort((x, y) => x.time - y.time);
  const first = Math.min(...t.subs.map((a) => a.start));
  return { events: events.map((e) => e.label), start: events.filter((e) => e.time <= first).length };
}

const EXPECTED_RESPONSES = ['C-MOVE-RQ', 'C-MOVE-RSP 0xFF00 R=2 C=1 F=0 W=0', 'C-MOVE-RSP 0xFF00 R=1 C=2 F=0 W=0', 'C-MOVE-RSP 0x0000 C=3 F=0 W=0'];
const EXPECTED_OK = [
  ...EXPECTED_RESPONSES,
  'C-STORE-RQ',
  'C-STORE-RSP 0x0000',
  'C-STORE-RQ',
  'C-STORE-RSP 0x0000',
  'C-STORE-RQ',
  'C-STORE-RSP 0x0000',
  'sub A-RELEASE-RQ',
  'sub A-RELEASE-RP',
];

describe('asynchronous C-MOVE: the built-in PACS and Orthanc 1.10 (SynchronousCMove false) on the wire', () => {
  it('the same study to a DCMTK storescp: the same responses, counters and order; every instance arrives', async () => {
    const orders: string[][] = [];
    for (const side of [orthancSide, pacsSide]) {
      const { summary, code, output } = await moveCaptured(side, STORE_AE);
      const why = `${side.name}:\n${describeTimeline(summary)}`;
      expect(code, output.slice(-2000)).toBe(0);
      expect(summary.errors, why).toEqual([]);
      const t = moveTimeline(summary, { scpPort: side.port, destinationPort: side.store.port });
      const order = wireOrder(summary, side.port, side.store.port);
      orders.push(order.events);
      console.info(`[async-vs-orthanc] ${side.name}: the sub-association starts after ${order.events.slice(0, order.start).at(-1)}`);
      // The final response's counters: all "completed", no Remaining.
      expect([t.final.status, t.final.remaining, t.final.completed, t.final.failed, t.final.warning], why).toEqual([0x0000, null, 3, 0, 0]);
      // One sub-association from the SCP to STORESCP; the built-in PACS requests it after the final response.
      expect(t.subs.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome]), why).toEqual([[side.ae, STORE_AE, 'released']]);
      if (side === pacsSide) expect(order.start, why).toBe(EXPECTED_RESPONSES.length);
      else expect(order.start, why).toBeGreaterThanOrEqual(1);
      expect(t.main.outcome).toBe('released');
      // Each C-STORE-RQ names the C-MOVE (Move Originator, PS3.7 §9.1.1.1), and carries one CT instance.
      expect(t.storeRqs.every((m) => m.moveOriginator?.ae === SCU_AE && m.moveOriginator.messageId === t.rq.messageId), why).toBe(true);
      expect(t.storeRqs.map((m) => m.affectedSopInstance).sort()).toEqual(ctUids());
      // storescp wrote every instance (it writes before it answers).
      expect((await dcmFiles(side.store.outDir)).sort()).toEqual(ctUids().map((uid) => `CT.${uid}.dcm`));
      // movescu saw the same thing.
      expect(output).toMatch(/Received Final Move Response[\s\S]*Completed Suboperations\s*: 3/);
    }
    expect(orders[0], 'Orthanc').toEqual(EXPECTED_OK);
    expect(orders[1], 'built-in PACS').toEqual(orders[0]);
  });

  it('the destination does not listen: the same "completed 3" to the SCU, and a refused connection', async () => {
    const orders: string[][] = [];
    for (const side of [orthancSide, pacsSide]) {
      const { summary, code, output } = await moveCaptured(side, DEAD_AE);
      const why = `${side.name}:\n${describeTimeline(summary)}`;
      expect(code, output.slice(-2000)).toBe(0);
      const t = moveTimeline(summary, { scpPort: side.port, destinationPort: deadPort });
      const order = wireOrder(summary, side.port, deadPort);
      orders.push(order.events);
      expect([t.final.status, t.final.remaining, t.final.completed, t.final.failed, t.final.warning], why).toEqual([0x0000, null, 3, 0, 0]);
      expect(t.subs.map((a) => a.outcome), why).toEqual(['refused']);
      if (side === pacsSide) expect(order.start, why).toBe(EXPECTED_RESPONSES.length);
      expect(t.storeRqs).toEqual([]);
    }
    expect(orders[0], 'Orthanc').toEqual(EXPECTED_RESPONSES);
    expect(orders[1], 'built-in PACS').toEqual(orders[0]);
    // Only Orthanc's job list says it failed; the SCU was told Success.
    const jobs = await orthanc.rest<{ State: string }[]>('GET', '/jobs?expand');
    expect(jobs.map((j) => j.State).sort()).toEqual(['Failure', 'Success']);
  });
});
