/**
 * The diagnosis of flows that end short of what was asked, of peers that
 * bend the standard, and of pacscope's own probing, on real peers:
 *
 * - a peer that puts its Failed SOP Instance UID List into a C-MOVE-RSP's
 *   command set, and one that sends a PDV with reserved flags: a raw-socket
 *   SCP written here (diagnosis-bent-scp.ts) talking to real DCMTK movescu
 *   and echoscu, captured with dumpcap — the peer's non-conformance, its
 *   data shown, never "capture again";
 * - a C-MOVE cancelled by DCMTK movescu --cancel (the built-in PACS, whose
 *   sub-operations are slowed down so the cancel lands mid-move);
 * - DCMTK movescu killed mid-move: the SCU vanished, its side closed first;
 * - Orthanc 1.10 with "SynchronousCMove": false behind pacscope's proxy, its
 *   entry for pacscope's store SCP pointing at a dead port: "success", and
 *   nothing ever reached the store SCP;
 * - a C-GET whose SCU proposed a storage context (SCP role) for MR only, of
 *   the CT study, against dcmqrscp and Orthanc 1.10;
 * - the connectivity doctor's rejected probes next to the user's clean
 *   traffic, kept apart (Finding.origin);
 * - PixelMed's VerificationSOPClassSCU rejected by the built-in PACS: the
 *   caller identified as PixelMed from its implementation class UID.
 *
 * Every fix is checked to hold the test's real AE titles, hosts and ports
 * and no placeholder, and to name no product but the one identified
 * (fixProblems in diagnosis-lab.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub } from '../../server/capture/hub.ts';
import { Proxy } from '../../server/proxy/proxy.ts';
import { startStoreScp, type RunningStoreScp } from '../../server/endpoints/store-scp.ts';
import { cEcho } from '../../server/endpoints/scu/echo.ts';
import { cFind } from '../../server/endpoints/scu/find.ts';
import { cGet } from '../../server/endpoints/scu/get.ts';
import { DoctorRuns } from '../../server/live/api-doctor.ts';
import { studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';
import type { DiagnoseOptions, Finding } from '../../shared/diagnosis/types.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { CT_IMAGE_STORAGE, MR_IMAGE_STORAGE, generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { startBentScp, type BentScp } from './diagnosis-bent-scp.ts';
import { capturedFlow, describeFindings, fixProblems, only, problems, summaryWithFindings } from './diagnosis-lab.ts';
import { Capture } from './harness/capture.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts } from './harness/net.ts';
import { OrthancServer, requireOrthanc } from './harness/orthanc.ts';
import { DcmQrScp, StoreScp } from './harness/peers.ts';
import { RunningProcess, runTool } from './harness/process.ts';
import { startLab, until, type PacsLab } from './pacs-lab.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const CT_STUDY = STUDIES[0].studyInstanceUid;
const PIXELMED_JAR = '/usr/share/java/pixelmed.jar';

let dir = '';
let fixtures: FixtureInstance[] = [];
let lab: PacsLab;
let bent: BentScp;
let qr: DcmQrScp;
let storescp: StoreScp;
let orthanc: OrthancServer;
let asyncOrthanc: OrthancServer;
let deadPort = 0;
const ctUids = () => fixtures.filter((f) => f.modality === 'CT').map((f) => f.sopInstanceUid);

beforeAll(async () => {
  requireRealPeers();
  requireOrthanc();
  // Never skipped: npm test installs it (scripts/ensure-deps.mjs, Debian's libpixelmed-java).
  if (!existsSync(PIXELMED_JAR)) throw new Error(`the PixelMed test needs ${PIXELMED_JAR}: run "node scripts/ensure-deps.mjs --test" or apt-get install libpixelmed-java`);
  dir = await mkdtemp(join(tmpdir(), 'pacscope-diagnosis-outcomes-'));
  let qrPort = 0;
  let storePort = 0;
  [fixtures, [qrPort, storePort, deadPort], lab] = await Promise.all([generateFixtures(join(dir, 'fixtures')), freePorts(3), startLab()]);
  bent = await startBentScp('BENTPACS', ctUids());
  storescp = await StoreScp.start({ port: storePort, aeTitle: 'STORESCP', outDir: join(dir, 'storescp') });
  qr = await DcmQrScp.start({ dir: join(dir, 'qr'), port: qrPort, aeTitle: 'QRSCP', destinations: { STORESCP: storePort } });
  [orthanc, asyncOrthanc] = await Promise.all([
    OrthancServer.start({ modalities: { STORESCP: ['STORESCP', '127.0.0.1', storePort] } }),
    // Its entry for pacscope's store SCP points at a port where nothing listens.
    OrthancServer.start({ synchronousCMove: false, modalities: { STORESCP: ['STORESCP', '127.0.0.1', deadPort] } }),
  ]);
  const files = fixtures.map((f) => f.file);
  await Promise.all([orthanc.upload(files), asyncOrthanc.upload(files), runTool('storescu', ['-aet', 'LOADER', '-aec', 'QRSCP', '127.0.0.1', String(qrPort), ...files], { timeoutMs: 30_000 })]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([bent?.close(), qr?.stop(), storescp?.stop(), orthanc?.stop(), asyncOrthanc?.stop(), lab?.stop()]);
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

/** A title without its association ids (a hub and a capture of the same flow number them differently). */
const noIds = (s: string) => s.replace(/\ba\d+\b/g, 'aN');

/** Every fix: real values, no placeholder, no product but the ones identified (diagnosis-lab.ts). */
function expectCleanFixes(summary: Summary, findings: readonly Finding[], options: DiagnoseOptions = {}): void {
  expect(fixProblems(summary, findings, options), describeFindings(findings)).toEqual([]);
}

/**
 * Findings of the built-in PACS's hub about the associations `flow` adds, once they have all ended; the
 * same flow is also captured with dumpcap on the PACS's and the store SCP's ports (`pcap`: what an
 * interface capture of it diagnoses, read back by `pacscope summary --json`).
 */
async function labFlow(name: string, flow: () => Promise<unknown>, options: DiagnoseOptions = {}): Promise<{ summary: Summary; findings: Finding[]; pcap: Finding[] }> {
  const before = lab.hub.summary().associations.length;
  const cap = await Capture.start(join(dir, `${name}.pcapng`), [lab.pacs.port, lab.store.port]);
  try {
    await flow();
    await until(() => lab.hub.summary().associations.length > before && lab.hub.summary().associations.every((a) => a.outcome !== 'open'), 20_000);
  } finally {
    await cap.stop(200).catch(() => undefined);
  }
  const pcap = await summaryWithFindings(cap.file);
  expectCleanFixes(pcap.summary, pcap.findings);
  const summary = lab.hub.summary();
  const added = new Set(summary.associations.slice(before).map((a) => a.id));
  const listening = [{ ae: 'PACSCOPE', host: '127.0.0.1', port: lab.pacs.port }, { ae: 'STORESCP', host: '127.0.0.1', port: lab.store.port }];
  const all = diagnose(summary, { listening, ...options });
  expectCleanFixes(summary, all, { listening, ...options });
  return { summary, findings: all.filter((f) => f.evidence.associations.some((id) => added.has(id))), pcap: pcap.findings };
}

describe('a peer that bends the standard (raw-socket SCP, real DCMTK SCUs)', () => {
  it('the Failed SOP Instance UID List in a C-MOVE-RSP command set: the peer\'s non-conformance, the list shown, no capture problem', async () => {
    const r = await capturedFlow(join(dir, 'bent-move.pcapng'), [bent.port], [
      ['movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'BENTPACS', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, '127.0.0.1', String(bent.port)]],
    ]);
    expect(r.summary.errors, JSON.stringify(r.summary.errors)).toEqual([]);
    const rsp = r.summary.messages.find((m) => m.commandField === CommandField.CMoveRsp)!;
    expect(rsp.commandSetDataElements?.FailedSOPInstanceUIDList).toEqual(ctUids());
    expect(rsp.failed).toBe(3);
    const peer = only(r.findings, 'peer.command-set-non-conformant');
    expect(peer.title).toContain(`"BENTPACS" at 127.0.0.1:${bent.port}`);
    expect(peer.text).toContain('PS3.7 §6.3.1');
    expect(peer.text).toContain('odd value length 7');
    expect(peer.text).toContain(ctUids()[0]);
    expect(peer.fix).toMatch(new RegExp(`^Report it to the maker of "BENTPACS" at 127\\.0\\.0\\.1:${bent.port}`));
    expect(peer.fix).toContain('Nothing is wrong with the capture');
    // Observed: DCMTK movescu refuses such a response and aborts; the abort is explained by the peer finding, not a finding of its own.
    expect(r.summary.associations.map((a) => [a.outcome, a.abort?.by])).toEqual([['aborted', 'requestor']]);
    expect(peer.text).toContain('Here "MOVESCU" did: it sent A-ABORT right after it');
    expect(problems(r.findings).map((f) => f.rule).sort(), describeFindings(r.findings)).toEqual(['move.sub-operations-failed', 'peer.command-set-non-conformant']);
    const moved = only(r.findings, 'move.sub-operations-failed');
    expect(moved.text).toContain('lists 3 Failed SOP Instance UID(s)');
    expect(moved.text).toContain('in its command set');
    expect(r.findings.map((f) => f.rule)).not.toContain('capture.decode-errors');
    expectCleanFixes(r.summary, r.findings);
  });

  it('a C-ECHO-RSP in a PDV with reserved flags: the peer\'s malformed PDU, not the capture', async () => {
    const r = await capturedFlow(join(dir, 'bent-echo.pcapng'), [bent.port], [['echoscu', ['-aet', 'ECHOSCU', '-aec', 'BENTPACS', '127.0.0.1', String(bent.port)]]]);
    expect(r.summary.errors.map((e) => e.reason).join('\n')).toContain('reserved bits 2–7 set (PS3.8 Annex E.2)');
    const f = only(r.findings, 'peer.pdu-non-conformant');
    expect(f.title).toContain(`"BENTPACS" at 127.0.0.1:${bent.port}`);
    expect(f.text).toContain('reserved bits');
    expect(r.findings.map((x) => x.rule)).not.toContain('capture.decode-errors');
    expectCleanFixes(r.summary, r.findings);
  });
});

describe('retrieves that end short', () => {
  it('DCMTK movescu --cancel 1 against the built-in PACS: cancelled by the SCU, after how many, how many never came', async () => {
    lab.pacs.setSubOperationDelay(400);
    try {
      const { findings, pcap } = await labFlow('cancel', () => runTool('movescu', ['-S', '--cancel', '1', '-aet', 'CANCELLER', '-aec', 'PACSCOPE', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(3)}`, '127.0.0.1', String(lab.pacs.port)], { timeoutMs: 20_000 }));
      const f = only(findings, 'retrieve.cancelled');
      expect(f.title).toMatch(/cancelled by the SCU "CANCELLER" after 1 sub-operation\(s\), 1 never performed/);
      expect(f.text).toContain('"CANCELLER" sent a C-CANCEL-RQ');
      expect(f.text).toContain('0xFE00');
      expect(f.fix).toMatch(/^Retrieve the rest again if it is wanted: "CANCELLER" cancelled it itself/);
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
      // An interface capture of the same flow says the same.
      expect(noIds(only(pcap, 'retrieve.cancelled').title)).toBe(noIds(f.title));
    } finally {
      lab.pacs.setSubOperationDelay(0);
    }
  });

  it('DCMTK movescu killed mid-move: the SCU vanished, its side closed first, no A-RELEASE or A-ABORT', async () => {
    lab.pacs.setSubOperationDelay(700);
    try {
      const { findings, pcap } = await labFlow('vanished', async () => {
        const before = lab.hub.summary().messages.length;
        const proc = new RunningProcess('movescu', ['-S', '-aet', 'VANISHER', '-aec', 'PACSCOPE', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(3)}`, '127.0.0.1', String(lab.pacs.port)]);
        await until(() => lab.hub.summary().messages.slice(before).some((m) => m.commandField === CommandField.CMoveRsp && m.statusCategory === 'pending'), 10_000);
        await proc.stop('SIGKILL');
      });
      const f = only(findings, 'retrieve.scu-vanished');
      expect(f.title).toContain('The SCU "VANISHER" vanished while its C-MOVE');
      expect(f.text).toContain('"VANISHER" (from 127.0.0.1)');
      expect(f.text).toContain('no A-RELEASE-RQ and no A-ABORT');
      expect(f.text).toContain('remaining 1, completed 1');
      expect(f.fix).toMatch(/^Find out why "VANISHER" on 127\.0\.0\.1 stopped/);
      expect(findings.map((x) => x.rule)).not.toContain('association.closed-while-waiting');
      // The interface capture sees the FIN of movescu first too.
      expect(noIds(only(pcap, 'retrieve.scu-vanished').title)).toBe(noIds(f.title));
    } finally {
      lab.pacs.setSubOperationDelay(0);
      await until(() => lab.hub.summary().associations.every((a) => a.outcome !== 'open'), 20_000);
    }
  });

  it('Orthanc 1.10 asynchronous behind the proxy, its entry for pacscope\'s store SCP wrong: "success", and the destination never reached', async () => {
    const hub = await CaptureHub.open({ recordPath: join(dir, 'async-never-reached.pacscope'), source: { kind: 'proxy', description: 'diagnosis-outcomes async orthanc' } });
    const proxy = new Proxy({ capture: hub });
    let store: RunningStoreScp | null = null;
    try {
      store = await startStoreScp({ ae: 'STORESCP', host: '127.0.0.1', port: 0, outputDir: join(dir, 'own-store') }, hub);
      const route = Number((await proxy.add(`127.0.0.1:0=127.0.0.1:${asyncOrthanc.dicomPort}`)).listen.split(':')[1]);
      const move = await runTool('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'ORTHANC', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, '127.0.0.1', String(route)], { timeoutMs: 20_000 });
      expect(move.code, move.output.slice(-500)).toBe(0);
      await until(() => hub.summary().associations.every((a) => a.outcome !== 'open'), 10_000);
      // Orthanc's job tries the dead port after its final response: give it time; nothing may reach the store SCP.
      await new Promise((r) => setTimeout(r, 1500));
      const summary = hub.summary();
      // The proxy sees the C-MOVE association only (recorded with the upstream's address), never Orthanc's own outgoing connection.
      expect(summary.associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.acceptor.port])).toEqual([['MOVESCU', 'ORTHANC', asyncOrthanc.dicomPort]]);
      const listening = [{ ae: 'STORESCP', host: '127.0.0.1', port: store.port }];
      // Beside the recording, what the live UI knows besides it (docs/diagnosis.md reads it for its example).
      await writeFile(join(dir, 'async-never-reached.pacscope.options.json'), JSON.stringify({ listening }, null, 2));
      const findings = diagnose(summary, { listening });
      const f = only(findings, 'move.destination-never-reached');
      expect(f.title).toContain(`nothing reached "STORESCP" at 127.0.0.1:${store.port}`);
      expect(f.fix).toContain(`Orthanc: "DicomModalities": {"storescp": ["STORESCP", "127.0.0.1", ${store.port}]} in orthanc.json`);
      expect(f.fix).toContain('"SynchronousCMove": true');
      expectCleanFixes(summary, findings, { listening });
      // Without knowing that STORESCP is pacscope's own, the same capture can only say it does not see the destination.
      expect(diagnose(summary).map((x) => [x.rule, x.severity])).toEqual([['move.no-sub-association', 'info']]);
    } finally {
      await proxy.close();
      await store?.close();
      await hub.close();
    }
  });

  for (const peer of ['dcmqrscp', 'Orthanc'] as const) {
    it(`C-GET of the CT study proposing a storage context for MR only (${peer}): no storage context for CT Image Storage, named from the A-ASSOCIATE-RQ and the failed list`, async () => {
      const hub = await CaptureHub.open({ recordPath: join(dir, `get-no-context-${peer.toLowerCase()}.pacscope`), source: { kind: 'test', description: `diagnosis-outcomes get ${peer}` } });
      try {
        const [port, called] = peer === 'dcmqrscp' ? [qr.config.port, 'QRSCP'] : [orthanc.dicomPort, 'ORTHANC'];
        const target = { host: '127.0.0.1', port, callingAeTitle: 'GETTER', calledAeTitle: called, timeoutMs: 15_000 };
        // The instances' SOP classes, as a user's C-FIND at IMAGE level shows them.
        await cFind({ ...target, model: 'study', level: 'IMAGE', keys: { StudyInstanceUID: CT_STUDY, SeriesInstanceUID: `${CT_STUDY}.1`, SOPInstanceUID: '', SOPClassUID: '' } }, hub);
        await cGet({ ...target, model: 'study', level: 'STUDY', keys: { StudyInstanceUID: CT_STUDY }, outputDir: join(dir, `get-${peer}`), storageSopClasses: [MR_IMAGE_STORAGE] }, hub);
        await until(() => hub.summary().associations.every((a) => a.outcome !== 'open'), 10_000);
        const summary = hub.summary();
        const findings = diagnose(summary);
        const f = only(findings, 'get.no-storage-context');
        expect(f.text).toContain(`"${called}" sent 0 C-STORE-RQ(s) but counted`);
        expect(f.text).toContain(`the SCP role for MR Image Storage (${MR_IMAGE_STORAGE})`);
        expect(f.text).toContain('the final response lists the failed instances');
        if (peer === 'Orthanc') {
          // Observed: Orthanc's C-FIND at IMAGE level returns SOPClassUID, so the class is named.
          expect(f.title, describeFindings(findings)).toContain(`proposed no storage context with the SCP role for CT Image Storage (${CT_IMAGE_STORAGE})`);
          expect(f.fix).toMatch(new RegExp(`^Propose CT Image Storage \\(${CT_IMAGE_STORAGE.replace(/\./g, '\\.')}\\) with the SCP role in the C-GET's A-ASSOCIATE-RQ: pacscope: pacscope get --sop-class ${CT_IMAGE_STORAGE.replace(/\./g, '\\.')}`));
          // Observed: Orthanc 1.10 puts the Failed SOP Instance UID List of its C-GET-RSP into the command set (PS3.7 §6.3.1 says data set).
          const rsp = summary.messages.find((m) => m.commandField === CommandField.CGetRsp && m.statusCategory !== 'pending')!;
          expect(rsp.commandSetDataElements?.FailedSOPInstanceUIDList, JSON.stringify(rsp)).toBeDefined();
          const peerFinding = only(findings, 'peer.command-set-non-conformant');
          expect(peerFinding.title).toContain(`"ORTHANC" at 127.0.0.1:${port}`);
          expect(peerFinding.text).toContain('(Orthanc)');
          expect(problems(findings).length, describeFindings(findings)).toBe(2);
        } else {
          // Observed: dcmqrscp answers a C-FIND at IMAGE level without SOPClassUID: the class is not on the wire, said so.
          expect(f.title, describeFindings(findings)).toContain('proposed no storage context with the SCP role for their SOP class');
          expect(f.text).toContain(ctUids()[0]);
          expect(f.text).toContain('their SOP class is not in this capture');
          expect(f.fix).toContain('pacscope: pacscope get with one --sop-class per SOP class of the instances');
          expect(problems(findings).length, describeFindings(findings)).toBe(1);
        }
        expectCleanFixes(summary, findings);
      } finally {
        await hub.close();
      }
    });
  }
});

describe("pacscope's own probing, apart from the user's traffic", () => {
  it("the doctor's rejected probes against dcmqrscp are its own findings; the user's clean echo has none", async () => {
    const hub = await CaptureHub.open({ recordPath: join(dir, 'doctor-probes.pacscope'), source: { kind: 'test', description: 'diagnosis-outcomes doctor' } });
    try {
      // As the UI's doctor runs it (POST /api/doctor): the server lists the run's associations (GET /api/doctor) for the findings panel.
      const runs = new DoctorRuns(hub, () => null);
      const started = runs.start({ host: '127.0.0.1', port: qr.config.port, calledAeTitle: 'WRONGAE', callingAeTitle: 'DOCTOR' });
      const done = (await runs.settled(started.id))!;
      const report = done.report!;
      expect(runs.list().map((r) => r.id)).toEqual([started.id]);
      expect(done.associations).toEqual([...new Set(report.steps.flatMap((s) => s.associations))]);
      expect(done.associations!.length).toBeGreaterThanOrEqual(2);
      await cEcho({ host: '127.0.0.1', port: qr.config.port, callingAeTitle: 'USERSCU', calledAeTitle: 'QRSCP', timeoutMs: 5000 }, hub);
      await until(() => hub.summary().associations.every((a) => a.outcome !== 'open'), 10_000);
      const summary = hub.summary();
      const probes = [{ kind: 'doctor' as const, label: 'doctor', associations: report.steps.flatMap((s) => s.associations) }];
      const findings = diagnose(summary, { probes });
      await writeFile(join(dir, 'doctor-probes.pacscope.options.json'), JSON.stringify({ probes }, null, 2));
      const doctor = findings.filter((f) => f.origin === 'doctor');
      expect(doctor.map((f) => f.rule), describeFindings(findings)).toContain('association.rejected.called-ae');
      const user = findings.filter((f) => f.origin === 'user');
      expect(problems(user), describeFindings(user)).toEqual([]);
      // The same session without the probe list: the doctor's rejects would be mixed into the user's errors.
      expect(problems(diagnose(summary)).length).toBeGreaterThan(0);
      expectCleanFixes(summary, findings, { probes });
    } finally {
      await hub.close();
    }
  });
});

describe('PixelMed', () => {
  it("PixelMed's VerificationSOPClassSCU, a caller the built-in PACS does not know: 1/1/3, the caller identified as PixelMed", async () => {
    lab.pacs.setAePolicy('known');
    lab.pacs.setKnownCallers(['FRIEND']);
    try {
      const { summary, findings } = await labFlow('pixelmed-echo', () => runTool('java', ['-cp', PIXELMED_JAR, 'com.pixelmed.network.VerificationSOPClassSCU', '127.0.0.1', String(lab.pacs.port), 'PACSCOPE', 'PIXELSCU', '0'], { timeoutMs: 30_000 }));
      const a = summary.associations.find((x) => x.requestor.ae === 'PIXELSCU')!;
      expect(a.implementation.requestor.versionName).toMatch(/^PIXELMEDJAVA/);
      const f = only(findings, 'association.rejected.calling-ae');
      expect(f.fix).toContain(`to the peers the SCP at 127.0.0.1:${lab.pacs.port} knows: pacscope: "knownCallers": ["PIXELSCU"]`);
      expect(f.fix).toContain('PixelMed: Dicom.CallingAETitle=PIXELSCU');
    } finally {
      lab.pacs.setAePolicy('any');
      lab.pacs.setKnownCallers([]);
    }
  });
});
