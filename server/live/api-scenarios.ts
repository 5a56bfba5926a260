/**
 * Teaching scenarios run from the UI (docs/live-api.md) through the live
 * capture hub, so they draw live beside everything else; the browser has the
 * catalogue and narration itself (shared/scenarios/) and learns here which
 * associations are the run's. Each run is also written into the live
 * recording (a metadata record per change, shared/events/scenario-runs.ts),
 * so the session opened later is narrated as it was live.
 *
 *   POST /api/scenarios/:name/run   {delayMs?} → 201 ScenarioRunState
 *   GET  /api/scenarios/runs        ScenarioRunList (the live session's runs, oldest first)
 *   GET  /api/scenarios/runs/:id    ScenarioRunState
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptureHub } from '../capture/hub.ts';
import type { ScenarioRunList, ScenarioRunState } from '../../shared/events/live-api.ts';
import { scenarioRunMetadata } from '../../shared/events/scenario-runs.ts';
import { scenarioInfo, type ScenarioInfo } from '../../shared/scenarios/catalogue.ts';
import { scenarioRunRecord } from '../../shared/scenarios/run-record.ts';
import { runScenario } from '../scenarios/run-scenario.ts';
import { HttpError, readJsonObject, sendJson } from './http-json.ts';
import { RunRegistry } from './run-registry.ts';

/** Runs kept for their state (the oldest finished ones are forgotten first). */
const KEEP = 50;
/** Runs listed for a page that reloads (the recording keeps them all). */
const LISTED = 200;

export class ScenarioRuns {
  private readonly runs = new RunRegistry<ScenarioRunState>('s', KEEP);
  private readonly listed: ScenarioRunState[] = [];

  constructor(private readonly hub: CaptureHub) {}

  start(name: string, body: Record<string, unknown>): ScenarioRunState {
    const scenario = scenarioInfo(name);
    if (!scenario) throw new HttpError(404, `no scenario "${name}"`);
    const delay = body.delayMs ?? 0;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 10_000) throw new HttpError(400, `"delayMs" must be an integer from 0 to 10000, got ${JSON.stringify(delay)}`);
    const view: ScenarioRunState = { id: this.runs.newId(), name, state: 'running', startTime: Date.now(), associations: [], error: null };
    this.listed.push(view);
    if (this.listed.length > LISTED) this.listed.shift();
    // Recorded at once and as each association opens: a recording cut short (serve stopped, a crash) still narrates what it holds.
    this.record(view, scenario, null);
    const onAssociation = (id: string): void => {
      view.associations.push(id);
      this.record(view, scenario, null);
    };
    // A scenario runs to its end (its actors close themselves): the abort is not wired to anything.
    const run = runScenario(name, this.hub, { subOperationDelayMs: delay, onAssociation }).then(
      (r) => void (view.error = r.error),
      (e: unknown) => void (view.error = e instanceof Error ? e.message : String(e)),
    ).finally(() => this.record(view, scenario, Date.now()));
    return this.runs.add(view, new AbortController(), run);
  }

  get(id: string): ScenarioRunState {
    const run = this.runs.get(id);
    if (!run) throw new HttpError(404, `no scenario run ${id}`);
    return run;
  }

  list(): ScenarioRunList {
    return this.listed;
  }

  /** Waits for the runs still going (server shutdown, tests). */
  close(): Promise<void> {
    return this.runs.close();
  }

  /** The run into the recording; once ended (`endTime`), with what each step points at. */
  private record(view: ScenarioRunState, scenario: ScenarioInfo, endTime: number | null): void {
    const facts = { id: view.id, scenario, startTime: view.startTime, endTime, associations: view.associations, error: view.error };
    const record = scenarioRunRecord(facts, endTime === null ? null : this.hub.summary());
    // Narrated on the live window, whose message indices are its own: the recording's are the whole session's.
    const first = this.hub.window.info().first.message;
    for (const step of record.steps) if (step.target?.kind === 'message') step.target = { ...step.target, index: step.target.index + first };
    this.hub.recordMetadata(scenarioRunMetadata(record));
  }
}

/** `parts`: the path after /api/scenarios, decoded. */
export async function scenariosApi(req: IncomingMessage, res: ServerResponse, scenarios: ScenarioRuns, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET' && parts[0] === 'runs' && parts.length === 1) return sendJson(res, 200, scenarios.list());
  if (method === 'GET' && parts[0] === 'runs' && parts.length === 2) return sendJson(res, 200, scenarios.get(parts[1]));
  if (method === 'POST' && parts[1] === 'run' && parts.length === 2) return sendJson(res, 201, scenarios.start(parts[0], await readJsonObject(req)));
  throw new HttpError(parts.length === 2 ? 405 : 404, `no ${method} /api/scenarios/${parts.join('/')}`);
}
