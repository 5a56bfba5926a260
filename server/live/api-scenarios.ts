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

/** Runs kept for their state (the oldest finished ones are forgotten first). */
const KEEP = 50;

export class ScenarioRuns {
  private readonly runs = new Map<string, { view: ScenarioRunState; done: Promise<void> }>();
  private next = 1;

  constructor(private readonly hub: CaptureHub) {}

  start(name: string, body: Record<string, unknown>): ScenarioRunState {
    if (!scenarioInfo(name)) throw new HttpError(404, `no scenario "${name}"`);
    const delay = body.delayMs ?? 0;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 10_000) throw new HttpError(400, `"delayMs" must be an integer from 0 to 10000, got ${JSON.stringify(delay)}`);
    const view: ScenarioRunState = { id: `s${this.next++}`, name, state: 'running', associations: [], error: null };
    const done = runScenario(name, this.hub, { subOperationDelayMs: delay, onAssociation: (id) => view.associations.push(id) })
      .then(
        (run) => void (view.error = run.error),
        (e: unknown) => void (view.error = e instanceof Error ? e.message : String(e)),
      )
      .finally(() => void (view.state = 'done'));
    this.runs.set(view.id, { view, done });
    for (const [id, r] of this.runs) {
      if (this.runs.size <= KEEP) break;
      if (r.view.state === 'done') this.runs.delete(id);
    }
    return view;
  }

  get(id: string): ScenarioRunState {
    const run = this.runs.get(id);
    if (!run) throw new HttpError(404, `no scenario run ${id}`);
    return run.view;
  }

  /** Waits for the runs still going (server shutdown, tests). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }

  async settled(id: string): Promise<ScenarioRunState> {
    const run = this.runs.get(id);
    if (!run) throw new HttpError(404, `no scenario run ${id}`);
    await run.done;
    return run.view;
  }
}
