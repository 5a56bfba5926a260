/**
 * What Orthanc 1.10 really does on the wire, observed with DCMTK clients
 * (movescu, echoscu) under a dumpcap capture and decoded by `pacscope summary
 * --json`: no pacscope endpoint is involved, so these facts hold whatever
 * pacscope's own SCU does (orthanc-scu.test.ts runs the same flows with it).
 *
 * - SynchronousCMove true: pending C-MOVE-RSPs counting down between the
 *   C-STOREs, the final C-MOVE-RSP after the last C-STORE-RSP; Orthanc
 *   releases the sub-association only after that final response.
 * - SynchronousCMove false: Orthanc answers the whole C-MOVE (pendings and a
 *   final 0x0000 "completed 3") *before* it opens the sub-association: the
 *   counters it reports are a promise, not a result.
 * - Unknown move destination: 0xC000 (Failed: unable to process), counters 0,
 *   no sub-association — not 0xA801 as dcmqrscp answers.
 * - DicomCheckCalledAet true and a wrong called AE: A-ASSOCIATE-RJ.
 * Last, pacscope's decoding of every capture is compared with tshark's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../shared/model/summary-types.ts';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { Capture } from './harness/capture.ts';
import { crossCheckTshark } from './harness/compare.ts';
import { requireRealPeers } from './harness/lab.ts';
import { describeTimeline, moveTimeline } from './harness/move-order.ts';
import { freePort } from './harness/net.ts';
import { OrthancServer } from './harness/orthanc.ts';
import { associationFacts, pacscopeSummary } from './harness/pacscope-cli.ts';
import { StoreScp } from './harness/peers.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { tsharkStreams } from './harness/tshark.ts';

const STORE_AE = 'STORESCP';
const SCU_AE = 'MOVESCU';
const CT_STUDY = STUDIES[0].studyInstanceUid;

let dir = '';
let instances: FixtureInstance[] = [];
let store: StoreScp;
const servers: OrthancServer[] = [];
let syncServer: OrthancServer | null = null;
/** Every capture with its decoded summary, for the tshark cross-check. */
const captures: { name: string; file: string; ports: number[]; summary: Summary }[] = [];
const ct = () => instances.filter((x) => x.modality === 'CT');

async function orthanc(opts: Parameters<typeof OrthancServer.start>[0]): Promise<OrthancServer> {
  const o = await OrthancServer.start({ modalities: { store: [STORE_AE, '127.0.0.1', store.port] }, ...opts });
  servers.push(o);
  await o.upload(instances.map((x) => x.file));
  return o;
}

/** Runs a DCMTK client under a capture of Orthanc's and storescp's ports; `settle` waits for late traffic. */
async function captured(name: string, o: OrthancServer, cmd: string, args: string[], settle: () => Promise<void> = async () => undefined): Promise<{ tool: ToolResult; summary: Summary }> {
  const cap = await Capture.start(join(dir, `${name}.pcapng`), [o.dicomPort, store.port]);
  let tool: ToolResult;
  try {
    tool = await runTool(cmd, [...args, '127.0.0.1', String(o.dicomPort)], { timeoutMs: 30_000 });
    await settle();
  } finally {
    await cap.stop(200).catch(() => undefined);
  }
  const summary = await pacscopeSummary(cap.file);
  captures.push({ name, file: cap.file, ports: [o.dicomPort, store.port], summary });
  return { tool, summary };
}

const moveArgs = (dest: string) => ['-d', '-aet', SCU_AE, '-aec', 'ORTHANC', '-S', '-aem', dest, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`];

/** Until Orthanc's last job (the asynchronous C-MOVE) has ended. */
async function lastJobDone(o: OrthancServer, timeoutMs = 15_000): Promise<void> {
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
  dir = await mkdtemp(join(tmpdir(), 'pacscope-orthanc-dcmtk-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  store = await StoreScp.start({ port: await freePort(), aeTitle: STORE_AE, outDir: join(dir, 'storescp-out') });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([...servers.map((o) => o.stop()), store?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

describe('Orthanc 1.10 observed with DCMTK clients', () => {
  it('SynchronousCMove true: the final C-MOVE-RSP comes after the last C-STORE-RSP', async () => {
    const o = (syncServer = await orthanc({ synchronousCMove: true }));
    const { tool, summary } = await captured('move-sync', o, 'movescu', moveArgs(STORE_AE));
    expect(tool.code, tool.output.slice(-2000)).toBe(0);
    expect(summary.errors).toEqual([]);
    const t = moveTimeline(summary, { scpPort: o.dicomPort, destinationPort: store.port });
    const why = describeTimeline(summary);
    expect(t.subs.length, why).toBe(1);
    expect([t.subs[0].requestor.ae, t.subs[0].acceptor.ae]).toEqual(['ORTHANC', STORE_AE]);
    expect(t.storeRqs.map((m) => m.affectedSopInstance).sort()).toEqual(ct().map((x) => x.sopInstanceUid).sort());
    expect(t.storeRqs.every((m) => m.moveOriginator?.ae === SCU_AE && m.moveOriginator.messageId === t.rq.messageId)).toBe(true);
    expect(t.storeRsps.map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
    // Pendings count down between the stores; the final one carries the totals.
    expect(t.pending.map((m) => [m.remaining, m.completed])).toEqual([[2, 1], [1, 2]]);
    expect([t.final.status, t.final.completed, t.final.failed, t.final.warning]).toEqual([0x0000, 3, 0, 0]);
    const lastRsp = t.storeRsps.at(-1)!;
    expect(t.index(t.final), why).toBeGreaterThan(t.index(lastRsp));
    expect(t.final.time).toBeGreaterThanOrEqual(lastRsp.time);
    // Orthanc releases the sub-association after the final response (dcmqrscp does it before).
    const subRelease = summary.pdus.find((p) => p.association === t.subs[0].id && p.type === 'A-RELEASE-RQ')!;
    expect(subRelease.time).toBeGreaterThanOrEqual(t.final.time);
    // The correlator links Orthanc's sub-association to the C-MOVE (Move Originator fields of its C-STOREs).
    expect(t.subs[0].cause).toEqual({ relation: 'c-move', association: t.main.id, message: t.index(t.rq), evidence: 'move-originator' });
  });

  it('SynchronousCMove false: the final C-MOVE-RSP comes before the first C-STORE-RQ', async () => {
    const o = await orthanc({ synchronousCMove: false });
    const { tool, summary } = await captured('move-async', o, 'movescu', moveArgs(STORE_AE), () => lastJobDone(o));
    expect(tool.code, tool.output.slice(-2000)).toBe(0);
    expect(summary.errors).toEqual([]);
    const t = moveTimeline(summary, { scpPort: o.dicomPort, destinationPort: store.port });
    const why = describeTimeline(summary);
    expect(t.subs.length, why).toBe(1);
    expect(t.storeRqs.length, why).toBe(3);
    expect(t.storeRsps.map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
    const firstStore = t.storeRqs[0];
    expect(t.index(t.final), why).toBeLessThan(t.index(firstStore));
    expect(t.final.time).toBeLessThanOrEqual(firstStore.time);
    // Observed: the same pendings and "completed 3" as in synchronous mode, all sent before any C-STORE.
    expect(t.pending.map((m) => [m.remaining, m.completed])).toEqual([[2, 1], [1, 2]]);
    expect([t.final.status, t.final.completed, t.final.failed]).toEqual([0x0000, 3, 0]);
    // Requested after the final response, still linked to the C-MOVE.
    expect(t.subs[0].cause).toEqual({ relation: 'c-move', association: t.main.id, message: t.index(t.rq), evidence: 'move-originator' });
    expect(t.storeRqs.every((m) => m.moveOriginator?.ae === SCU_AE), why).toBe(true);
  });

  it('an unknown move destination: 0xC000 unable to process, no sub-operations', async () => {
    const o = syncServer ?? (await orthanc({ synchronousCMove: true }));
    const { tool, summary } = await captured('move-unknown', o, 'movescu', moveArgs('NOWHERE'));
    expect(tool.output).toMatch(/0xc000/i);
    const t = moveTimeline(summary, { scpPort: o.dicomPort, destinationPort: store.port });
    expect(t.pending).toEqual([]);
    expect([t.final.status, t.final.statusCategory, t.final.remaining, t.final.completed, t.final.failed, t.final.warning]).toEqual([
      0xc000,
      'failure',
      null,
      0,
      0,
      0,
    ]);
    expect(t.subs).toEqual([]);
    expect(t.main.outcome).toBe('released');
  });

  it('DicomCheckCalledAet true: a wrong called AE is rejected', async () => {
    const o = await orthanc({ checkCalledAet: true });
    const { tool, summary } = await captured('wrong-called-ae', o, 'echoscu', ['-d', '-aet', SCU_AE, '-aec', 'WRONGAE']);
    expect(tool.code).not.toBe(0);
    const a = summary.associations.find((x) => x.acceptor.port === o.dicomPort)!;
    expect(a.outcome).toBe('rejected');
    expect(a.acceptor.ae).toBe('WRONGAE');
    expect(a.reject).toMatchObject({ result: 1, source: 1, reason: 7 });
    expect(a.reject?.text ?? '').toMatch(/called/i);
  });

  it('pacscope agrees with tshark on every Orthanc capture', async () => {
    expect(captures.length).toBe(4);
    const mismatches: string[] = [];
    let compared = 0;
    for (const c of captures) {
      const check = crossCheckTshark(
        c.summary.associations.map((a) => associationFacts(c.summary, a)),
        await tsharkStreams(c.file, { dicomPorts: c.ports }),
      );
      mismatches.push(...check.mismatches.map((m) => `${c.name}: ${m}`));
      for (const u of [...check.uncertain, ...check.notCompared]) console.info(`[orthanc-dcmtk] ${c.name}: ${u}`);
      compared += check.compared.length;
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(5);
  });
});
