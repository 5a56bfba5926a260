/**
 * The worklist and MPPS rules (shared/diagnosis/worklist-mpps.ts) on real
 * sessions: the teaching scenarios and a few more flows of pacscope's own
 * worklist and MPPS SCU against its built-in PACS and store SCP, in
 * process, through a capture hub. Each misconfiguration is found by its
 * cause with the values of the wire; the healthy day has no warning.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { runScenario } from '../../../server/scenarios/run-scenario.ts';
import { startStoreScp } from '../../../server/endpoints/store-scp.ts';
import { cFindWorklist, worklistKeys } from '../../../server/endpoints/scu/worklist.ts';
import { mppsCreateAttributes, nCreateMpps } from '../../../server/endpoints/scu/mpps.ts';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import type { Finding } from '../../../shared/diagnosis/types.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { keyVerdicts, knownItem } from '../../../shared/diagnosis/worklist-keys.ts';
import { worklistMatchingKeys } from '../../../shared/dicom/worklist-mpps.ts';
import { daValue } from '../../../server/endpoints/pacs/worklist-items.ts';

dimse.log.setLevel('silent');

async function scenario(name: string): Promise<{ summary: Summary; findings: Finding[] }> {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: name } });
  const run = await runScenario(name, hub);
  await hub.close();
  expect(run.error).toBeNull();
  const summary = hub.summary();
  return { summary, findings: diagnose(summary) };
}

const problems = (fs: Finding[]) => fs.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.rule}: ${f.title}`);
function only(fs: Finding[], rule: string): Finding {
  const hits = fs.filter((f) => f.rule === rule);
  expect(hits.map((f) => f.rule), fs.map((f) => `${f.rule}: ${f.title}`).join('\n')).toEqual([rule]);
  return hits[0];
}

describe('worklist and MPPS diagnosis', () => {
  it("a modality's healthy day: no finding", async () => {
    const { findings } = await scenario('modality-day');
    expect(findings.map((f) => f.rule)).toEqual([]);
  });

  it('a wrong Scheduled Station AE Title: the key, its value and the station the items are scheduled for', async () => {
    const { findings } = await scenario('worklist-wrong-station');
    const f = only(findings, 'worklist.no-match');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('The worklist query of "CT01" found nothing: ScheduledStationAETitle "CT01" left out 2 item(s) scheduled for "CT1"');
    expect(f.fix).toContain('pacscope: pacscope find -W -k "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1"');
    expect(f.fix).toContain('Or schedule the exams for "CT01"');
    expect(problems(findings)).toHaveLength(1);
  });

  it("a day behind: the date key and the items' date", async () => {
    const { findings } = await scenario('worklist-wrong-date');
    const f = only(findings, 'worklist.no-match');
    expect(f.title).toContain(`ScheduledProcedureStepStartDate "${daValue(new Date(Date.now() - 86_400_000))}" left out 3 item(s) with "${daValue(new Date())}"`);
    expect(f.fix).toContain('clock and time zone');
  });

  it('never completed: a warning once the station creates the next procedure step', async () => {
    const { summary, findings } = await scenario('mpps-never-completed');
    const f = only(findings, 'mpps.never-completed');
    expect(f.severity).toBe('warning');
    const created = summary.messages[f.evidence.messages[0]];
    expect(f.title).toBe(`"CT1" started another procedure step without ending ${created.affectedSopInstance}: it stays IN PROGRESS`);
    expect(f.fix).toContain(`pacscope mpps set --uid ${created.affectedSopInstance} --completed`);
  });

  it('N-SET of an unknown instance (0x0112) and after a final state (0x0110): by cause', async () => {
    const unknown = await scenario('mpps-unknown-instance');
    expect(only(unknown.findings, 'mpps.no-such-instance').text).toContain('No N-CREATE of');
    expect(problems(unknown.findings)).toHaveLength(1);
    const final = await scenario('mpps-set-after-completed');
    const f = only(final.findings, 'mpps.set-after-final');
    expect(f.severity).toBe('error');
    expect(f.text).toContain('had already set it to COMPLETED');
    expect(f.text).toContain('"Performed Procedure Step Object may no longer be updated"');
    expect(problems(final.findings)).toHaveLength(1);
  });

  it('an SCP that refuses the worklist and MPPS contexts; a query whose items are not known is an info', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pacscope-wl-diag-'));
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'refused' } });
    try {
      const store = await startStoreScp({ ae: 'STORESCP', host: '127.0.0.1', port: 0, outputDir: dir }, hub);
      const target = { host: '127.0.0.1', port: store.port, callingAeTitle: 'CT1', calledAeTitle: 'STORESCP' };
      expect((await cFindWorklist({ ...target, keys: worklistKeys([]) }, hub)).outcome).toBe('error');
      expect((await nCreateMpps({ ...target, attributes: mppsCreateAttributes(null, { stationAe: 'CT1' }) }, hub)).outcome).toBe('error');
      await store.close();
    } finally {
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    }
    const findings = diagnose(hub.summary());
    expect(findings.map((f) => f.rule).sort()).toEqual(['mpps.not-supported', 'worklist.not-supported']);
    expect(only(findings, 'worklist.not-supported').fix).toContain('pacscope serve: its built-in PACS serves the worklist');

    const again = await scenario('worklist-wrong-station');
    // Without the second query, nothing tells which key left the items out.
    const first = { ...again.summary, messages: again.summary.messages.slice(0, 2), associations: again.summary.associations.slice(0, 1) };
    const f = only(diagnose(first), 'worklist.no-match');
    expect(f.severity).toBe('info');
    expect(f.text).toContain('No other worklist query of this capture shows what "TEACHPACS" has scheduled');
  });

  it('key verdicts: the key that alone leaves an item out comes first; wild cards without backtracking', () => {
    const query = { ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'CT01', Modality: 'C*', ScheduledProcedureStepStartDate: '20240612-' }] };
    const items = [
      knownItem({ ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'CT1', Modality: 'CT', ScheduledProcedureStepStartDate: '20240612' }] })!,
      knownItem({ ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'MR1', Modality: 'MR', ScheduledProcedureStepStartDate: '20240611' }] })!,
    ];
    const [best, ...rest] = keyVerdicts(worklistMatchingKeys(query), items);
    expect([best.key.keyword, best.alone.length, best.excluded.length]).toEqual(['ScheduledStationAETitle', 1, 2]);
    expect(rest.map((v) => v.key.keyword)).toEqual(['Modality', 'ScheduledProcedureStepStartDate']);
    const hostile = { PatientName: `${'*A'.repeat(30)}B` };
    const t = Date.now();
    expect(keyVerdicts(worklistMatchingKeys(hostile), [knownItem({ PatientName: 'A'.repeat(64) })!])).toHaveLength(1);
    expect(Date.now() - t).toBeLessThan(100);
  });
});
