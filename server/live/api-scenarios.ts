/**
 * Teaching scenarios run from the UI (docs/live-api.md) through the live
 * capture hub, so they draw live beside everything else; the browser has the
 * catalogue and narration itself (shared/scenarios/) and learns here which
 * associations are the run's.
 *
 *   POST /api/scenarios/:name/run   {delayMs?} → 201 ScenarioRunState
 *   GET  /api/scenarios/runs/:id    ScenarioRunState
 */
import type { CaptureHub } from '../capture/hub.ts';
import type { ScenarioRunState } from '../../shared/events/live-api.ts';
import { scenarioInfo } from '../../shared/scenarios/catalogue.ts';
import { runScenario } from '../scenarios/run-scenario.ts';
import { HttpError } from './http-json.ts';
import { RunRegistry } from './run-registry.ts';

/** Runs kept for their state (the oldest finished ones are forgotten first). */
const KEEP = 50;

export class ScenarioRuns {
  private readonly runs = new RunRegistry<ScenarioRunState>('s', KEEP);

  constructor(private readonly hub: CaptureHub) {}

  start(name: string, body: Record<string, unknown>): ScenarioRunState {
    if (!scenarioInfo(name)) throw new HttpError(404, `no scenario "${name}"`);
    const delay = body.delayMs ?? 0;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 10_000) throw new HttpError(400, `"delayMs" must be an integer from 0 to 10000, got ${JSON.stringify(delay)}`);
    const view: ScenarioRunState = { id: this.runs.newId(), name, state: 'running', associations: [], error: null };
    // A scenario runs to its end (its actors close themselves): the abort is not wired to anything.
    const run = runScenario(name, this.hub, { subOperationDelayMs: delay, onAssociation: (id) => view.associations.push(id) }).then(
      (r) => void (view.error = r.error),
      (e: unknown) => void (view.error = e instanceof Error ? e.message : String(e)),
    );
    return this.runs.add(view, new AbortController(), run);
  }

  get(id: string): ScenarioRunState {
    const run = this.runs.get(id);
    if (!run) throw new HttpError(404, `no scenario run ${id}`);
    return run;
  }

  /** Waits for the runs still going (server shutdown, tests). */
  close(): Promise<void> {
    return this.runs.close();
  }
}
