/**
 * A teaching scenario run as a recording keeps it (docs/recording-format.md:
 * a `scenarioRun.<id>` key of the metadata) and as the sessions API hands it to
 * the browser (`SessionSummary.scenarioRuns`, live-api.ts): enough to narrate
 * the recorded session again — the steps with their words and what each
 * matches, the run's association ids — so that narrate() re-matches them on
 * the session as decoded today (a better decoder re-reads old recordings,
 * docs/architecture.md §1), and what each step pointed at when it ran.
 * Declared once for the server (writes it) and the browser (reads it).
 */
import type { NarrationStep, ScenarioInfo, StepMatch } from '../scenarios/catalogue.ts';
import type { NarrationTarget } from '../scenarios/narrate.ts';

/**
 * Each run under a metadata key of its own, `scenarioRun.s3`: `M` records are
 * shallow-merged, so an update replaces its key whole — one key a run keeps
 * each update the size of one run, where a single list would be written
 * again whole at every update of every run.
 */
export const SCENARIO_RUN_KEY_PREFIX = 'scenarioRun.';

/** The metadata update that records (or updates) `run`. */
export function scenarioRunMetadata(run: ScenarioRunRecord): Record<string, unknown> {
  return { [`${SCENARIO_RUN_KEY_PREFIX}${run.id}`]: run };
}

export interface RecordedNarrationStep {
  text: string;
  /** Where the standard decides, e.g. "PS3.4 C.4.2.1.4". */
  section: string;
  /** What the step points at, for narrate() to match it again on the decoded session. */
  match: StepMatch;
  /** What it pointed at when the run ended (null: not seen, or the run not yet ended). */
  target: NarrationTarget | null;
}

export interface ScenarioRunRecord {
  /** The run's id in the process that ran it ("s3"): unique within one recording. */
  id: string;
  /** The scenario's name in the catalogue (shared/scenarios/catalogue.ts). */
  name: string;
  title: string;
  summary: string;
  misconfigured: boolean;
  /** When the run started and ended, ms since the Unix epoch (end null while it runs). */
  startTime: number;
  endTime: number | null;
  /** The run's association ids in the recorded session, in the order they opened. */
  associations: string[];
  /** Why the scenario could not be staged, or null. */
  error: string | null;
  steps: RecordedNarrationStep[];
}

/** The scenario to hand narrate() for a recorded run: its own steps, as recorded. */
export function recordedScenario(run: ScenarioRunRecord): ScenarioInfo {
  const steps: NarrationStep[] = run.steps.map((s) => ({ match: s.match, text: s.text, section: s.section }));
  return { name: run.name, title: run.title, summary: run.summary, misconfigured: run.misconfigured, steps };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isMatch(v: unknown): v is StepMatch {
  if (!isObject(v)) return false;
  if (isObject(v.association)) return true;
  return isObject(v.message) && isString(v.message.command);
}

function isTarget(v: unknown): v is NarrationTarget {
  if (!isObject(v)) return false;
  return (v.kind === 'association' && isString(v.id)) || (v.kind === 'message' && Number.isInteger(v.index));
}

function readStep(v: unknown): RecordedNarrationStep | null {
  if (!isObject(v) || !isString(v.text) || !isMatch(v.match)) return null;
  return { text: v.text, section: isString(v.section) ? v.section : '', match: v.match, target: isTarget(v.target) ? v.target : null };
}

function readRun(v: unknown): ScenarioRunRecord | null {
  if (!isObject(v) || !isString(v.id) || !isString(v.name) || !Array.isArray(v.steps)) return null;
  const steps = v.steps.map(readStep);
  if (steps.some((s) => s === null)) return null;
  return {
    id: v.id,
    name: v.name,
    title: isString(v.title) ? v.title : v.name,
    summary: isString(v.summary) ? v.summary : '',
    misconfigured: v.misconfigured === true,
    startTime: typeof v.startTime === 'number' ? v.startTime : 0,
    endTime: typeof v.endTime === 'number' ? v.endTime : null,
    associations: Array.isArray(v.associations) ? v.associations.filter(isString) : [],
    error: isString(v.error) ? v.error : null,
    steps: steps as RecordedNarrationStep[],
  };
}

/**
 * The scenario runs of a recording's metadata, in the order they started.
 * The metadata is data from a file (any writer, any version): a run that
 * does not read as one is left out rather than trusted.
 */
export function scenarioRunsOf(metadata: Record<string, unknown> | null | undefined): ScenarioRunRecord[] {
  if (!metadata) return [];
  const runs: ScenarioRunRecord[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.startsWith(SCENARIO_RUN_KEY_PREFIX)) continue;
    const run = readRun(value);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id, undefined, { numeric: true }));
}
