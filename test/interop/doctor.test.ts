/**
 * The connectivity doctor (server/doctor/, `pacscope doctor`) against real
 * peers:
 * - Orthanc 1.10, configured once: DicomCheckCalledAet true, a
 *   DicomModalities entry for the doctor's store SCP (DOCSTORE on a fixed
 *   port), one CT instance uploaded through its REST API;
 *   · the right AE titles (the CLI, --json): every step works, the instance
 *     reaches the doctor's store SCP and comes back by C-GET — exit 0;
 *   · a wrong called AE title: A-ASSOCIATE-RJ 1/1/7 (Orthanc's answer), the
 *     variants find ORTHANC and the later steps use it;
 *   · a destination Orthanc does not know: 0xC000 (Orthanc 1.10's code for an
 *     unknown modality, not 0xA801) with zero sub-operations, the fix naming
 *     DicomModalities;
 * - DCMTK dcmqrscp whose HostTable lacks the doctor's store SCP: 0xA801 and
 *   the HostTable fix;
 * - a port where nothing listens (the CLI, text): the refused step and its
 *   fix, exit 6.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import dimse from '../../server/dimse/library.ts';
import { CaptureHub } from '../../server/capture/hub.ts';
import { startStoreScp, type RunningStoreScp } from '../../server/endpoints/store-scp.ts';
import { runDoctor } from '../../server/doctor/run-doctor.ts';
import type { DoctorReport, DoctorStep } from '../../shared/events/live-api.ts';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc } from './harness/orthanc.ts';
import { DcmQrScp } from './harness/peers.ts';
import { runTool } from './harness/process.ts';

const BIN = fileURLToPath(new URL('../../bin/pacscope.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOCTOR_AE = 'DOCTOR';
const STORE_AE = 'DOCSTORE';

let dir = '';
let storePort = 0;
let deadPort = 0;
let orthanc: OrthancServer;
let qr: DcmQrScp;
let qrPort = 0;
let instance: FixtureInstance;
let session: { hub: CaptureHub; store: RunningStoreScp } | null = null;

/** The CLI with stdout and stderr apart (stdout is the JSON with --json). */
function pacscope(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A hub and the doctor's store SCP (DOCSTORE on `port`), closed after the test. */
async function openSession(port = storePort): Promise<{ hub: CaptureHub; store: RunningStoreScp }> {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'doctor.test.ts' } });
  const store = await startStoreScp({ ae: STORE_AE, host: '127.0.0.1', port, outputDir: join(dir, `store-${Date.now()}`) }, hub);
  session = { hub, store };
  return session;
}

const byId = (r: DoctorReport, id: DoctorStep['id']): DoctorStep => {
  const s = r.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${JSON.stringify(r.steps.map((x) => x.id))}`);
  return s;
};
const okMap = (r: DoctorReport) => r.steps.map((s) => [s.id, s.ok]);

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-doctor-interop-'));
  const instances = await generateFixtures(join(dir, 'fixtures'));
  instance = instances.find((x) => x.modality === 'CT')!;
  [storePort, deadPort, qrPort] = await freePorts(3);
  const started = await Promise.all([
    OrthancServer.start({ checkCalledAet: true, modalities: { doctor: [STORE_AE, '127.0.0.1', storePort] } }),
    // Its HostTable knows STORESCP only, not the doctor's store SCP.
    DcmQrScp.start({ dir: join(dir, 'dcmqrscp'), port: qrPort, aeTitle: 'QRSCP', destinations: { STORESCP: deadPort } }),
  ]);
  [orthanc, qr] = started;
  await orthanc.upload([instance.file]);
  const load = await runTool('storescu', ['-aet', 'LOADER', '-aec', 'QRSCP', '127.0.0.1', String(qrPort), instance.file]);
  if (load.code !== 0) throw new Error(`storescu failed:\n${load.output.slice(-2000)}`);
}, 120_000);

afterEach(async () => {
  const s = session;
  session = null;
  await s?.store.close();
  await s?.hub.close();
});

afterAll(async () => {
  await Promise.allSettled([orthanc?.stop(), qr?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

describe('pacscope doctor against Orthanc 1.10', () => {
  it('the right AE titles (CLI, --json): every step works, the instance reaches the store SCP and comes back by C-GET', async () => {
    const r = await pacscope(['doctor', '--aet', DOCTOR_AE, '--aec', 'ORTHANC', '--store', `${STORE_AE}@127.0.0.1:${storePort}`, '--json', '127.0.0.1', String(orthanc.dicomPort)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pacscope's store SCP: ${STORE_AE}@127.0.0.1:${storePort}`);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(okMap(report)).toEqual([
      ['connect', true],
      ['echo', true],
      ['contexts', true],
      ['find', true],
      ['instance', true],
      ['move', true],
      ['get', true],
    ]);
    expect(report.summary.fails).toEqual([]);
    expect(report.summary.fixes).toEqual([]);
    // Orthanc offers Verification, both Q/R models (FIND, MOVE, GET) and CT in the native syntaxes at least.
    const contexts = byId(report, 'contexts').contexts!;
    for (const name of ['Verification', 'Study Root C-FIND', 'Study Root C-MOVE', 'Study Root C-GET', 'Patient Root C-FIND']) {
      expect(contexts.find((c) => c.name === name)?.accepted.length, name).toBeGreaterThan(0);
    }
    expect(contexts.find((c) => c.name === 'CT')?.accepted).toEqual(expect.arrayContaining(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']));
    expect(byId(report, 'find').detail).toMatch(/^Study Root: 1 match \(final 0x0000/);
    expect(byId(report, 'instance').detail).toContain(`instance ${instance.sopInstanceUid}`);
    const move = byId(report, 'move');
    expect(move.detail).toMatch(/^pacscope's store SCP received the instance on sub-association a\d+/);
    expect(move).toMatchObject({ status: '0x0000', counters: { completed: 1, failed: 0, warning: 0 } });
    expect(move.associations).toHaveLength(2);
    expect(byId(report, 'get')).toMatchObject({ status: '0x0000', counters: { completed: 1, failed: 0 } });
    expect(byId(report, 'get').detail).toMatch(/^1 instance\(s\) received on the C-GET association/);
  });

  it('a wrong called AE title: Orthanc rejects 1/1/7, the variants find ORTHANC, the later steps use it', async () => {
    const { hub, store } = await openSession();
    const r = await runDoctor({ host: '127.0.0.1', port: orthanc.dicomPort, calledAeTitle: 'WRONGAE', callingAeTitle: DOCTOR_AE }, hub, { storeScp: { ae: store.ae, host: store.host, port: store.port } });
    const echo = byId(r, 'echo');
    expect(echo.ok).toBe(false);
    expect(echo.detail).toBe('A-ASSOCIATE-RJ (permanent): called AE title not recognized (1/1/7)');
    const variant = byId(r, 'called-ae');
    expect(variant.detail.split('\n')).toEqual([
      'the peer accepts called AE title "ORTHANC", not "WRONGAE"; the next steps use it',
      'tried 3 variants:',
      '  "DOCTOR" (calling "WRONGAE") — the calling and called AE titles swapped: rejected 1/1/7',
      '  "ANY-SCP" — a product default (ANY-SCP): rejected 1/1/7',
      '  "ORTHANC" — a product default (ORTHANC): accepted',
    ]);
    expect(variant.associations).toHaveLength(3);
    expect(variant.fix).toContain('--aec ORTHANC');
    expect(r.calledAeTitleUsed).toBe('ORTHANC');
    // Every association the variants made is in the capture, with the reject Orthanc sent.
    const s = hub.summary();
    const rejects = variant.associations.map((id) => s.associations.find((a) => a.id === id)?.reject?.reason ?? null);
    expect(rejects).toEqual([7, 7, null]);
    expect(okMap(r).slice(3)).toEqual([
      ['contexts', true],
      ['find', true],
      ['instance', true],
      ['move', true],
      ['get', true],
    ]);
    expect(store.received).toContain(instance.sopInstanceUid);
  });

  it('a destination Orthanc does not know: 0xC000 with zero sub-operations, the fix names DicomModalities', async () => {
    const { hub, store } = await openSession();
    const r = await runDoctor({ host: '127.0.0.1', port: orthanc.dicomPort, calledAeTitle: 'ORTHANC', callingAeTitle: DOCTOR_AE, destination: 'NOWHERE' }, hub, {
      storeScp: { ae: store.ae, host: store.host, port: store.port },
    });
    const move = byId(r, 'move');
    expect(move).toMatchObject({ ok: false, status: '0xC000', counters: { completed: 0, failed: 0, warning: 0 } });
    expect(move.detail).toMatch(/^the peer does not know NOWHERE, or cannot connect to it: .*Orthanc 1\.10 answers 0xC000/);
    expect(move.fix).toContain('"DicomModalities": { "nowhere": [ "NOWHERE", "HOST", PORT ] }');
    expect(move.associations).toHaveLength(1);
    expect(r.summary.fails).toEqual([expect.stringMatching(/^C-MOVE of one instance to NOWHERE: the peer does not know NOWHERE/)]);
    expect(store.received).toEqual([]);
  });
});

describe('pacscope doctor against dcmqrscp and a closed port', () => {
  it("dcmqrscp's HostTable lacks the destination: 0xA801 and the HostTable fix", async () => {
    const { hub, store } = await openSession(0);
    const r = await runDoctor({ host: '127.0.0.1', port: qrPort, calledAeTitle: 'QRSCP', callingAeTitle: DOCTOR_AE }, hub, { storeScp: { ae: store.ae, host: store.host, port: store.port } });
    expect(okMap(r).slice(0, 5)).toEqual([
      ['connect', true],
      ['echo', true],
      ['contexts', true],
      ['find', true],
      ['instance', true],
    ]);
    const move = byId(r, 'move');
    expect(move).toMatchObject({ ok: false, status: '0xA801' });
    expect(move.detail).toMatch(/^the peer does not know the move destination DOCSTORE\nfinal 0xA801 Refused: move destination unknown/);
    expect(move.fix).toContain(`"docstore = (DOCSTORE, 127.0.0.1, ${store.port})" between HostTable BEGIN and HostTable END`);
    expect(r.summary.fixes).toContain(move.fix);
    expect(byId(r, 'get').ok).toBe(true);
  });

  it('a port where nothing listens (CLI, text): the refused step, its fix, exit 6', async () => {
    const r = await pacscope(['doctor', '--aec', 'ANY-SCP', '127.0.0.1', String(deadPort)]);
    expect(r.code, r.stdout + r.stderr).toBe(6);
    expect(r.stdout).toMatch(new RegExp(`^✗ TCP connection — cannot connect to 127\\.0\\.0\\.1:${deadPort}: .*ECONNREFUSED`, 'm'));
    expect(r.stdout).toContain(`    fix: nothing listens on 127.0.0.1:${deadPort} — check the port and that the service runs; firewall`);
    expect(r.stdout).toMatch(/What works:\n {2}\(nothing\)\nWhat does not:\n {2}✗ TCP connection/);
    expect(r.stdout).toContain(`Fixes:\n  1. nothing listens on 127.0.0.1:${deadPort}`);
    expect(r.stdout).not.toContain('C-ECHO');
  });
});
