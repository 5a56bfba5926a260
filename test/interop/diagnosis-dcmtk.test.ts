/**
 * The diagnosis rules on dumpcap captures of real DCMTK peers, read back by
 * `pacscope summary FILE --json` (its `findings[]`):
 *
 * - dcmqrscp (AE QRSCP open to any caller, AE QRSTRICT open to STORESCP
 *   only; HostTable STORESCP, MRONLY, DEAD) and two storescp: STORESCP, and
 *   MRONLY, whose association profile (-xf) accepts MR Image Storage only;
 * - clean store, echo, find, move and get: no warning, no error;
 * - echoscu with a wrong called AE (1/1/7) and an unknown caller of
 *   QRSTRICT (1/1/3); movescu to an unknown destination (0xA801), to DEAD
 *   (in the HostTable, nothing listens: the refused connection is in the
 *   capture) and to MRONLY with a CT study (the sub-association refuses CT
 *   Image Storage); storescu of a CT file straight to MRONLY; findscu
 *   against storescp (every context refused); a C-MOVE at STUDY level by
 *   PatientID only (non-unique key).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixtures, STUDIES, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { capturedFlow, describeFindings, only, problems } from './diagnosis-lab.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePorts, waitListening } from './harness/net.ts';
import { RunningProcess } from './harness/process.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

const CT_STUDY = STUDIES[0].studyInstanceUid;
const MR_STUDY = STUDIES[1].studyInstanceUid;

let dir = '';
let fixtures: FixtureInstance[] = [];
let qrPort = 0;
let storePort = 0;
let mrPort = 0;
let deadPort = 0;
const servers: RunningProcess[] = [];

/** storescp's association profile accepting Verification and MR Image Storage only (DCMTK's storescp.cfg syntax). */
const MR_ONLY_PROFILE = `[[TransferSyntaxes]]
[Uncompressed]
TransferSyntax1 = LocalEndianExplicit
TransferSyntax2 = OppositeEndianExplicit
TransferSyntax3 = LittleEndianImplicit
[[PresentationContexts]]
[MROnly]
PresentationContext1 = VerificationSOPClass\\Uncompressed
PresentationContext2 = MRImageStorage\\Uncompressed
[[Profiles]]
[MROnly]
PresentationContexts = MROnly
`;

async function start(cmd: string, args: string[], port: number): Promise<void> {
  const proc = new RunningProcess(cmd, args, { cwd: dir });
  servers.push(proc);
  await waitListening(port, 10_000, () => proc.output.slice(-1500));
}

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-diagnosis-dcmtk-'));
  [fixtures, [qrPort, storePort, mrPort, deadPort]] = await Promise.all([generateFixtures(join(dir, 'fixtures')), freePorts(4)]);
  for (const d of ['qr', 'strict', 'store', 'mronly']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'mronly.cfg'), MR_ONLY_PROFILE);
  await writeFile(join(dir, 'dcmqrscp.cfg'), [
    `NetworkTCPPort  = ${qrPort}`,
    'MaxPDUSize      = 16384',
    'MaxAssociations = 16',
    'HostTable BEGIN',
    `STORESCP = (STORESCP, 127.0.0.1, ${storePort})`,
    `MRONLY = (MRONLY, 127.0.0.1, ${mrPort})`,
    `DEAD = (DEAD, 127.0.0.1, ${deadPort})`,
    'HostTable END',
    'VendorTable BEGIN',
    'VendorTable END',
    'AETable BEGIN',
    `QRSCP     ${join(dir, 'qr')}      RW  (100, 64mb)  ANY`,
    `QRSTRICT  ${join(dir, 'strict')}  RW  (100, 64mb)  STORESCP`,
    'AETable END',
    '',
  ].join('\n'));
  await Promise.all([
    start('storescp', ['--aetitle', 'STORESCP', '-od', join(dir, 'store'), String(storePort)], storePort),
    start('storescp', ['--aetitle', 'MRONLY', '-xf', join(dir, 'mronly.cfg'), 'MROnly', '-od', join(dir, 'mronly'), String(mrPort)], mrPort),
    // Forking mode (docs/architecture.md: dcmqrscp -s crashes after the first release).
    start('dcmqrscp', ['-c', join(dir, 'dcmqrscp.cfg'), String(qrPort)], qrPort),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(servers.map((p) => p.stop()));
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

const ports = () => [qrPort, storePort, mrPort, deadPort];
const qr = () => ['127.0.0.1', String(qrPort)];
const move = (dest: string, study = CT_STUDY): [string, string[]] => ['movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'QRSCP', '-aem', dest, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, ...qr()]];
const flow = (name: string, steps: [string, string[]][]) => capturedFlow(join(dir, `${name}.pcapng`), ports(), steps);

describe('diagnosis of DCMTK dcmqrscp and storescp', () => {
  it('clean store, echo, find, move and get: no warning, no error', async () => {
    await mkdir(join(dir, 'get'), { recursive: true });
    const r = await flow('clean', [
      ['storescu', ['-aet', 'STORESCU', '-aec', 'QRSCP', ...qr(), ...fixtures.map((f) => f.file)]],
      ['echoscu', ['-aet', 'ECHOSCU', '-aec', 'QRSCP', ...qr()]],
      ['findscu', ['-S', '-aet', 'FINDSCU', '-aec', 'QRSCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=PSC*', '-k', 'StudyInstanceUID', ...qr()]],
      move('STORESCP'),
      ['getscu', ['-S', '-aet', 'GETSCU', '-aec', 'QRSCP', '-od', join(dir, 'get'), '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${MR_STUDY}`, ...qr()]],
    ]);
    expect(r.tools.map((t) => t.code), r.tools.map((t) => t.output.slice(-400)).join('\n')).toEqual([0, 0, 0, 0, 0]);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.associations.length).toBeGreaterThanOrEqual(6);
    expect(problems(r.findings), describeFindings(r.findings)).toEqual([]);
  });

  it('a wrong called AE: dcmqrscp rejects 1/1/7', async () => {
    const r = await flow('reject-called', [['echoscu', ['-aet', 'ECHOSCU', '-aec', 'WRONGAE', ...qr()]]]);
    const f = only(r.findings, 'association.rejected.called-ae');
    expect(f.text).toContain('it is not called "WRONGAE"');
    // A capture that holds only the rejected association cannot tell dcmqrscp from another DCMTK-based SCP (no A-ASSOCIATE-AC): the generic fix, said as such, with the real address.
    expect(f.fix).toMatch(new RegExp(`^Call the SCP at 127\\.0\\.0\\.1:${qrPort} by its own AE title instead of "WRONGAE"`));
    expect(f.fix).toContain('generic fix: the product was not identified from the capture');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a caller QRSTRICT does not know: dcmqrscp rejects it as 1/1/7 too, the fix names its HostTable and AETable peers', async () => {
    const r = await flow('reject-calling', [['echoscu', ['-aet', 'STRANGER', '-aec', 'QRSTRICT', ...qr()]]]);
    expect(r.tools[0].code).not.toBe(0);
    // Observed with DCMTK 3.6.7: an unknown peer of an AETable line is refused as "called AE title not recognized", not 1/1/3.
    const f = only(r.findings, 'association.rejected.called-ae');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
    expect(f.fix).toMatch(new RegExp(`^Call the SCP at 127\\.0\\.0\\.1:${qrPort} by its own AE title instead of "QRSTRICT"`));
    expect(f.fix).toContain('generic fix');
  });

  it('an unknown move destination: 0xA801', async () => {
    const r = await flow('move-unknown', [move('NOWHERE')]);
    const f = only(r.findings, 'move.destination-unknown');
    // 0xA801 from a DCMTK implementation: dcmqrscp, and only its HostTable; the capture does not know where NOWHERE listens, and says so.
    expect(f.fix).toBe(`Add "NOWHERE" to the move destinations of "QRSCP" at 127.0.0.1:${qrPort}: DCMTK dcmqrscp: a HostTable line "nowhere = (NOWHERE, …)" with the host and port where "NOWHERE" listens (no association to it is in this capture) between "HostTable BEGIN" and "HostTable END" in dcmqrscp.cfg.`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a destination in the HostTable where nothing listens: the refused connection is the evidence', async () => {
    const r = await flow('move-dead', [move('DEAD')]);
    const refused = r.summary.associations.filter((a) => a.outcome === 'refused');
    expect(refused.length, JSON.stringify(r.summary.associations.map((a) => [a.id, a.outcome, a.acceptor.port]))).toBeGreaterThanOrEqual(1);
    const f = only(r.findings, 'move.destination-not-listening');
    expect(f.title).toContain(`127.0.0.1:${deadPort}`);
    expect(f.evidence.associations).toContain(refused[0].id);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a destination that refuses CT Image Storage: sub-operations failed, the class and storescp\'s setting named', async () => {
    const r = await flow('move-mronly', [move('MRONLY')]);
    const f = only(r.findings, 'move.sub-operations-failed');
    expect(f.severity).toBe('error');
    expect(f.text).toContain('accepted only MR Image Storage');
    expect(f.text).toContain('abstract-syntax-not-supported (provider rejection): CT Image Storage (1.2.840.10008.5.1.4.1.1.2)');
    // MRONLY refuses CT Image Storage, which Orthanc and dcmqrscp always accept: a storescp with a narrowed profile.
    expect(f.fix).toContain('DCMTK storescp: storescp with an association profile (-xf followed by the configuration file and the profile name) whose PresentationContexts list 1.2.840.10008.5.1.4.1.1.2');
    expect(f.evidence.associations.length).toBe(2);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('findscu against storescp: every presentation context refused (storescp then closes the connection)', async () => {
    const r = await flow('find-storescp', [['findscu', ['-S', '-aet', 'FINDSCU', '-aec', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '127.0.0.1', String(storePort)]]]);
    const f = only(r.findings, 'association.contexts-all-rejected');
    expect(f.text).toContain('Study Root Query/Retrieve Information Model - FIND');
    expect(f.text).toContain('connection closed');
    // storescp refuses every Query/Retrieve context: identified, and the fix says to query the Q/R SCP instead.
    expect(f.fix).toBe(`Query the Query/Retrieve SCP instead: the SCP "STORESCP" at 127.0.0.1:${storePort} is a store SCP (DCMTK storescp), which offers no Study Root Query/Retrieve Information Model - FIND (1.2.840.10008.5.1.4.1.2.2.1); check the called AE title and port.`);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('a C-MOVE at STUDY level by PatientID only (no StudyInstanceUID): non-unique key', async () => {
    const r = await flow('move-by-patient', [['movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'QRSCP', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientID=${STUDIES[0].patientId}`, ...qr()]]]);
    const f = only(r.findings, 'retrieve.non-unique-key');
    expect(f.severity).toBe('warning');
    expect(f.text).toContain('StudyInstanceUID, the unique key of the STUDY level, is missing');
    // Observed: dcmqrscp is lenient and moves the whole study by PatientID (completed 3): a warning; a strict SCP answers 0xA900 or moves nothing.
    expect(r.summary.messages.filter((m) => m.commandField === CommandField.CMoveRsp).at(-1)?.completed).toBe(3);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });

  it('storescu of a CT file straight to the MR-only storescp: nothing stored, CT refused (storescu then aborts)', async () => {
    const ct = fixtures.find((x) => x.modality === 'CT')!;
    const r = await flow('store-mronly', [['storescu', ['-aet', 'STORESCU', '-aec', 'MRONLY', '127.0.0.1', String(mrPort), ct.file]]]);
    const f = only(r.findings, 'store.context-rejected');
    expect(f.title).toContain('Nothing was stored');
    expect(f.text).toContain('accepted only MR Image Storage');
    expect(f.text).toContain('CT Image Storage');
    expect(f.text).toContain('aborted');
    expect(problems(r.findings).length, describeFindings(r.findings)).toBe(1);
  });
});
