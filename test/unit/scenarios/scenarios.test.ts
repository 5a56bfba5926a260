/**
 * Every teaching scenario run for real on its built-in actors (in process,
 * loopback), its traffic decoded by the capture hub, and its narration
 * matched step by step to the arrows it produced; plus what each one must
 * show (statuses, rejects, the order of sync vs async).
 */
import { describe, expect, it } from 'vitest';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { runScenario, SCENARIO_NAMES } from '../../../server/scenarios/run-scenario.ts';
import { narrate } from '../../../shared/scenarios/narrate.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../../../shared/dimse/message-words.ts';

dimse.log.setLevel('error');

async function run(name: string): Promise<{ summary: Summary; associations: string[] }> {
  const hub = await CaptureHub.open({ source: { kind: 'test', description: `scenario ${name}` } });
  const result = await runScenario(name, hub);
  await hub.close();
  expect(result.error).toBeNull();
  const summary = hub.summary();
  expect(summary.errors).toEqual([]);
  const narration = narrate(summary, result.scenario, new Set(result.associations));
  // Every step of the narration points at what happened.
  expect(narration.filter((s) => s.target === null).map((s) => s.text)).toEqual([]);
  return { summary, associations: result.associations };
}

const commands = (s: Summary) => s.messages.map((m) => `${commandOf(m)}${m.status !== null ? ` ${statusCodeOf(m)}` : ''}`);

describe('teaching scenarios', () => {
  it('has a script for every scenario of the catalogue', () => {
    expect(SCENARIO_NAMES.length).toBeGreaterThanOrEqual(13);
  });

  it.each(SCENARIO_NAMES)('%s runs and its narration finds every step', async (name) => {
    await run(name);
  });

  it('sync vs async: the synchronous final response comes after its C-STOREs, the asynchronous one before', async () => {
    const { summary } = await run('sync-vs-async');
    const byAe = (ae: string) => summary.messages.filter((m) => m.from === ae || m.to === ae);
    const syncFinal = summary.messages.findIndex((m) => m.commandField === CommandField.CMoveRsp && m.from === 'TEACHPACS' && m.statusCategory === 'success');
    const syncStores = summary.messages.map((m, i) => ({ m, i })).filter(({ m }) => m.commandField === CommandField.CStoreRq && m.from === 'TEACHPACS');
    expect(syncStores).toHaveLength(4);
    expect(syncStores.every(({ i }) => i < syncFinal)).toBe(true);
    // Asynchronous (as Orthanc 1.10 with SynchronousCMove false): the pendings and a final "completed 4", counting what was queued, before any C-STORE.
    const asyncRsps = summary.messages.filter((m) => m.commandField === CommandField.CMoveRsp && m.from === 'ASYNCPACS');
    expect(asyncRsps.map((m) => [statusCodeOf(m), m.remaining, m.completed, m.failed, m.warning])).toEqual([
      ['0xFF00', 3, 1, 0, 0],
      ['0xFF00', 2, 2, 0, 0],
      ['0xFF00', 1, 3, 0, 0],
      ['0x0000', null, 4, 0, 0],
    ]);
    const asyncFinal = summary.messages.indexOf(asyncRsps.at(-1)!);
    const asyncStores = summary.messages.map((m, i) => ({ m, i })).filter(({ m }) => m.commandField === CommandField.CStoreRq && m.from === 'ASYNCPACS');
    expect(asyncStores).toHaveLength(4);
    expect(asyncStores.every(({ i }) => i > asyncFinal)).toBe(true);
    const asyncSub = summary.associations.find((a) => a.id === asyncStores[0].m.association)!;
    expect(asyncSub.start).toBeGreaterThanOrEqual(summary.messages[asyncFinal].time);
    expect(byAe('ASYNCPACS').length).toBeGreaterThan(0);
  });

  it('misconfigurations show their failure on the wire', async () => {
    const wrong = await run('wrong-called-ae');
    expect(wrong.summary.associations[0]).toMatchObject({ outcome: 'rejected', reject: { result: 1, source: 1, reason: 7 } });
    const caller = await run('unknown-caller');
    expect(caller.summary.associations[0]).toMatchObject({ outcome: 'rejected', reject: { result: 1, source: 1, reason: 3 } });
    expect(commands((await run('unknown-destination')).summary)).toEqual(['C-MOVE-RQ', 'C-MOVE-RSP 0xA801']);
    const down = await run('destination-down');
    expect(down.summary.associations.map((a) => a.outcome)).toEqual(['released', 'refused']);
    const rejected = await run('storage-rejected');
    const sub = rejected.summary.associations[1];
    expect(sub.presentationContexts.find((c) => c.abstractSyntax === '1.2.840.10008.5.1.4.1.1.2')?.result).toBe(3);
    expect(rejected.summary.messages.at(-1)).toMatchObject({ commandField: 0x8021, statusCategory: 'failure', failed: 4 });
    const get = await run('get-without-role');
    expect(get.summary.messages.at(-1)).toMatchObject({ commandField: 0x8010, statusCategory: 'failure' });
  });

  it('cancel-move: C-CANCEL-RQ then 0xFE00 with the counters so far', async () => {
    const { summary } = await run('cancel-move');
    const c = commands(summary);
    expect(c).toContain('C-CANCEL-RQ');
    expect(summary.messages.at(-1)).toMatchObject({ commandField: 0x8021, status: 0xfe00 });
  });
});
