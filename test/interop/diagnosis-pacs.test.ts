/**
 * The diagnosis rules on sessions of pacscope's built-in PACS and store SCP
 * (recorded by their CaptureHub, both ends of every association, refused
 * connections included), driven by real DCMTK tools and pacscope's own SCU:
 *
 * - clean echo, find, move, get and store flows: no warning, no error;
 * - configured wrong on purpose: --ae-policy called with a wrong called AE
 *   (1/1/7), --ae-policy known with an unknown caller (1/1/3), a C-FIND in
 *   an information model it does not support (every context refused), an unknown
 *   move destination (0xA801), a destination that does not listen, a store
 *   SCP whose storeSopClasses leave out CT, asynchronous C-MOVE, a C-GET
 *   without SCP role, an SCU that aborts while sub-operations remain;
 * - a recording made on the SCU side only (`pacscope move --record`), read
 *   back by `pacscope summary --json`: only an info that the sub-association
 *   cannot be seen from there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cEcho } from '../../server/endpoints/scu/echo.ts';
import { cFind } from '../../server/endpoints/scu/find.ts';
import { cGet } from '../../server/endpoints/scu/get.ts';
import { cMove } from '../../server/endpoints/scu/move.ts';
import type { ScuTarget } from '../../server/endpoints/scu/options.ts';
import { CT_IMAGE_STORAGE, MR_IMAGE_STORAGE, studyUid } from '../../server/endpoints/pacs/synthetic-studies.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';
import type { Finding } from '../../shared/diagnosis/types.ts';
import { generateFixtures, type FixtureInstance } from '../fixtures/dicom/generate.ts';
import { describeFindings, fixProblems, getWithoutRole, only, problems, rulesOf, summaryWithFindings } from './diagnosis-lab.ts';
import { requireRealPeers } from './harness/lab.ts';
import { freePort } from './harness/net.ts';
import { REPO_ROOT } from './harness/pacscope-cli.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { startLab, until, type PacsLab } from './pacs-lab.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';

let lab: PacsLab;
let dir = '';
let fixtures: FixtureInstance[] = [];

beforeAll(async () => {
  requireRealPeers();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-diagnosis-pacs-'));
  [lab, fixtures] = await Promise.all([startLab(), generateFixtures(join(dir, 'fixtures'))]);
}, 60_000);

afterAll(async () => {
  await lab?.stop();
  if (dir && !process.env.PACSCOPE_KEEP_INTEROP) await rm(dir, { recursive: true, force: true });
});

const peer = () => ['127.0.0.1', String(lab.pacs.port)];
const study = (n: number) => ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid(n)}`];
const target = (calling = 'PSCU'): ScuTarget => ({ host: '127.0.0.1', port: lab.pacs.port, callingAeTitle: calling, calledAeTitle: 'PACSCOPE', timeoutMs: 15_000 });

/**
 * Runs `flow`, waits until every association of the hub has ended, and
 * returns the findings about the associations it added (the hub keeps the
 * whole session; earlier flows are left out).
 */
async function findingsOf(flow: () => Promise<unknown>): Promise<{ findings: Finding[]; tools: ToolResult[] }> {
  const before = lab.hub.summary().associations.length;
  const tools: ToolResult[] = [];
  const result = await flow();
  if (Array.isArray(result)) tools.push(...(result as ToolResult[]));
  await until(() => lab.hub.summary().associations.length > before && lab.hub.summary().associations.every((a) => a.outcome !== 'open'), 20_000).catch((e: Error) => {
    const open = lab.hub.summary().associations.filter((a) => a.outcome === 'open' || lab.hub.summary().associations.indexOf(a) >= before);
    throw new Error(`${e.message}: ${JSON.stringify(open.map((a) => [a.id, a.requestor.ae, a.acceptor.ae, a.outcome, a.closeReason]))}\n${tools.map((t) => t.output.slice(-300)).join('\n')}`);
  });
  const summary = lab.hub.summary();
  const added = new Set(summary.associations.slice(before).map((a) => a.id));
  const all = diagnose(summary);
  // Fixes with the real values, no placeholder, no product but the one identified.
  expect(fixProblems(summary, all), describeFindings(all)).toEqual([]);
  const findings = all.filter((f) => f.evidence.associations.some((id) => added.has(id)));
  return { findings, tools };
}

const dcmtk = (cmd: string, args: string[]) => runTool(cmd, [...args, ...peer()], { timeoutMs: 20_000 });

describe('diagnosis of the built-in PACS', () => {
  it('clean echo, find, move, get and store (DCMTK and pacscope SCUs): no warning, no error', async () => {
    const { findings, tools } = await findingsOf(async () => [
      await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'PACSCOPE']),
      await dcmtk('findscu', ['-S', '-aet', 'FINDSCU', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID', '-k', 'StudyInstanceUID']),
      await dcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'PACSCOPE', '-aem', 'STORESCP', ...study(3)]),
      await dcmtk('getscu', ['-S', '-aet', 'GETSCU', '-aec', 'PACSCOPE', '-od', dir, ...study(2)]),
      await runTool('storescu', ['-aet', 'STORESCU', '-aec', 'PACSCOPE', ...peer(), fixtures[0].file], { timeoutMs: 20_000 }),
      (await cEcho(target(), lab.hub), null),
      (await cFind({ ...target(), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: '' } }, lab.hub), null),
      (await cMove({ ...target(), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: studyUid(3) }, destination: 'STORESCP' }, lab.hub), null),
      (await cGet({ ...target(), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: studyUid(3) }, outputDir: join(dir, 'get') }, lab.hub), null),
    ].filter((x) => x !== null));
    expect(tools.map((t) => t.code), tools.map((t) => t.output.slice(-500)).join('\n')).toEqual([0, 0, 0, 0, 0]);
    expect(problems(findings), describeFindings(findings)).toEqual([]);
    expect(lab.hub.summary().associations.length).toBeGreaterThanOrEqual(11);
  });

  it('--ae-policy called and a wrong called AE: 1/1/7, fix the SCU\'s called AE or the PACS\'s --pacs', async () => {
    lab.pacs.setAePolicy('called');
    try {
      const { findings } = await findingsOf(async () => [await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'pacscope'])]);
      const f = only(findings, 'association.rejected.called-ae');
      expect(f.text).toContain('it is not called "pacscope"');
      expect(f.text).toContain('lowercase');
      expect(f.fix).toBe(`Call the SCP at 127.0.0.1:${lab.pacs.port} by its own AE title "PACSCOPE" instead of "pacscope": DCMTK tools: -aec PACSCOPE on the DCMTK tool's command line. Or make the SCP answer to "pacscope": pacscope: pacscope serve --pacs pacscope@127.0.0.1:${lab.pacs.port} (or --store for the store SCP); or accept any called AE: pacscope: pacscope serve --ae-policy any (or the PACS panel's AE policy).`);
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
    } finally {
      lab.pacs.setAePolicy('any');
    }
  });

  it('--ae-policy known and an unknown caller: 1/1/3, add it to knownCallers', async () => {
    lab.pacs.setAePolicy('known');
    lab.pacs.setKnownCallers(['FRIEND']);
    try {
      const { findings } = await findingsOf(async () => [await dcmtk('echoscu', ['-aet', 'STRANGER', '-aec', 'PACSCOPE'])]);
      const f = only(findings, 'association.rejected.calling-ae');
      expect(f.fix).toContain(`to the peers the SCP at 127.0.0.1:${lab.pacs.port} knows: pacscope: "knownCallers": ["STRANGER"]`);
      expect(f.fix).toContain('DCMTK tools: -aet STRANGER');
      expect(f.fix).not.toMatch(/Orthanc|DicomModalities|dcmqrscp/);
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
    } finally {
      lab.pacs.setAePolicy('any');
      lab.pacs.setKnownCallers([]);
    }
  });

  it('a C-FIND with an information model the PACS does not support (Patient/Study Only): every context refused', async () => {
    const { findings } = await findingsOf(async () => [await dcmtk('findscu', ['-O', '-aet', 'FINDSCU', '-aec', 'PACSCOPE', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID'])]);
    const f = only(findings, 'association.contexts-all-rejected');
    expect(f.text).toContain('Patient/Study Only Query/Retrieve Information Model - FIND');
    expect(f.fix).toContain('-S (Study Root) or -P (Patient Root)');
    expect(problems(findings).length, describeFindings(findings)).toBe(1);
  });

  it('an unknown move destination: 0xA801 → move.destination-unknown', async () => {
    const { findings } = await findingsOf(async () => [await dcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'PACSCOPE', '-aem', 'NOWHERE', ...study(3)])]);
    const f = only(findings, 'move.destination-unknown');
    expect(f.title).toContain('0xA801');
    expect(f.fix).toBe(`Add "NOWHERE" to the move destinations of "PACSCOPE" at 127.0.0.1:${lab.pacs.port}: pacscope: pacscope serve --dest NOWHERE= with the host and port where "NOWHERE" listens (no association to it is in this capture) (or the PACS panel's destinations).`);
    expect(problems(findings).length, describeFindings(findings)).toBe(1);
  });

  it('a destination that does not listen: the refused connection proves it', async () => {
    const port = await freePort();
    lab.pacs.destinations.set('DEAD', { host: '127.0.0.1', port });
    try {
      const { findings } = await findingsOf(async () => [await dcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'PACSCOPE', '-aem', 'DEAD', ...study(3)])]);
      const f = only(findings, 'move.destination-not-listening');
      expect(f.title).toContain(`127.0.0.1:${port}`);
      const refused = lab.hub.summary().associations.find((a) => a.outcome === 'refused' && a.acceptor.port === port)!;
      expect(f.evidence.associations).toContain(refused.id);
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
    } finally {
      lab.pacs.destinations.delete('DEAD');
    }
  });

  it('a store SCP whose storeSopClasses leave out CT: sub-operations failed, CT Image Storage listed', async () => {
    lab.store.acceptedSopClasses = [MR_IMAGE_STORAGE];
    try {
      const { findings } = await findingsOf(async () => [await dcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'PACSCOPE', '-aem', 'STORESCP', ...study(3)])]);
      const f = only(findings, 'move.sub-operations-failed');
      expect(f.severity).toBe('error');
      expect(f.text).toContain(`abstract-syntax-not-supported (provider rejection): CT Image Storage (${CT_IMAGE_STORAGE})`);
      expect(f.fix).toContain('"storeSopClasses"');
      expect(problems(findings).length, describeFindings(findings)).toBe(1);
    } finally {
      lab.store.acceptedSopClasses = undefined;
    }
  });

  it('asynchronous C-MOVE: explained as info, no warning or error', async () => {
    lab.pacs.setMoveMode('async');
    try {
      const { findings } = await findingsOf(async () => {
        const r = await dcmtk('movescu', ['-S', '-aet', 'MOVESCU', '-aec', 'PACSCOPE', '-aem', 'STORESCP', ...study(3)]);
        await until(() => lab.hub.summary().messages.filter((m) => m.commandField === CommandField.CStoreRsp).length >= 2 && lab.hub.summary().associations.every((a) => a.outcome !== 'open'), 10_000);
        return [r];
      });
      expect(rulesOf(findings), describeFindings(findings)).toEqual(['move.asynchronous']);
      expect(findings[0].severity).toBe('info');
      // As Orthanc with SynchronousCMove false, the built-in PACS answers "completed 2" before it stores; here the
      // C-STOREs then all succeed, so the counters agree with them: no mismatch added to the finding.
      expect(findings[0].text).toContain('(completed 2, failed 0, warning 0)');
      expect(findings[0].text).not.toContain('Here:');
    } finally {
      lab.pacs.setMoveMode('sync');
    }
  });

  it('a C-GET without SCP role for CT: get.no-scp-role', async () => {
    const { findings } = await findingsOf(() => getWithoutRole({ ...target('NOROLE'), model: 'study', level: 'STUDY', keys: { StudyInstanceUID: studyUid(3) } }, lab.hub, [CT_IMAGE_STORAGE]));
    const f = only(findings, 'get.no-scp-role');
    expect(f.text).toContain('no SCP/SCU Role Selection item');
    expect(problems(findings).length, describeFindings(findings)).toBe(1);
  });

  it('an SCU that aborts while sub-operations remain (its timeout): association.aborted.retrieve-running', async () => {
    lab.pacs.setSubOperationDelay(1200);
    try {
      // pacscope's SCU with a 0.8 s idle timeout sends A-ABORT when no response comes in time (DCMTK movescu -td does too, then hangs on the open socket).
      const { findings } = await findingsOf(() => cMove({ ...target('IMPATIENT'), timeoutMs: 800, model: 'study', level: 'STUDY', keys: { StudyInstanceUID: studyUid(3) }, destination: 'STORESCP' }, lab.hub));
      const f = only(findings, 'association.aborted.retrieve-running');
      expect(f.text).toMatch(/remaining 1, completed 1|no pending response/);
      expect(f.fix).toContain('--timeout');
      // The PACS goes on and writes its responses after the abort: the decoder reports them, the abort rule ignores them.
      expect(rulesOf(problems(findings)).filter((r) => r !== 'capture.decode-errors'), describeFindings(findings)).toEqual(['association.aborted.retrieve-running']);
    } finally {
      lab.pacs.setSubOperationDelay(0);
      // The PACS finishes its sub-operations after the abort: let them end before the next test.
      await until(() => lab.hub.summary().associations.every((a) => a.outcome !== 'open'), 20_000);
    }
  });

  it('a recording made on the SCU side (pacscope move --record) read by pacscope summary --json: info only', async () => {
    const file = join(dir, 'scu-side.pacscope');
    const r = await runTool(process.execPath, [join(REPO_ROOT, 'bin', 'pacscope.js'), 'move', '--aet', 'RECSCU', '--aec', 'PACSCOPE', '--dest', 'STORESCP', '-S', '-k', `StudyInstanceUID=${studyUid(3)}`, '--record', file, ...peer()], { cwd: REPO_ROOT, timeoutMs: 30_000, encoding: 'utf8' });
    expect(r.code, r.output).toBe(0);
    const { summary, findings } = await summaryWithFindings(file);
    expect(summary.associations.length).toBe(1);
    expect(problems(findings), describeFindings(findings)).toEqual([]);
    expect(rulesOf(findings)).toEqual(['move.no-sub-association']);
    expect(findings[0].text).toContain("recorded on the SCU's side only");
  });
});
