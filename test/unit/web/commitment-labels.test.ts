/**
 * Storage commitment in words: the diagram's arrow labels
 * (shared/view/diagram/labels.ts through shared/dimse/storage-commitment.ts)
 * and the lines of `pacscope summary`, on real sessions of the built-in PACS
 * and pacscope's commitment SCU (the commit-new-association and
 * commit-failures scenarios).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { runScenario } from '../../../server/scenarios/run-scenario.ts';
import { messageLabel } from '../../../shared/view/diagram/labels.ts';
import { formatSummary } from '../../../shared/view/summary-text.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { commitmentWords } from '../../../shared/dimse/storage-commitment.ts';

dimse.log.setLevel('error');

async function session(name: string): Promise<Summary> {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: name } });
  expect((await runScenario(name, hub)).error).toBeNull();
  await hub.close();
  return hub.summary();
}

let fresh: Summary;
let failures: Summary;
beforeAll(async () => {
  [fresh, failures] = [await session('commit-new-association'), await session('commit-failures')];
});

describe('storage commitment labels', () => {
  it('labels the N-ACTION with its instances and Transaction UID, the report with its event, the responses with their status', () => {
    const txn = fresh.messages[0].identifier?.TransactionUID as string;
    expect(txn).toMatch(/^2\.25\.\d+$/);
    const short = `${txn.slice(0, 10)}…`;
    expect(fresh.messages.map(messageLabel)).toEqual([
      expect.stringMatching(new RegExp(`^N-ACTION-RQ #1 commit 2 · txn ${short.replace(/\./g, '\\.')}`)),
      'Success',
      expect.stringMatching(/^N-EVENT-REPORT-RQ #1 all 2 committed · txn 2\.25\./),
      'Success',
    ]);
    expect(messageLabel(failures.messages[2])).toMatch(/^N-EVENT-REPORT-RQ #1 failures: 1 committed, 1 failed \(0x0112\) · txn /);
  });

  it('words the facts in pacscope summary, with the report association under its N-ACTION', () => {
    const text = formatSummary(fresh, { pdus: false });
    const txn = fresh.messages[0].identifier?.TransactionUID as string;
    expect(text).toContain(`N-ACTION-RQ #1 commit 2 instances txn=${txn}`);
    expect(text).toContain(`N-EVENT-REPORT-RQ #1 event 1: all 2 committed txn=${txn} (storage commitment report for N-ACTION #1)`);
    expect(text).toMatch(/a2 {2}TEACHPACS .*→ WORKSTATION .*\(storage commitment report for a1 N-ACTION #1, by Transaction UID\)/);
    expect(commitmentWords(failures.messages[2])?.text).toBe('event 2: 1 committed, 1 failed (1 × 0x0112 no such object instance)');
    expect(commitmentWords(failures.messages[1])).toBeNull();
  });
});
