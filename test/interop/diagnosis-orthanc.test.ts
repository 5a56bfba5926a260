/**
 * The diagnosis rules on what Orthanc 1.10 really does, captured with dumpcap
 * (DCMTK clients, DCMTK storescp as the destination) and read back by
 * `pacscope summary FILE --json`, or recorded by a CaptureHub (pacscope's own
 * SCU for the C-GET without role selection):
 *
 * - a strict Orthanc ("DicomCheckCalledAet": true, "DicomAlwaysAllowFind" /
 *   "…Move" / "…Get": false, the SCUs and the destinations in
 *   DicomModalities): clean echo, find, move and get give no warning or
 *   error; a wrong called AE (1/1/7); a move to an unknown destination (0xC000
 *   with no sub-operation: the "without 0xA801" case); a move to a registered
 *   destination where nothing listens; a C-FIND and a C-MOVE from a caller
 *   it does not know (Orthanc aborts right after the request); a C-GET
 *   without SCP role (Orthanc is lenient and sends the C-STOREs anyway);
 * - an asynchronous Orthanc ("SynchronousCMove": false): a clean move is an
 *   info only; a move to a dead destination "succeeds" and the refused
 *   connection that follows is the evidence.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import dimse from '../../server/dimse/library.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';
import { generateFixtures, STUDIES, CT_IMAGE_STORAGE, MR_IMAGE_STORAGE, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { capturedFlow, describeFindings, getWithoutRole, only, problems, rulesOf } from './diagnosis-lab.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc, type OrthancModality } from './harness/orthanc.ts';
import { StoreScp } from './harness/peers.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const CT_STUDY = STUDIES[0].studyInstanceUid;
const MR_STUDY = STUDIES[1].studyInstanceUid;

let dir = '';
let fixtures: FixtureInstance[] = [];
let store: StoreScp;
let deadPort = 0;
let strict: OrthancServer;
let asyncOrthanc: OrthancServer;

const scu = (ae: string): OrthancModality => [ae, '127.0.0.1', 104];

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  dimse.log.setLevel('silent');
  dir = await mkdtemp(join(tmpdir(), 'pacscope-diagnosis-orthanc-'));
  let storePort = 0;
  [fixtures, [storePort, deadPort]] = await Promise.all([generateFixtures(join(dir, 'fixtures')), freePorts(2)]);
  store = await StoreScp.start({ port: storePort, aeTitle: 'STORESCP', outDir: join(dir, 'storescp') });
  const destinations: Record<string, OrthancModality> = { STORESCP: ['STORESCP', '127.0.0.1', storePort], DEAD: ['DEAD', '127.0.0.1', deadPort] };
  [strict, asyncOrthanc] = await Promise.all([
    OrthancServer.start({
      checkCalledAet: true,
      alwaysAllowFind: false,
      alwaysAllowMove: false,
      alwaysAllowGet: false,
      modalities: { ...destinations, MOVESCU: scu('MOVESCU'), FINDSCU: scu('FINDSCU'), GETSCU: scu('GETSCU'), NOROLE: scu('NOROLE') },
    }),
    OrthancServer.start({ synchronousCMove: false, modalities: destinations }),
  ]);
  await Promise.all([strict, asyncOrthanc].map((o) => o.upload(fixtures.map((x) => x.file))));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([strict?.stop(), asyncOrthanc?.stop(), store?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

const at = (o: OrthancServer) => ['127.0.0.1', String(o.dicomPort)];
const move = (o: OrthancServer, dest: string): [string, string[]] => ['movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'ORTHANC', '-aem', dest, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, ...at(o)]];
const flow = (name: string, o: OrthancServer, steps: [string, string[]][], settle?: () => Promise<void>) =>
  capturedFlow(join(dir, `${name}.pcapng`), [o.dicomPort, store.port, deadPort], steps, settle);

/** Until every job of `o` has ended (the asynchronous C-MOVE runs as a job after the final response). */
async function jobsDone(o: OrthancServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await o.rest<{ State: string }[]>('GET', '/jobs?expand');
    if (jobs.length > 0 && jobs.every((j) => j.State === 'Success' || j.State === 'Failure')) return;
    if (Date.now() > deadline) throw new Error(`Orthanc jobs not done: ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('diagnosis of Orthanc 1.10', () => {
  it('clean echo, find, move and get against the strict Orthanc: no warning, no error', async () => {
    const r = await flow('clean', strict, [
      ['echoscu', ['-aet', 'MOVESCU', '-aec', 'ORTHANC', ...at(strict)]],
      ['findscu', ['-S', '-aet', 'FINDSCU', '-aec', 'ORTHANC', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=PSC*', '-k', 'StudyInstanceUID', ...at(strict)]],
      move(strict, 'STORESCP'),
      ['getscu', ['-S', '-aet', 'GETSCU', '-aec', 'ORTHANC', '-od', join(dir, 'fixtures'), '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${MR_STUDY}`, ...at(strict)]],
    ]);
    expect(r.tools.map((t) => t.code), r.tools.map((t) => t.output.slice(-400)).join('\n')).toEqual([0, 0, 0, 0]);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.associations.length).toBe(5);
    expect(problems(r.findings), describeFindings(r.findings)).toEqual([]);
  });

  it('"DicomCheckCalledAet": true and a wrong called AE: 1/1/7, fix the SCU or DicomCheckCalledAet', async () => {
    const r = await flow('wrong-called-ae', strict, [['echoscu', ['-aet', 'MOVESCU', '-aec', 'WRONGAE', ...at(strict)]]]);
    const f = only(r.findings, 'association.rejected.called-ae');
    expect(f.text).toContain('it is not called "WRONGAE"');
    // Only the rejected association is in this capture: no A-ASSOCIATE-AC, no product; the generic fix with the real address.
    expect(f.fix).toMatch(new RegExp(`^Call the SCP at 127\\.0\\.0\\.1:${strict.dicomPort} by its own AE title instead of "WRONGAE"`));
    expect(f.fix).toContain('generic fix');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('an unknown move destination: 0xC000 with no sub-operation, diagnosed as an unknown destination without 0xA801', async () => {
    const r = await flow('move-unknown', strict, [move(strict, 'NOWHERE')]);
    const f = only(r.findings, 'move.destination-unknown.generic-failure');
    expect(f.title).toContain('0xC000');
    expect(f.text).toContain('Orthanc 1.10 answers 0xC000');
    expect(f.fix).toBe(`Add "NOWHERE" to the move destinations of "ORTHANC" at 127.0.0.1:${strict.dicomPort}, and run its store SCP there: Orthanc: an entry ["NOWHERE", host, port] in "DicomModalities" with the host and port where "NOWHERE" listens (no association to it is in this capture) in orthanc.json. The PACS's log names the cause.`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a registered destination where nothing listens (synchronous): the refused connection is the evidence', async () => {
    const r = await flow('move-dead', strict, [move(strict, 'DEAD')]);
    const f = only(r.findings, 'move.destination-not-listening');
    expect(f.title).toContain(`127.0.0.1:${deadPort}`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a C-FIND from a caller Orthanc does not know ("DicomAlwaysAllowFind": false): aborted right after the request', async () => {
    const r = await flow('find-stranger', strict, [['findscu', ['-S', '-aet', 'STRANGER', '-aec', 'ORTHANC', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', ...at(strict)]]]);
    // Observed: Orthanc reads the C-FIND-RQ's command and aborts at once; the data set, already in flight, arrives after the A-ABORT.
    const f = only(r.findings, 'association.aborted.after-request');
    expect(f.title).toContain('right after the C-FIND-RQ');
    expect(f.fix).toMatch(new RegExp(`^Register the caller "STRANGER" at the SCP "ORTHANC" at 127\\.0\\.0\\.1:${strict.dicomPort}: Orthanc: "DicomModalities": \\{"stranger": \\["STRANGER", "127\\.0\\.0\\.1", 104\\]\\} in orthanc\\.json`));
    expect(f.fix).toContain('DicomAlwaysAllowFind');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a C-MOVE from a caller Orthanc does not know ("DicomAlwaysAllowMove": false): aborted right after the request too', async () => {
    const r = await flow('move-stranger', strict, [['movescu', ['-S', '-aet', 'STRANGER', '-aec', 'ORTHANC', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, ...at(strict)]]]);
    const f = only(r.findings, 'association.aborted.after-request');
    expect(f.title).toContain('right after the C-MOVE-RQ');
    expect(f.fix).toContain('"DicomAlwaysAllowMove"');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a C-GET without SCP role for the storage classes (pacscope\'s SCU, no role selection item): Orthanc is lenient, get.no-scp-role warns', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'diagnosis-orthanc get without role' } });
    try {
      await getWithoutRole({ host: '127.0.0.1', port: strict.dicomPort, callingAeTitle: 'NOROLE', calledAeTitle: 'ORTHANC', timeoutMs: 15_000, model: 'study', level: 'STUDY', keys: { StudyInstanceUID: MR_STUDY } }, hub, [CT_IMAGE_STORAGE, MR_IMAGE_STORAGE]);
      const summary = hub.summary();
      const findings = diagnose(summary);
      const f = only(findings, 'get.no-scp-role');
      expect(f.text).toContain('no SCP/SCU Role Selection item');
      // Observed: Orthanc 1.10 sends the C-STOREs anyway (no role, PS3.7 D.3.3.4 notwithstanding): a warning, not an error.
      expect(summary.messages.filter((m) => m.commandField === CommandField.CStoreRq).length).toBe(2);
      expect(f.severity).toBe('warning');
      expect(f.title).toContain('sent 2 C-STORE(s) anyway');
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
    } finally {
      await hub.close();
    }
  });

  it('"SynchronousCMove": false, clean: the asynchronous C-MOVE is an info, nothing else', async () => {
    const r = await flow('async-move', asyncOrthanc, [move(asyncOrthanc, 'STORESCP')], () => jobsDone(asyncOrthanc));
    expect(rulesOf(r.findings), describeFindings(r.findings)).toEqual(['move.asynchronous']);
    expect(r.findings[0].severity).toBe('info');
    expect(r.findings[0].fix).toContain('"SynchronousCMove": true');
  });

  it('"SynchronousCMove": false and a dead destination: "success", then the refused connection', async () => {
    const r = await flow('async-dead', asyncOrthanc, [move(asyncOrthanc, 'DEAD')], () => jobsDone(asyncOrthanc));
    const f = only(r.findings, 'move.destination-not-listening');
    // Orthanc's job may try the destination just before or just after its final response: both are real orders.
    expect(f.text).toMatch(/an asynchronous C-MOVE|While it ran/);
    expect(f.text).toContain('refused');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });
});
