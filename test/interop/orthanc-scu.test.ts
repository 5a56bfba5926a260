/**
 * pacscope's own SCU (server/endpoints/scu) against a real Orthanc 1.10, the
 * move destination being pacscope's store SCP (server/endpoints/store-scp.ts):
 * both run in this process through the wire tap, so one CaptureHub per test
 * records the main association *and* the sub-association Orthanc opens to
 * the store SCP. Each test checks what the operation returned, what arrived,
 * and the recorded session, including the order of a C-MOVE:
 * - SynchronousCMove true: the final C-MOVE-RSP after the last C-STORE-RSP;
 * - SynchronousCMove false: the final C-MOVE-RSP before the first C-STORE-RQ
 *   (observed with DCMTK as well: orthanc-dcmtk.test.ts).
 * Misconfigurations: an unknown move destination (Orthanc answers 0xC000,
 * not 0xA801), a destination that does not listen (synchronous: 0xC000 with
 * no failed sub-operation counted; asynchronous: 0x0000 "completed 3" while
 * Orthanc's job fails) and a wrong called AE with DicomCheckCalledAet.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { cEcho } from '../../server/endpoints/scu/echo.ts';
import { cFind } from '../../server/endpoints/scu/find.ts';
import { cGet } from '../../server/endpoints/scu/get.ts';
import { cMove } from '../../server/endpoints/scu/move.ts';
import type { ScuTarget } from '../../server/endpoints/scu/options.ts';
import { startStoreScp, type RunningStoreScp } from '../../server/endpoints/store-scp.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { requireRealPeers } from './harness/lab.ts';
import { describeTimeline, moveTimeline } from './harness/move-order.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc, type OrthancModality } from './harness/orthanc.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

const SCU_AE = 'PACSCOPESCU';
const STORE_AE = 'PSTORE';
const [CT_STUDY, MR_STUDY] = STUDIES;

let dir = '';
let storePort = 0;
/** A registered destination where nothing listens. */
let deadPort = 0;
let instances: FixtureInstance[] = [];
let sync: OrthancServer;
let async_: OrthancServer;
let checking: OrthancServer;
const uidsOf = (modality: string) => instances.filter((x) => x.modality === modality).map((x) => x.sopInstanceUid).sort();

/** One hub and one store SCP per test, closed after it. */
let session: { hub: CaptureHub; store: RunningStoreScp; recording: string } | null = null;
let sessions = 0;

async function openSession(): Promise<{ hub: CaptureHub; store: RunningStoreScp; recording: string }> {
  const recording = join(dir, `session-${++sessions}.pacscope`);
  const hub = await CaptureHub.open({ recordPath: recording, source: { kind: 'test', description: 'orthanc-scu.test.ts' } });
  const store = await startStoreScp({ ae: STORE_AE, host: '127.0.0.1', port: storePort, outputDir: join(dir, `store-${sessions}`) }, hub);
  session = { hub, store, recording };
  return session;
}

function target(o: OrthancServer, calledAe = o.aeTitle): ScuTarget {
  return { host: '127.0.0.1', port: o.dicomPort, callingAeTitle: SCU_AE, calledAeTitle: calledAe, timeoutMs: 15_000 };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every association in the hub has ended (Orthanc may release the sub-association after the final C-MOVE-RSP). */
async function allEnded(hub: CaptureHub): Promise<Summary> {
  await until('every association to end', () => hub.summary().associations.every((a) => a.outcome !== 'open'));
  return hub.summary();
}

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-orthanc-scu-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  [storePort, deadPort] = await freePorts(2);
  const modalities: Record<string, OrthancModality> = { pacscope: [STORE_AE, '127.0.0.1', storePort], dead: ['DEADEND', '127.0.0.1', deadPort] };
  [sync, async_, checking] = await Promise.all([
    OrthancServer.start({ synchronousCMove: true, modalities }),
    OrthancServer.start({ synchronousCMove: false, modalities }),
    OrthancServer.start({ checkCalledAet: true, modalities }),
  ]);
  await Promise.all([sync, async_].map((o) => o.upload(instances.map((x) => x.file))));
}, 120_000);

afterEach(async () => {
  const s = session;
  session = null;
  await s?.store.close();
  await s?.hub.close();
});

afterAll(async () => {
  await Promise.allSettled([sync, async_, checking].map((o) => o?.stop()));
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

describe('pacscope SCU against Orthanc 1.10', () => {
  it('C-ECHO', async () => {
    const { hub } = await openSession();
    const r = await cEcho(target(sync), hub);
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0 });
    const s = await allEnded(hub);
    expect(s.associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome])).toEqual([[SCU_AE, 'ORTHANC', 'released']]);
    expect(s.messages.map((m) => [commandOf(m), m.status])).toEqual([
      ['C-ECHO-RQ', null],
      ['C-ECHO-RSP', 0x0000],
    ]);
  });

  it('C-FIND at STUDY level', async () => {
    const { hub } = await openSession();
    const keys = { PatientID: 'PSC*', StudyInstanceUID: '', PatientName: '', StudyDate: '', AccessionNumber: '' };
    const r = await cFind({ ...target(sync), model: 'study', level: 'STUDY', keys }, hub);
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0 });
    expect(r.matches.map((m) => m.StudyInstanceUID).sort()).toEqual(STUDIES.map((x) => x.studyInstanceUid).sort());
    expect(r.matches.map((m) => m.AccessionNumber).sort()).toEqual(STUDIES.map((x) => x.accessionNumber).sort());
    const s = await allEnded(hub);
    const rsps = s.messages.filter((m) => m.commandField === CommandField.CFindRsp);
    expect(rsps.map((m) => m.status)).toEqual([0xff00, 0xff00, 0x0000]);
    expect(rsps.slice(0, 2).map((m) => m.identifier?.StudyInstanceUID).sort()).toEqual(STUDIES.map((x) => x.studyInstanceUid).sort());
    const rq = s.messages.find((m) => m.commandField === CommandField.CFindRq)!;
    expect(rq.affectedSopClass).toBe('1.2.840.10008.5.1.4.1.2.2.1');
    expect(rq.identifier).toMatchObject({ QueryRetrieveLevel: 'STUDY', PatientID: 'PSC*' });
  });

  it('C-MOVE, SynchronousCMove true: final C-MOVE-RSP after the last C-STORE-RSP of the sub-association', async () => {
    const { hub, store, recording } = await openSession();
    const pendings: number[] = [];
    const r = await cMove(
      { ...target(sync), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY.studyInstanceUid }, destination: STORE_AE },
      hub,
      { onPending: (c) => pendings.push(c.remaining ?? -1) },
    );
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0, pendingResponses: 2 });
    expect(r.counters).toMatchObject({ completed: 3, failed: 0, warning: 0 });
    expect(pendings).toEqual([2, 1]);
    // Synchronous: every instance is stored by the time the final response arrives.
    expect([...store.received].sort()).toEqual(uidsOf('CT'));
    for (const uid of store.received) expect(existsSync(join(store.outputDir, `${uid}.dcm`))).toBe(true);

    const s = await allEnded(hub);
    const t = moveTimeline(s, { scpPort: sync.dicomPort, destinationPort: store.port });
    const why = describeTimeline(s);
    expect(t.subs.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome]), why).toEqual([['ORTHANC', STORE_AE, 'released']]);
    expect(t.storeRqs.map((m) => m.affectedSopInstance).sort()).toEqual(uidsOf('CT'));
    expect(t.storeRqs.every((m) => m.moveOriginator?.ae === SCU_AE && m.moveOriginator.messageId === t.rq.messageId), why).toBe(true);
    expect(t.storeRsps.map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
    expect(t.pending.map((m) => m.remaining)).toEqual([2, 1]);
    expect([t.final.status, t.final.completed, t.final.failed, t.final.warning]).toEqual([0x0000, 3, 0, 0]);
    expect(t.index(t.final), why).toBeGreaterThan(t.index(t.storeRsps.at(-1)!));
    expect(t.final.time).toBeGreaterThanOrEqual(t.storeRsps.at(-1)!.time);
    expect(t.rq.time).toBeLessThanOrEqual(t.subs[0].start);
    expect(s.errors).toEqual([]);

    // The recording says the same as the live model.
    await hub.close();
    const fromFile = await pacscopeSummary(recording);
    const line = (x: Summary) => x.messages.map((m) => `${m.association} ${commandOf(m)} ${statusCodeOf(m) ?? ''} ${m.affectedSopInstance ?? ''}`);
    expect(line(fromFile)).toEqual(line(s));
  });

  it('C-MOVE, SynchronousCMove false: final C-MOVE-RSP before the first C-STORE-RQ', async () => {
    const { hub, store } = await openSession();
    const r = await cMove(
      { ...target(async_), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY.studyInstanceUid }, destination: STORE_AE },
      hub,
    );
    // Orthanc answers as if all were done (completed 3) before it has sent anything.
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0 });
    expect(r.counters).toMatchObject({ completed: 3, failed: 0 });
    await until('the store SCP to receive the study', () => store.received.length === 3);
    expect([...store.received].sort()).toEqual(uidsOf('CT'));

    const s = await allEnded(hub);
    const t = moveTimeline(s, { scpPort: async_.dicomPort, destinationPort: store.port });
    const why = describeTimeline(s);
    expect(t.subs.length, why).toBe(1);
    expect(t.storeRqs.length).toBe(3);
    expect(t.storeRsps.map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
    expect(t.index(t.final), why).toBeLessThan(t.index(t.storeRqs[0]));
    expect(t.final.time).toBeLessThanOrEqual(t.storeRqs[0].time);
    expect([t.final.status, t.final.completed]).toEqual([0x0000, 3]);
    expect(s.errors).toEqual([]);
  });

  it('C-GET: the instances come back on the same association before the final C-GET-RSP', async () => {
    const { hub } = await openSession();
    const out = join(dir, 'get-out');
    const r = await cGet({ ...target(sync), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: MR_STUDY.studyInstanceUid }, outputDir: out }, hub);
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0 });
    expect(r.counters).toMatchObject({ completed: 2, failed: 0, warning: 0 });
    expect(r.received.map((f) => f.slice(out.length + 1).replace(/\.dcm$/, '')).sort()).toEqual(uidsOf('MR'));
    for (const f of r.received) expect(existsSync(f)).toBe(true);

    const s = await allEnded(hub);
    expect(s.associations.length).toBe(1);
    const a = s.associations[0];
    const mrRole = a.roles.find((x) => x.sopClassUid === '1.2.840.10008.5.1.4.1.1.4');
    expect(mrRole?.proposed).toEqual({ scu: false, scp: true });
    expect(mrRole?.accepted?.scp).toBe(true);
    const stores = s.messages.filter((m) => m.commandField === CommandField.CStoreRq);
    expect(stores.map((m) => m.affectedSopInstance).sort()).toEqual(uidsOf('MR'));
    expect(stores.every((m) => m.side === 'acceptor')).toBe(true);
    const final = s.messages.filter((m) => m.commandField === CommandField.CGetRsp).at(-1)!;
    expect([final.status, final.completed]).toEqual([0x0000, 2]);
    const lastStoreRsp = s.messages.filter((m) => m.commandField === CommandField.CStoreRsp).at(-1)!;
    expect(s.messages.indexOf(final)).toBeGreaterThan(s.messages.indexOf(lastStoreRsp));
  });

  it('C-MOVE to an unknown destination: Orthanc answers 0xC000 (not 0xA801), no sub-association', async () => {
    const { hub, store } = await openSession();
    const r = await cMove({ ...target(sync), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY.studyInstanceUid }, destination: 'NOWHERE' }, hub);
    expect(r).toMatchObject({ ok: false, outcome: 'failure', status: 0xc000, pendingResponses: 0 });
    expect(r.counters).toMatchObject({ completed: 0, failed: 0, warning: 0 });
    const s = await allEnded(hub);
    const t = moveTimeline(s, { scpPort: sync.dicomPort, destinationPort: store.port });
    expect([t.final.status, t.final.statusCategory, t.final.remaining]).toEqual([0xc000, 'failure', null]);
    expect(t.subs).toEqual([]);
    expect(store.received).toEqual([]);
  });

  it('C-MOVE to a destination that does not listen, synchronous: 0xC000, nothing counted as failed', async () => {
    const { hub } = await openSession();
    const r = await cMove({ ...target(sync), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY.studyInstanceUid }, destination: 'DEADEND' }, hub);
    expect(r).toMatchObject({ ok: false, outcome: 'failure', status: 0xc000, pendingResponses: 0 });
    const s = await allEnded(hub);
    const t = moveTimeline(s, { scpPort: sync.dicomPort, destinationPort: deadPort });
    expect([t.final.status, t.final.completed, t.final.failed, t.final.warning]).toEqual([0xc000, 0, 0, 0]);
    expect(s.associations.length).toBe(1);
    expect(sync.log).toMatch(/DEADEND.*Connection refused/);
  });

  it('C-MOVE to a destination that does not listen, asynchronous: Orthanc reports success, its job fails', async () => {
    const { hub } = await openSession();
    type Job = { ID: string; Type: string; State: string };
    const before = new Set(await async_.rest<string[]>('GET', '/jobs'));
    const r = await cMove({ ...target(async_), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY.studyInstanceUid }, destination: 'DEADEND' }, hub);
    // The SCU is told all 3 sub-operations completed: the images never arrive.
    expect(r, r.reason).toMatchObject({ ok: true, outcome: 'success', status: 0, pendingResponses: 2 });
    expect(r.counters).toMatchObject({ completed: 3, failed: 0 });
    let mine: Job[] = [];
    await until("Orthanc's store job to end", async () => {
      mine = (await async_.rest<Job[]>('GET', '/jobs?expand')).filter((j) => !before.has(j.ID));
      return mine.length > 0 && mine.every((j) => j.State === 'Success' || j.State === 'Failure');
    });
    expect(mine.map((j) => [j.Type, j.State])).toEqual([['DicomModalityStore', 'Failure']]);
    const s = await allEnded(hub);
    expect(s.associations.length).toBe(1);
    expect(s.messages.filter((m) => m.commandField === CommandField.CMoveRsp).map((m) => m.status)).toEqual([0xff00, 0xff00, 0x0000]);
  });

  it('a wrong called AE with DicomCheckCalledAet true: A-ASSOCIATE-RJ, called AE not recognised', async () => {
    const { hub } = await openSession();
    const r = await cEcho(target(checking, 'WRONGAE'), hub);
    expect(r.ok).toBe(false);
    expect(r.outcome).toBe('rejected');
    const s = await allEnded(hub);
    expect(s.associations.map((a) => [a.acceptor.ae, a.outcome])).toEqual([['WRONGAE', 'rejected']]);
    expect(s.associations[0].reject).toMatchObject({ result: 1, source: 1, reason: 7 });
    // The right called AE is accepted by the same Orthanc.
    const ok = await cEcho(target(checking), hub);
    expect(ok, ok.reason).toMatchObject({ ok: true, outcome: 'success' });
  });
});
