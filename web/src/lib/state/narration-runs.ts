/**
 * The teaching scenario runs the narration can follow, whatever the source
 * shown: the live session's (the server lists them, the catalogue has their
 * words) or a recorded session's (its recording carries them, words
 * included: shared/events/scenario-runs.ts). Pure, so it is tested without a
 * browser; narration.svelte.ts holds the state.
 */
import type { ScenarioRunState, SessionSummary } from '../../../../shared/events/live-api.ts';
import { recordedScenario, type ScenarioRunRecord } from '../../../../shared/events/scenario-runs.ts';
import { scenarioInfo, type ScenarioInfo } from '../../../../shared/scenarios/catalogue.ts';
import type { NarratedStep } from '../../../../shared/scenarios/narrate.ts';
import type { Summary } from '../../../../shared/model/summary-types.ts';

export interface NarrationRun {
  id: string;
  scenario: ScenarioInfo;
  /** ms since the Unix epoch, null when unknown. */
  startTime: number | null;
  /** A recorded run is over, whatever it was when the recording stopped. */
  state: 'running' | 'done';
  error: string | null;
  associations: readonly string[];
  /** True: from a recording; false: run in the live session. */
  recorded: boolean;
}

/** A run of the live session; null for a scenario this page's catalogue does not know (a newer server). */
export function liveRun(run: ScenarioRunState): NarrationRun | null {
  const scenario = scenarioInfo(run.name);
  if (!scenario) return null;
  return { id: run.id, scenario, startTime: run.startTime ?? null, state: run.state, error: run.error, associations: run.associations, recorded: false };
}

export function recordedRun(run: ScenarioRunRecord): NarrationRun {
  const cut = run.endTime === null ? 'the recording stopped before the run ended' : null;
  return { id: run.id, scenario: recordedScenario(run), startTime: run.startTime || null, state: 'done', error: run.error ?? cut, associations: run.associations, recorded: true };
}

/** The runs a session's summary carries (the sessions API adds them: SessionSummary); none for a summary file opened in the page. */
export function recordedRuns(summary: Summary): NarrationRun[] {
  const runs = (summary as Partial<SessionSummary>).scenarioRuns;
  return Array.isArray(runs) ? runs.map(recordedRun) : [];
}

/** The live list with `run` put in (replacing the one of the same id): what a poll of the run started here adds. */
export function withRun(list: readonly ScenarioRunState[], run: ScenarioRunState): ScenarioRunState[] {
  const i = list.findIndex((r) => r.id === run.id);
  return i < 0 ? [...list, run] : list.map((r, k) => (k === i ? run : r));
}

/** The last step whose arrow is shown at `t` seconds of the session (-1: none yet): the step a replay is at. */
export function stepIndexAt(steps: readonly NarratedStep[], t: number): number {
  let at = -1;
  steps.forEach((s, i) => {
    if (s.time !== null && s.time <= t) at = i;
  });
  return at;
}
