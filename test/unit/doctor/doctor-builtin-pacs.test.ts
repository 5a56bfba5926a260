/**
 * The doctor end to end against pacscope's built-in PACS (in process, so no
 * external peer is needed): every step passes with the right AE titles and
 * the instance reaches the doctor's store SCP; a lower-case called AE title
 * is explained by its upper-case variant; an unknown caller (1/1/3) gets the
 * configuration the peer needs; and the HTTP API (POST/GET /api/doctor).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { startPacs, type RunningPacs } from '../../../server/endpoints/pacs/pacs.ts';
import { startStoreScp, type RunningStoreScp } from '../../../server/endpoints/store-scp.ts';
import { startLiveServer, type RunningLiveServer } from '../../../server/live/http-server.ts';
import { runDoctor } from '../../../server/doctor/run-doctor.ts';
import { limitedFind } from '../../../server/doctor/step-find.ts';
import type { DoctorState } from '../../../shared/events/live-api.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

let dir = '';
let hub: CaptureHub;
let pacs: RunningPacs;
let store: RunningStoreScp;
let live: RunningLiveServer;
const own = () => ({ ae: store.ae, host: store.host, port: store.port });
const peer = (calledAeTitle = 'PACS', callingAeTitle = 'DOCTOR') => ({ host: '127.0.0.1', port: pacs.port, calledAeTitle, callingAeTitle });

beforeAll(async () => {
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-doctor-'));
  hub = await CaptureHub.open({ source: { kind: 'test', description: 'doctor-builtin-pacs.test.ts' } });
  store = await startStoreScp({ ae: 'DOCSTORE', host: '127.0.0.1', port: 0, outputDir: join(dir, 'store') }, hub);
  pacs = await startPacs(
    { ae: 'PACS', host: '127.0.0.1', port: 0, dataDir: join(dir, 'pacs'), destinations: new Map([['DOCSTORE', { host: '127.0.0.1', port: store.port }]]), moveMode: 'sync', aePolicy: 'called', knownCallers: [], subOperationDelayMs: 0 },
    hub,
  );
  live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs, endpoints: () => [], getDir: join(dir, 'get'), token: null, webRoot: join(dir, 'no-ui'), doctorStoreScp: own() });
});

afterAll(async () => {
  await live?.close();
  await pacs?.close();
  await store?.close();
  await hub?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the doctor against the built-in PACS', () => {
  it('right AE titles: every step works, the instance reaches the store SCP, each step names its associations', async () => {
    const seen: string[] = [];
    const r = await runDoctor(peer(), hub, { storeScp: own(), onStep: (s) => seen.push(s.id) });
    expect(r.steps.map((s) => [s.id, s.ok])).toEqual([
      ['connect', true],
      ['echo', true],
      ['contexts', true],
      ['find', true],
      ['instance', true],
      ['move', true],
      ['get', true],
    ]);
    expect(seen).toEqual(r.steps.map((s) => s.id));
    expect(r.summary.fails).toEqual([]);
    const move = r.steps.find((s) => s.id === 'move')!;
    expect(move.detail).toMatch(/^pacscope's store SCP received the instance on sub-association a\d+/);
    expect(move).toMatchObject({ status: '0x0000', counters: { completed: 1, failed: 0 } });
    expect(move.associations).toHaveLength(2);
    const summary = hub.summary();
    const [main, sub] = move.associations.map((id) => summary.associations.find((a) => a.id === id)!);
    expect(main.acceptor.port).toBe(pacs.port);
    expect(sub.acceptor.port).toBe(store.port);
    const picked = r.steps.find((s) => s.id === 'instance')!.detail.match(/^instance (\S+)/)![1];
    expect(store.received).toContain(picked);
    // The probe: its association carries exactly the planned contexts, and the verdicts come from its A-ASSOCIATE-AC.
    const probe = r.steps.find((s) => s.id === 'contexts')!;
    const probeAssoc = summary.associations.find((a) => a.id === probe.associations[0])!;
    expect(probeAssoc.presentationContexts.map((c) => c.id)).toEqual(Array.from({ length: 127 }, (_, i) => 2 * i + 1));
    const ct = probe.contexts!.find((c) => c.name === 'CT')!;
    expect(ct.accepted).toEqual(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
    expect(probe.contexts!.find((c) => c.name === 'Study Root C-MOVE')!.accepted.length).toBe(1);
  });

  it('a called AE title in the wrong case: rejected 1/1/7, the upper-case variant is accepted and used', async () => {
    const r = await runDoctor(peer('pacs'), hub, { storeScp: own() });
    expect(r.steps[1]).toMatchObject({ id: 'echo', ok: false });
    expect(r.steps[1].detail).toContain('(1/1/7)');
    const variant = r.steps.find((s) => s.id === 'called-ae')!;
    expect(variant.ok).toBe(false);
    expect(variant.detail).toMatch(/^the peer accepts called AE title "PACS", not "pacs"/);
    expect(variant.associations).toHaveLength(1);
    expect(variant.fix).toContain('--aec PACS');
    expect(r.calledAeTitleUsed).toBe('PACS');
    expect(r.steps.find((s) => s.id === 'move')?.ok).toBe(true);
  });

  it('an unknown caller (1/1/3): the fix is the entry the peer needs for it', async () => {
    pacs.setAePolicy('known');
    try {
      const r = await runDoctor(peer('PACS', 'STRANGER'), hub, { storeScp: own() });
      expect(r.steps[1].detail).toContain('(1/1/3)');
      const variant = r.steps.find((s) => s.id === 'called-ae')!;
      expect(variant.detail).toMatch(/no variant was accepted\ntried 1 variant:\n {2}"STRANGER" \(calling "PACS"\) — the calling and called AE titles swapped: rejected/);
      expect(variant.fix).toContain('"DicomModalities": { "stranger": [ "STRANGER", "127.0.0.1", PORT ] }');
      expect(r.summary.fixes.some((f) => f.includes('stranger = (STRANGER, 127.0.0.1, PORT)'))).toBe(true);
      expect(r.steps.map((s) => s.id)).toEqual(['connect', 'echo', 'called-ae']);
    } finally {
      pacs.setAePolicy('called');
    }
  });

  it('C-FIND with a limit: C-CANCEL after the first match (PS3.7 §9.3.2.3), and the find still counts as working', async () => {
    const ctx = { hub, target: peer(), options: {}, calledAeTitle: 'PACS', callingAeTitle: 'DOCTOR' };
    const f = await limitedFind(ctx, 'study', 'STUDY', { StudyInstanceUID: '' }, 1);
    expect(f.cancelled).toBe(true);
    expect(f.result.matches.length).toBeGreaterThanOrEqual(1);
    expect(['cancel', 'success']).toContain(f.result.outcome);
    // Both ends are in this process: the SCU's connection may be the hub's mirror, whose association is its twin's.
    const id = ctx.hub.associationOf(f.connection!);
    expect(id).not.toBeNull();
    expect(hub.summary().messages.filter((m) => m.association === id).map((m) => commandOf(m))).toContain('C-CANCEL-RQ');
  });

  it('cancelled: the steps after the running one do not run, and the report says so', async () => {
    const abort = new AbortController();
    const r = await runDoctor(peer(), hub, { storeScp: own(), signal: abort.signal, onStep: (s) => s.id === 'echo' && abort.abort() });
    expect(r.cancelled).toBe(true);
    expect(r.steps.map((s) => s.id)).toEqual(['connect', 'echo']);
  });

  it('a port that speaks HTTP: the echo step says the answer is no DICOM PDU and stops', async () => {
    const http = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const r = await runDoctor({ ...peer(), port: (http.address() as AddressInfo).port }, hub, { storeScp: own() });
      expect(r.steps.map((s) => [s.id, s.ok])).toEqual([
        ['connect', true],
        ['echo', false],
      ]);
      expect(r.steps[1].detail).toMatch(/not a DICOM PDU \(first byte 0x48 'H' — "H" as in "HTTP\/1\.1 …"/);
      expect(r.steps[1].fix).toMatch(/does not speak plain DICOM/);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('bad input is a one-line error', async () => {
    await expect(runDoctor({ ...peer(), port: 70000 }, hub)).rejects.toThrow('the port must be an integer from 1 to 65535, got 70000');
    await expect(runDoctor({ ...peer(), calledAeTitle: 'A\\B' }, hub)).rejects.toThrow(/called AE title must have 1 to 16 characters/);
  });

  it('HTTP: POST /api/doctor then GET /api/doctor/:id until done; the store SCP of serve is the default destination', async () => {
    const base = `http://127.0.0.1:${live.port}/api/doctor`;
    const post = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(peer()) });
    expect(post.status).toBe(201);
    const { id } = (await post.json()) as { id: string };
    let state: DoctorState;
    const deadline = Date.now() + 20_000;
    for (;;) {
      state = (await (await fetch(`${base}/${id}`)).json()) as DoctorState;
      if (state.state === 'done' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state.state).toBe('done');
    expect(state.report?.steps.map((s) => s.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(state.steps).toEqual(state.report?.steps);
    expect(state.report?.steps.find((s) => s.id === 'move')?.title).toContain('to DOCSTORE');

    const bad = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...peer(), port: 'x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/"port" must be an integer/);
    const noAe = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host: '127.0.0.1', port: 104 }) });
    expect(noAe.status).toBe(400);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    // GET /api/doctor lists the runs with their associations: pacscope's own probes, which the findings panel keeps apart.
    const list = (await (await fetch(base)).json()) as DoctorState[];
    expect(list.map((r) => r.id)).toContain(id);
    expect(list.find((r) => r.id === id)?.associations).toEqual([...new Set(state.steps.flatMap((s) => s.associations))]);
    expect((await fetch(base, { method: 'PUT' })).status).toBe(405);
  });
});
