/**
 * A teaching scenario run goes into the recording with its narration
 * (shared/events/scenario-runs.ts, docs/recording-format.md): from the live
 * server's API (listed for a reloaded page, handed back by the sessions API
 * when the recording is opened) and from `pacscope scenario NAME --record
 * FILE`; re-matched on the decoded session, each step points where it
 * pointed live. Real runs, real files on disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveFixture, type LiveFixture } from '../live/live-fixture.ts';
import { readRecordingFile } from '../../../server/recording/reader.ts';
import { RecordingWriter } from '../../../server/recording/writer.ts';
import { openWireSource } from '../../../server/sources/open-source.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { recordedScenario, scenarioRunMetadata, scenarioRunsOf, type ScenarioRunRecord } from '../../../shared/events/scenario-runs.ts';
import type { ScenarioRunList, ScenarioRunState, SessionSummary } from '../../../shared/events/live-api.ts';
import { narrate } from '../../../shared/scenarios/narrate.ts';
import { scenarioInfo } from '../../../shared/scenarios/catalogue.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';

const REPO = new URL('../../../', import.meta.url).pathname;

let live: LiveFixture;

beforeAll(async () => {
  live = await startLiveFixture({ sessions: true });
});

afterAll(async () => {
  await live?.stop();
});

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(`${live.base}${path}`, init);
  expect(r.ok, `${path}: ${r.status}`).toBe(true);
  return (await r.json()) as T;
}

async function runToEnd(name: string): Promise<ScenarioRunState> {
  const started = await json<ScenarioRunState>(`/api/scenarios/${name}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  for (let i = 0; i < 200; i++) {
    const state = await json<ScenarioRunState>(`/api/scenarios/runs/${started.id}`);
    if (state.state === 'done') return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`scenario ${name} did not end`);
}

/** The recorded run narrated again on the decoded session: every step's target, as narrate() finds it today. */
const rematched = (summary: Summary, run: ScenarioRunRecord) => narrate(summary, recordedScenario(run), new Set(run.associations)).map((s) => s.target);

describe('scenario runs in the recording', () => {
  it('a run from the live API is listed, recorded, and narrated again when the recording is opened', async () => {
    // Other traffic first: the run's associations are not the session's first.
    const echo = await runToEnd('echo');
    const move = await runToEnd('sync-vs-async');
    expect(move.error).toBeNull();
    expect(move.startTime).toBeGreaterThan(echo.startTime - 1);

    // A page that reloads gets the runs of the live session again.
    const list = await json<ScenarioRunList>('/api/scenarios/runs');
    expect(list.map((r) => [r.id, r.name, r.state])).toEqual([
      [echo.id, 'echo', 'done'],
      [move.id, 'sync-vs-async', 'done'],
    ]);
    expect(list[1].associations).toEqual(move.associations);

    // The live recording, opened through the sessions API: the runs with their steps, pointing where they pointed live.
    const opened = await json<SessionSummary>('/api/sessions/live.pacscope');
    expect(opened.scenarioRuns.map((r) => r.id)).toEqual([echo.id, move.id]);
    const recorded = opened.scenarioRuns[1];
    const info = scenarioInfo('sync-vs-async')!;
    expect(recorded).toMatchObject({ name: 'sync-vs-async', title: info.title, associations: move.associations, error: null });
    expect(recorded.endTime).toBeGreaterThanOrEqual(recorded.startTime);
    expect(recorded.steps.map((s) => [s.text, s.section])).toEqual(info.steps.map((s) => [s.text, s.section]));
    expect(recorded.steps.every((s) => s.target !== null)).toBe(true);
    const liveNarration = narrate(live.hub.summary(), info, new Set(move.associations)).map((s) => s.target);
    expect(recorded.steps.map((s) => s.target)).toEqual(liveNarration);
    expect(rematched(opened, recorded)).toEqual(liveNarration);
    // The echo run's steps point at the echo's own association, not at the move's.
    expect(opened.scenarioRuns[0].steps[0].target).toEqual({ kind: 'association', id: echo.associations[0] });
  });

  it('pacscope scenario NAME --record FILE records the run and its narration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pacscope-scenario-rec-'));
    try {
      const file = join(dir, 'cancel.pacscope');
      const r = spawnSync(process.execPath, [join(REPO, 'bin/pacscope.js'), 'scenario', 'cancel-move', '--record', file], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const { meta, errors } = await readRecordingFile(file);
      expect(errors).toEqual([]);
      expect(Object.keys(meta!.metadata)).toEqual(['scenarioRun.s1']);
      const [run] = scenarioRunsOf(meta!.metadata);
      expect(run).toMatchObject({ id: 's1', name: 'cancel-move', error: null });
      expect(run.associations.length).toBeGreaterThan(0);
      expect(run.steps.map((s) => s.target?.kind)).toEqual(['message', 'message', 'message']);

      // Decoded again as `pacscope open FILE` does: the same steps found.
      const source = await openWireSource(file);
      const hub = await CaptureHub.open({ source: { kind: 'file', description: file }, format: source.format });
      for await (const batch of source.batches()) for (const e of batch) hub.sink(e);
      await hub.close();
      expect(rematched(hub.summary(), run)).toEqual(run.steps.map((s) => s.target));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads runs from metadata as data: one key a run, ordered by start, malformed ones left out; a run cut short reads as not ended', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pacscope-scenario-meta-'));
    try {
      const file = join(dir, 'cut.pacscope');
      const writer = await RecordingWriter.open(file, { tool: { name: 'pacscope', version: 'test' }, startTime: 1, source: { kind: 'test', description: 'test' }, metadata: { label: 'kept' } });
      const base: ScenarioRunRecord = { id: 's2', name: 'echo', title: 'C-ECHO', summary: '', misconfigured: false, startTime: 2000, endTime: null, associations: [], error: null, steps: [{ text: 'a step', section: 'PS3.7', match: { message: { command: 'C-ECHO-RQ' } }, target: null }] };
      writer.writeMetadata(scenarioRunMetadata(base));
      writer.writeMetadata(scenarioRunMetadata({ ...base, id: 's1', startTime: 1000, endTime: 1500, associations: ['a1'] }));
      // The same run updated: its key replaced whole.
      writer.writeMetadata(scenarioRunMetadata({ ...base, associations: ['a2'] }));
      writer.writeMetadata({ 'scenarioRun.bad': { id: 'bad', name: 'x', steps: [{ text: 1 }] }, 'scenarioRun.worse': 'text' });
      await writer.close();
      const { meta } = await readRecordingFile(file);
      expect(meta!.metadata.label).toBe('kept');
      const runs = scenarioRunsOf(meta!.metadata);
      expect(runs.map((r) => [r.id, r.endTime, r.associations])).toEqual([
        ['s1', 1500, ['a1']],
        ['s2', null, ['a2']],
      ]);
      expect(scenarioRunsOf(null)).toEqual([]);
      expect(scenarioRunsOf({ scenarioRun: [] })).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
