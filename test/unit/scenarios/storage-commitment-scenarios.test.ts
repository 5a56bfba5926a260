/**
 * The storage commitment scenarios (shared/scenarios/storage-commitment-
 * scenarios.ts) run for real on the built-in PACS and pacscope's own
 * commitment SCU: what each shows on the wire, the report association drawn
 * under its N-ACTION (its `cause`), and the diagnosis — none on the healthy
 * ones, the misconfiguration by its cause on the others.
 */
import { describe, expect, it } from 'vitest';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { runScenario } from '../../../server/scenarios/run-scenario.ts';
import { narrate } from '../../../shared/scenarios/narrate.ts';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

dimse.log.setLevel('error');

async function run(name: string): Promise<{ summary: Summary; rules: string[] }> {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: `scenario ${name}` } });
  const result = await runScenario(name, hub);
  await hub.close();
  expect(result.error).toBeNull();
  const summary = hub.summary();
  expect(summary.errors).toEqual([]);
  expect(narrate(summary, result.scenario, new Set(result.associations)).filter((s) => s.target === null).map((s) => s.text)).toEqual([]);
  return { summary, rules: diagnose(summary).filter((f) => f.severity !== 'info').map((f) => f.rule) };
}

const lines = (s: Summary) => s.messages.map((m) => `${m.association} ${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}`);

describe('storage commitment scenarios', () => {
  it('same association: N-ACTION, then the report on it; nothing to diagnose', async () => {
    const { summary, rules } = await run('commit-same-association');
    expect(lines(summary)).toEqual(['a1 N-ACTION-RQ', 'a1 N-ACTION-RSP 0x0000', 'a1 N-EVENT-REPORT-RQ', 'a1 N-EVENT-REPORT-RSP 0x0000']);
    expect(summary.messages[2]).toMatchObject({ eventTypeId: 1, cause: { relation: 'storage-commitment', message: 0 } });
    expect(rules).toEqual([]);
  });

  it('new association: the report association proposes the SCP role, is accepted and drawn under the N-ACTION', async () => {
    const { summary, rules } = await run('commit-new-association');
    expect(lines(summary)).toEqual(['a1 N-ACTION-RQ', 'a1 N-ACTION-RSP 0x0000', 'a2 N-EVENT-REPORT-RQ', 'a2 N-EVENT-REPORT-RSP 0x0000']);
    expect(summary.associations[1]).toMatchObject({ requestor: { ae: 'TEACHPACS' }, acceptor: { ae: 'WORKSTATION' }, cause: { relation: 'storage-commitment', association: 'a1', message: 0, evidence: 'transaction-uid' } });
    expect(summary.associations[1].roles).toEqual([{ sopClassUid: '1.2.840.10008.1.20.1', proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }]);
    expect(rules).toEqual([]);
  });

  it('the misconfigurations, each diagnosed by its cause', async () => {
    const failures = await run('commit-failures');
    expect(failures.summary.messages[2]).toMatchObject({ eventTypeId: 2 });
    expect(failures.rules).toEqual(['commitment.failures']);
    const rejected = await run('commit-report-rejected');
    expect(rejected.summary.associations[1]).toMatchObject({ outcome: 'rejected', reject: { result: 1, source: 1, reason: 3 }, cause: { relation: 'storage-commitment', evidence: 'ae-title-and-time' } });
    expect(rejected.rules).toEqual(['commitment.report-rejected']);
    const role = await run('commit-no-scp-role');
    expect(role.summary.associations[1].roles[0].accepted).toEqual({ scu: false, scp: false });
    expect(lines(role.summary)).toEqual(['a1 N-ACTION-RQ', 'a1 N-ACTION-RSP 0x0000']);
    expect(role.rules).toEqual(['commitment.report-role-not-accepted']);
    const never = await run('commit-never-comes');
    expect(never.summary.associations).toHaveLength(1);
    expect(never.rules).toEqual(['commitment.report-missing']);
  });
});
