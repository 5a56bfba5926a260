/**
 * The proxy between real systems, end to end on 127.0.0.1 (issue 5):
 * DCMTK movescu → proxy route A → Orthanc 1.10 → proxy route B → DCMTK
 * storescp, with Orthanc's DicomModalities entry for STORESCP pointing at
 * route B, so that one proxy records the C-MOVE association and the C-STORE
 * sub-association. Run with SynchronousCMove true, then false; then findscu,
 * getscu and storescu through the proxy, and a wrong called AE rejected by
 * Orthanc with DicomCheckCalledAet true.
 *
 * What is checked is the recording: `pacscope summary --json` of the file the
 * proxy's CaptureHub wrote (the live model of the hub must say the same).
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary, SummaryAssociation } from '../../shared/model/summary-types.ts';
import { CaptureHub } from '../../server/capture/hub.ts';
import { Proxy } from '../../server/proxy/proxy.ts';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { requireRealPeers } from './harness/lab.ts';
import { describeTimeline, moveTimeline } from './harness/move-order.ts';
import { freePort } from './harness/net.ts';
import { OrthancServer, requireOrthanc } from './harness/orthanc.ts';
import { pacscopeSummary } from './harness/pacscope-cli.ts';
import { StoreScp } from './harness/peers.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';

const STORE_AE = 'STORESCP';
const SCU_AE = 'MOVESCU';
const CT_STUDY = STUDIES[0].studyInstanceUid;
const MR_STUDY = STUDIES[1].studyInstanceUid;

let dir = '';
let instances: FixtureInstance[] = [];
let store: StoreScp;
const servers: OrthancServer[] = [];
const sessions: ProxySession[] = [];
const ct = () => instances.filter((x) => x.modality === 'CT');

/** A proxy recording through a CaptureHub to its own file. */
class ProxySession {
  readonly file: string;
  private constructor(
    readonly hub: CaptureHub,
    readonly proxy: Proxy,
    file: string,
  ) {
    this.file = file;
  }
  static async start(name: string): Promise<ProxySession> {
    const file = join(dir, `${name}.pacscope`);
    const hub = await CaptureHub.open({ recordPath: file, source: { kind: 'proxy', description: `interop ${name}` } });
    const s = new ProxySession(hub, new Proxy({ capture: hub }), file);
    sessions.push(s);
    return s;
  }
  /** A route to 127.0.0.1:`port`; resolves with its listen port. */
  async route(port: number): Promise<number> {
    const r = await this.proxy.add(`127.0.0.1:0=127.0.0.1:${port}`);
    return Number(r.listen.split(':')[1]);
  }
  /** Waits for the relays to end, stops, and decodes the recording as `pacscope summary --json` does. */
  async finish(): Promise<Summary> {
    const deadline = Date.now() + 15_000;
    while (this.proxy.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.proxy.close();
    await this.hub.close();
    const summary = await pacscopeSummary(this.file);
    // The recording holds what the live model showed.
    expect(summary.messages.map((m) => `${m.association} ${commandOf(m)} ${statusCodeOf(m)}`)).toEqual(this.hub.summary().messages.map((m) => `${m.association} ${commandOf(m)} ${statusCodeOf(m)}`));
    return summary;
  }
}

async function orthanc(opts: Parameters<typeof OrthancServer.start>[0]): Promise<OrthancServer> {
  const o = await OrthancServer.start(opts);
  servers.push(o);
  await o.upload(instances.map((x) => x.file));
  return o;
}

async function dcmtk(cmd: string, args: string[], port: number): Promise<ToolResult> {
  return runTool(cmd, ['-d', ...args, '127.0.0.1', String(port)], { timeoutMs: 30_000 });
}

/** Until Orthanc's jobs have ended (the asynchronous C-MOVE's store job). */
async function jobsDone(o: OrthancServer, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await o.rest<{ State: string }[]>('GET', '/jobs?expand');
    if (jobs.length > 0 && jobs.every((j) => j.State === 'Success' || j.State === 'Failure')) return;
    if (Date.now() > deadline) throw new Error(`Orthanc jobs not done: ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const moveArgs = ['-aet', SCU_AE, '-aec', 'ORTHANC', '-S', '-aem', STORE_AE, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`];
const messagesOf = (s: Summary, a: SummaryAssociation) => s.messages.filter((m) => m.association === a.id);

/** The C-MOVE through routes A and B, checked the same way in both modes; returns the timeline. */
async function proxiedMove(name: string, synchronous: boolean, checkCalledAet: boolean) {
  const session = await ProxySession.start(name);
  const routeB = await session.route(store.port);
  const o = await orthanc({ synchronousCMove: synchronous, checkCalledAet, modalities: { store: [STORE_AE, '127.0.0.1', routeB] } });
  const routeA = await session.route(o.dicomPort);
  const tool = await dcmtk('movescu', moveArgs, routeA);
  expect(tool.code, tool.output.slice(-2000)).toBe(0);
  if (!synchronous) await jobsDone(o);
  const summary = await session.finish();
  expect(summary.errors).toEqual([]);
  // The proxy's view of each connection: requestor = the client, acceptor = the upstream.
  const t = moveTimeline(summary, { scpPort: o.dicomPort, destinationPort: store.port });
  const why = describeTimeline(summary);
  expect([t.main.requestor.ae, t.main.acceptor.ae, t.main.outcome]).toEqual([SCU_AE, 'ORTHANC', 'released']);
  expect(t.subs.length, why).toBe(1);
  expect([t.subs[0].requestor.ae, t.subs[0].acceptor.ae, t.subs[0].outcome]).toEqual(['ORTHANC', STORE_AE, 'released']);
  expect(t.storeRqs.map((m) => m.affectedSopInstance).sort()).toEqual(ct().map((x) => x.sopInstanceUid).sort());
  expect(t.storeRqs.every((m) => m.moveOriginator?.ae === SCU_AE && m.moveOriginator.messageId === t.rq.messageId)).toBe(true);
  expect(t.storeRsps.map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
  expect(t.pending.map((m) => [m.remaining, m.completed, m.failed, m.warning])).toEqual([
    [2, 1, 0, 0],
    [1, 2, 0, 0],
  ]);
  expect([t.final.status, t.final.completed, t.final.failed, t.final.warning]).toEqual([0x0000, 3, 0, 0]);
  // storescp received the three instances through route B.
  expect(store.log).toMatch(/C-STORE/);
  return { t, summary, why, o };
}

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-proxy-orthanc-'));
  instances = await generateFixtures(join(dir, 'fixtures'));
  store = await StoreScp.start({ port: await freePort(), aeTitle: STORE_AE, outDir: join(dir, 'storescp-out') });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(sessions.map(async (s) => (await s.proxy.close(), await s.hub.close())));
  await Promise.allSettled([...servers.map((o) => o.stop()), store?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
  else if (dir) console.info(`[interop] kept ${dir}`);
});

describe('movescu → proxy → Orthanc → proxy → storescp', () => {
  let syncOrthanc: OrthancServer | null = null;
  let checkingOrthanc: OrthancServer | null = null;

  it('SynchronousCMove true: C-STOREs between the pendings, the final response after the last C-STORE-RSP', async () => {
    const { t, why, o } = await proxiedMove('move-sync', true, false);
    syncOrthanc = o;
    expect(t.index(t.pending[0]), why).toBeGreaterThan(t.index(t.storeRsps[0]));
    expect(t.index(t.final), why).toBeGreaterThan(t.index(t.storeRsps.at(-1)!));
    expect(t.final.time).toBeGreaterThanOrEqual(t.storeRsps.at(-1)!.time);
  }, 60_000);

  it('SynchronousCMove false: the whole C-MOVE answered first, the C-STOREs after', async () => {
    const { t, why, o } = await proxiedMove('move-async', false, true);
    checkingOrthanc = o;
    expect(t.index(t.final), why).toBeLessThan(t.index(t.storeRqs[0]));
    expect(t.final.time).toBeLessThanOrEqual(t.storeRqs[0].time);
    expect(t.index(t.pending.at(-1)!), why).toBeLessThan(t.index(t.storeRqs[0]));
  }, 60_000);

  it('findscu, getscu and storescu through the proxy', async () => {
    const o = syncOrthanc!;
    const session = await ProxySession.start('find-get-store');
    const port = await session.route(o.dicomPort);
    const find = await dcmtk('findscu', ['-aet', 'FINDSCU', '-aec', 'ORTHANC', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID', '-k', 'StudyInstanceUID'], port);
    expect(find.code, find.output.slice(-2000)).toBe(0);
    const got = join(dir, 'getscu-out');
    await mkdir(got);
    const get = await dcmtk('getscu', ['-aet', 'GETSCU', '-aec', 'ORTHANC', '-S', '-od', got, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${MR_STUDY}`], port);
    expect(get.code, get.output.slice(-2000)).toBe(0);
    const storeFiles = ct().map((x) => x.file);
    const storeRun = await runTool('storescu', ['-d', '-aet', 'STORESCU', '-aec', 'ORTHANC', '127.0.0.1', String(port), ...storeFiles], { timeoutMs: 30_000 });
    expect(storeRun.code, storeRun.output.slice(-2000)).toBe(0);
    const summary = await session.finish();
    expect(summary.errors).toEqual([]);
    const byAe = (ae: string) => summary.associations.filter((a) => a.requestor.ae === ae);

    const [f] = byAe('FINDSCU');
    expect([f.acceptor.ae, f.acceptor.port, f.outcome]).toEqual(['ORTHANC', o.dicomPort, 'released']);
    const fm = messagesOf(summary, f);
    expect(fm.map((m) => `${commandOf(m)} ${statusCodeOf(m) ?? ''}`.trim())).toEqual(['C-FIND-RQ', 'C-FIND-RSP 0xFF00', 'C-FIND-RSP 0xFF00', 'C-FIND-RSP 0x0000']);
    expect(fm.filter((m) => m.status === 0xff00).map((m) => m.identifier?.StudyInstanceUID).sort()).toEqual([CT_STUDY, MR_STUDY].sort());

    const [g] = byAe('GETSCU');
    const gm = messagesOf(summary, g);
    expect(gm.filter((m) => m.commandField === CommandField.CStoreRq).map((m) => m.side)).toEqual(['acceptor', 'acceptor']);
    expect(gm.filter((m) => m.commandField === CommandField.CStoreRsp).map((m) => m.status)).toEqual([0x0000, 0x0000]);
    const gFinal = gm.filter((m) => m.commandField === CommandField.CGetRsp).at(-1)!;
    expect([gFinal.status, gFinal.completed, gFinal.failed]).toEqual([0x0000, 2, 0]);
    expect((await readdir(got)).length).toBe(2);

    const stores = byAe('STORESCU');
    expect(stores).toHaveLength(1);
    const sm = messagesOf(summary, stores[0]);
    expect(sm.filter((m) => m.commandField === CommandField.CStoreRsp).map((m) => m.status)).toEqual([0x0000, 0x0000, 0x0000]);
    expect(stores[0].outcome).toBe('released');
  }, 60_000);

  it('DicomCheckCalledAet true: a wrong called AE through the proxy is rejected by Orthanc (1/1/7)', async () => {
    const o = checkingOrthanc!;
    const session = await ProxySession.start('wrong-called-ae');
    const port = await session.route(o.dicomPort);
    const tool = await dcmtk('echoscu', ['-aet', SCU_AE, '-aec', 'WRONGAE'], port);
    expect(tool.code).not.toBe(0);
    const summary = await session.finish();
    expect(summary.associations).toHaveLength(1);
    const a = summary.associations[0];
    expect([a.outcome, a.requestor.ae, a.acceptor.ae, a.acceptor.port]).toEqual(['rejected', SCU_AE, 'WRONGAE', o.dicomPort]);
    expect(a.reject).toMatchObject({ result: 1, source: 1, reason: 7 });
  }, 30_000);
});
