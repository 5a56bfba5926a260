/**
 * Runs a teaching scenario on its own stage through a capture hub (the
 * `pacscope serve` hub, so it shows live, or a fresh one for `pacscope
 * scenario`), and tells which associations are the scenario's: those to the
 * stage's ports, whatever else the hub sees at the same time.
 */
import type { CaptureHub } from '../capture/hub.ts';
import { SCENARIOS, scenarioInfo, type ScenarioInfo } from '../../shared/scenarios/catalogue.ts';
import { SCRIPTS } from './scripts.ts';
import { Stage } from './stage.ts';

export interface ScenarioRunOptions {
  /** Pause before each C-MOVE/C-GET sub-operation (ms), to watch them arrive. */
  subOperationDelayMs?: number;
  /** Each association of the run as it opens. */
  onAssociation?: (id: string) => void;
}

export interface ScenarioRun {
  scenario: ScenarioInfo;
  /** The run's association ids in the hub, in order. */
  associations: string[];
  /** Null, or why the scenario could not be staged. */
  error: string | null;
}

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export async function runScenario(name: string, hub: CaptureHub, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
  const scenario = scenarioInfo(name);
  const script = SCRIPTS[name];
  if (!scenario || !script) throw new Error(`no scenario "${name}"; there are: ${SCENARIO_NAMES.join(', ')}`);
  const stage = await Stage.open(hub, options.subOperationDelayMs ?? 0);
  const associations: string[] = [];
  const stop = hub.onDerived((event) => {
    if ((event.type === 'connection.open' || event.type === 'connection.refused') && stage.ports.has(event.acceptor.port)) {
      associations.push(event.association);
      options.onAssociation?.(event.association);
    }
  });
  let error: string | null = null;
  try {
    await script(stage);
    // The last release or close reaches the hub a moment after the SCU's promise settles.
    await new Promise((r) => setTimeout(r, 100));
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    await stage.close();
    stop();
  }
  return { scenario, associations, error };
}
