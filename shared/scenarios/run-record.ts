/**
 * What a recording keeps of a teaching scenario run
 * (shared/events/scenario-runs.ts): the catalogue's steps with, once the run
 * has traffic, what each one points at in the session. Pure: the server
 * builds it from its hub's summary as the run goes.
 */
import type { ScenarioRunRecord } from '../events/scenario-runs.ts';
import type { Summary } from '../model/summary-types.ts';
import type { ScenarioInfo } from './catalogue.ts';
import { narrate } from './narrate.ts';

export interface ScenarioRunFacts {
  id: string;
  scenario: ScenarioInfo;
  startTime: number;
  endTime: number | null;
  associations: readonly string[];
  error: string | null;
}

/** The record of a run; `summary`: the session so far (null before it has any traffic: every target null). */
export function scenarioRunRecord(run: ScenarioRunFacts, summary: Summary | null): ScenarioRunRecord {
  const { scenario } = run;
  const narrated = summary ? narrate(summary, scenario, new Set(run.associations)) : null;
  return {
    id: run.id,
    name: scenario.name,
    title: scenario.title,
    summary: scenario.summary,
    misconfigured: scenario.misconfigured,
    startTime: run.startTime,
    endTime: run.endTime,
    associations: [...run.associations],
    error: run.error,
    steps: scenario.steps.map((s, i) => ({ text: s.text, section: s.section, match: s.match, target: narrated?.[i]?.target ?? null })),
  };
}
