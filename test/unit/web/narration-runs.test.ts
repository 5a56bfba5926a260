/**
 * The runs the narration follows (web/src/lib/state/narration-runs.ts): a
 * live run from the catalogue, a recorded run from its own steps, the step a
 * replay is at.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioRunState, SessionSummary } from '../../../shared/events/live-api.ts';
import type { ScenarioRunRecord } from '../../../shared/events/scenario-runs.ts';
import { scenarioInfo } from '../../../shared/scenarios/catalogue.ts';
import type { NarratedStep } from '../../../shared/scenarios/narrate.ts';
import { emptySummary } from '../../../web/src/lib/state/apply-delta.ts';
import { liveRun, recordedRuns, stepIndexAt, withRun } from '../../../web/src/lib/state/narration-runs.ts';

const state = (id: string, more: Partial<ScenarioRunState> = {}): ScenarioRunState => ({ id, name: 'echo', state: 'running', startTime: 5, associations: [], error: null, ...more });

describe('narration runs', () => {
  it('a live run takes its words from the catalogue; an unknown scenario is left out', () => {
    expect(liveRun(state('s1'))?.scenario).toBe(scenarioInfo('echo'));
    expect(liveRun(state('s1', { name: 'from-a-newer-server' }))).toBeNull();
  });

  it('a polled run replaces its earlier state in the list, a new one is appended', () => {
    const list = [state('s1'), state('s2')];
    expect(withRun(list, state('s2', { state: 'done', associations: ['a3'] })).map((r) => [r.id, r.state, r.associations])).toEqual([
      ['s1', 'running', []],
      ['s2', 'done', ['a3']],
    ]);
    expect(withRun(list, state('s3')).map((r) => r.id)).toEqual(['s1', 's2', 's3']);
  });

  it('a recorded run narrates with its own recorded words; one cut short says so', () => {
    const record: ScenarioRunRecord = { id: 's4', name: 'echo', title: 'Old title', summary: '', misconfigured: false, startTime: 7, endTime: null, associations: ['a2'], error: null, steps: [{ text: 'recorded words', section: 'PS3.7', match: { message: { command: 'C-ECHO-RQ' } }, target: null }] };
    const summary: SessionSummary = { ...emptySummary(), scenarioRuns: [record] };
    const [run] = recordedRuns(summary);
    expect(run).toMatchObject({ id: 's4', recorded: true, state: 'done', associations: ['a2'], startTime: 7 });
    expect(run.scenario.title).toBe('Old title');
    expect(run.scenario.steps[0].text).toBe('recorded words');
    expect(run.error).toMatch(/stopped before the run ended/);
    // A summary file opened in the page has none.
    expect(recordedRuns(emptySummary())).toEqual([]);
  });

  it('the step a replay is at: the last one whose arrow is shown', () => {
    const step = (time: number | null): NarratedStep => ({ number: 0, text: '', section: '', match: { message: { command: 'C-ECHO-RQ' } }, target: null, time });
    const steps = [step(0.1), step(0.5), step(0.5), step(null), step(2)];
    expect(stepIndexAt(steps, 0)).toBe(-1);
    expect(stepIndexAt(steps, 0.1)).toBe(0);
    expect(stepIndexAt(steps, 0.7)).toBe(2);
    expect(stepIndexAt(steps, 5)).toBe(4);
  });
});
