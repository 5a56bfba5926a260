/**
 * MPPS end to end (PS3.4 F.7): `pacscope mpps` (DCMTK has no MPPS SCU) as
 * a modality against pacscope's built-in PACS — the worklist item, N-CREATE
 * IN PROGRESS, the images by DCMTK `storescu`, N-SET COMPLETED — then the
 * state rules of the SCP: an N-SET after COMPLETED (0x0110 "may no longer
 * be updated"), an N-SET of an instance it never created (0x0112), and a
 * procedure step left IN PROGRESS while the next one starts. Every flow
 * runs under dumpcap and with --record: the capture, pacscope's recordings
 * and the PACS's live model decode the same messages, tshark agrees on
 * commands and statuses, the N-SET is linked to its N-CREATE across
 * associations, and the diagnosis names each failure by cause.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedFlow, describeFindings, fixProblems, only, problems, summaryWithFindings, type Diagnosed } from './diagnosis-lab.ts';
import { Capture } from './harness/capture.ts';
import { runTool, type ToolResult } from './harness/process.ts';
import { requireRealPeers } from './harness/lab.ts';
import { REPO_ROOT, pacscopeSummary } from './harness/pacscope-cli.ts';
import { startLab, type PacsLab } from './pacs-lab.ts';
import { decodedView, expectTsharkAgrees } from './worklist-lab.ts';
import { CommandField } from '../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../shared/dimse/message-words.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { instanceUid } from '../../server/endpoints/pacs/synthetic-studies.ts';

const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');
let lab: PacsLab;

beforeAll(async () => {
  requireRealPeers();
  lab = await startLab();
}, 30_000);

afterAll(async () => {
  await lab?.stop();
});

const peer = () => ['--aet', 'CT1', '--aec', 'PACSCOPE', '127.0.0.1', String(lab.pacs.port)];
const mpps = (...args: string[]): [string, string[]] => [process.execPath, [BIN, 'mpps', ...args, ...peer()]];
const createdUid = (output: string): string => /created (\S+) IN PROGRESS/.exec(output)?.[1] ?? 'none';
const lines = (s: Summary) => s.messages.map((m) => `${m.association} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}`);

/** Like capturedFlow, for steps that need the output of the ones before. */
async function capturedSteps(file: string, steps: (run: (cmd: string, args: string[]) => Promise<ToolResult>) => Promise<void>): Promise<Diagnosed> {
  const cap = await Capture.start(file, [lab.pacs.port]);
  const tools: ToolResult[] = [];
  try {
    await steps(async (cmd, args) => {
      const t = await runTool(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', timeoutMs: 30_000 });
      tools.push(t);
      return t;
    });
  } finally {
    await cap.stop(200).catch(() => undefined);
  }
  const result = { ...(await summaryWithFindings(cap.file)), tools, file: cap.file };
  expect(fixProblems(result.summary, result.findings)).toEqual([]);
  return result;
}

/**
 * The associations of `part` (a recording of one command, or a capture) decoded as in `whole` (the capture, or
 * the PACS's live model), matched by the requestor's port; links left out when `noLinks` (a recording of one
 * N-SET does not hold the N-CREATE it refers to).
 */
function expectSameAs(part: Summary, whole: Summary, noLinks = false): void {
  const strip = (v: ReturnType<typeof decodedView>) => (noLinks ? v.map((a) => ({ ...a, messages: a.messages.map((m) => ({ ...m, cause: null })) })) : v);
  const mine = decodedView(part, ['CT1']);
  const ports = new Set(mine.map((a) => a.requestor[1]));
  expect(mine.length).toBeGreaterThan(0);
  expect(strip(mine)).toEqual(strip(decodedView(whole, ['CT1']).filter((a) => ports.has(a.requestor[1]))));
}

describe('MPPS: pacscope mpps against the built-in PACS', () => {
  it("a modality's exam: worklist item, N-CREATE IN PROGRESS, storescu, N-SET COMPLETED — decoded, linked and recorded the same everywhere, no finding", async () => {
    const dir = lab.dir;
    const images = [1, 2, 3].map((i) => join(lab.pacs.dataDir, 'instances', `${instanceUid(1, 1, i)}.dcm`));
    let uid = '';
    // The N-SET needs the UID the N-CREATE printed: the steps run one by one under one capture.
    const r = await capturedSteps(join(dir, 'mpps-exam.pcapng'), async (run) => {
      uid = createdUid((await run(...mpps('create', '-W', '--record', join(dir, 'create.pacscope')))).output);
      await run('storescu', ['-aet', 'CT1', '-aec', 'PACSCOPE', '127.0.0.1', String(lab.pacs.port), ...images]);
      await run(...mpps('set', '--uid', uid, '--completed', '--record', join(dir, 'set.pacscope')));
    });
    expect(r.tools[2].output).toMatch(new RegExp(`^mpps: success 0x0000 Success; ${uid.replace(/\./g, '\\.')} COMPLETED$`, 'm'));
    expect(r.tools.map((t) => t.code), r.tools.map((t) => t.output.slice(-500)).join('\n')).toEqual([0, 0, 0]);
    expect(r.tools[0].output).toMatch(/^worklist item 1 of 2: .*PatientName=ADAMS\^ANNA/m);
    expect(r.tools[0].output).toMatch(/^N-CREATE-RSP 0x0000 Success$/m);
    expect(lines(r.summary).map((l) => l.replace(/^a\d+ /, ''))).toEqual([
      'C-FIND-RQ', 'C-FIND-RSP 0xFF00', 'C-FIND-RSP 0xFF00', 'C-FIND-RSP 0x0000',
      'N-CREATE-RQ', 'N-CREATE-RSP 0x0000',
      'C-STORE-RQ', 'C-STORE-RSP 0x0000', 'C-STORE-RQ', 'C-STORE-RSP 0x0000', 'C-STORE-RQ', 'C-STORE-RSP 0x0000',
      'N-SET-RQ', 'N-SET-RSP 0x0000',
    ]);
    const create = r.summary.messages.findIndex((m) => m.commandField === CommandField.NCreateRq);
    const set = r.summary.messages.find((m) => m.commandField === CommandField.NSetRq)!;
    expect(r.summary.messages[create]).toMatchObject({ affectedSopInstance: uid, identifier: expect.objectContaining({ PerformedProcedureStepStatus: 'IN PROGRESS', PatientID: 'PSC-1001', ScheduledStepAttributesSequence: [expect.objectContaining({ AccessionNumber: 'PSCW2001', ScheduledProcedureStepID: 'SPS2001' })] }) });
    expect(set).toMatchObject({ requestedSopInstance: uid, cause: { relation: 'mpps', message: create }, identifier: expect.objectContaining({ PerformedProcedureStepStatus: 'COMPLETED' }) });
    expect(problems(r.findings), describeFindings(r.findings)).toEqual([]);
    expect(await expectTsharkAgrees(r.file, [lab.pacs.port], r.summary)).toBe(4);
    expectSameAs(await pacscopeSummary(join(dir, 'create.pacscope')), r.summary);
    expectSameAs(await pacscopeSummary(join(dir, 'set.pacscope')), r.summary, true);
    expectSameAs(r.summary, lab.hub.summary());
  });

  it('N-SET after COMPLETED (0x0110), of an unknown instance (0x0112), a step left IN PROGRESS: each diagnosed by cause', async () => {
    const dir = lab.dir;
    const unknown = '2.25.1234567890';
    const r = await capturedFlow(join(dir, 'mpps-misconfigured.pcapng'), [lab.pacs.port], [
      // ADAMS's exam is left IN PROGRESS: NÚÑEZ's starts and is completed, then discontinued.
      mpps('create', '-W', '--uid', '2.25.222'),
      mpps('create', '-W', '--wl-key', 'PatientID=PSC-1003', '--uid', '2.25.333'),
      mpps('set', '--uid', '2.25.333', '--completed'),
      mpps('set', '--uid', '2.25.333', '--discontinued'),
      mpps('set', '--uid', unknown, '--completed'),
    ]);
    expect(r.tools.map((t) => t.code).join(','), r.tools.map((t) => t.output.slice(-400)).join('\n')).toBe('0,0,0,6,6');
    expect(r.tools[1].output).toMatch(/^worklist item 1 of 1: .*PatientID=PSC-1003/m);
    expect(r.tools[3].output).toContain('error comment: Performed Procedure Step Object may no longer be updated');
    expect(r.tools[4].output).toMatch(/^N-SET-RSP 0x0112 Failure: no such SOP instance$/m);
    const final = only(r.findings, 'mpps.set-after-final');
    expect(final.title).toBe('N-SET of procedure step 2.25.333 refused: it is final (0x0110 (Failure: processing failure))');
    expect(final.text).toContain('had already set it to COMPLETED');
    const none = only(r.findings, 'mpps.no-such-instance');
    expect(none.title).toBe(`"PACSCOPE" has no procedure step ${unknown}: N-SET refused (0x0112)`);
    expect(none.fix).toContain('pacscope: pacscope mpps create and set with the same --aec PACSCOPE');
    const open = r.findings.filter((f) => f.rule === 'mpps.never-completed');
    expect(open.map((f) => [f.severity, f.title])).toEqual([['warning', '"CT1" started another procedure step without ending 2.25.222: it stays IN PROGRESS']]);
    expect(problems(r.findings).map((f) => f.rule).sort(), describeFindings(r.findings)).toEqual(['mpps.never-completed', 'mpps.no-such-instance', 'mpps.set-after-final']);
    await expectTsharkAgrees(r.file, [lab.pacs.port], r.summary);
    expectSameAs(r.summary, lab.hub.summary());
  });
});
