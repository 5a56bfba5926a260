/**
 * The narration of a teaching scenario run on the source shown, shared by
 * the scenarios panel (which runs scenarios, lists the runs and steps
 * through one) and the caption over the diagram (what a projector shows when
 * the panels are hidden). Live, the runs come from the server and the steps
 * are matched to the session as its traffic comes; on a recorded session,
 * the runs its recording carries are matched to the session as decoded, and
 * a replay moves the caption as it passes each step's arrow (`follow`).
 *
 * The step shown belongs to one run of one source: switching either starts
 * before the first step again.
 */
import type { ScenarioRunState } from '../transport/api.ts';
import { narrate, type NarratedStep, type NarrationTarget } from '../../../../shared/scenarios/narrate.ts';
import { liveRun, recordedRuns, stepIndexAt, withRun, type NarrationRun } from './narration-runs.ts';
import { session } from './session.svelte.ts';

class Narration {
  /** The live session's runs, oldest first (from the server, and the run started here as it is polled). */
  live = $state.raw<ScenarioRunState[]>([]);
  /** The run chosen per source (by id); none chosen: the last one. */
  #chosen = $state<Record<string, string>>({});
  /** The step shown (0-based, -1 before the first) and the run it belongs to. */
  #cursor = $state({ key: '', index: -1 });
  /** The step a replay last passed, so that a replay moves the caption only when it passes another step. */
  #followed = { key: '', index: -1 };

  /** Which source is shown: runs and the chosen one are per source. */
  get source(): string {
    return session.source === 'live' ? 'live' : session.source === 'session' ? `s:${session.sessionName}` : 'file';
  }

  readonly runs: NarrationRun[] = $derived.by(() => {
    if (session.source === 'live') return this.live.map(liveRun).filter((r): r is NarrationRun => r !== null);
    return recordedRuns(session.summary);
  });

  readonly run: NarrationRun | null = $derived.by(() => {
    const id = this.#chosen[this.source];
    return this.runs.find((r) => r.id === id) ?? this.runs.at(-1) ?? null;
  });

  readonly steps: NarratedStep[] = $derived.by(() => {
    const run = this.run;
    return run ? narrate(session.summary, run.scenario, new Set(run.associations)) : [];
  });

  /** The cursor's owner: this source's chosen run. */
  get #key(): string {
    return `${this.source}|${this.run?.id ?? ''}`;
  }

  /** The step shown, 0-based; -1 before the first. */
  get current(): number {
    return this.#cursor.key === this.#key ? this.#cursor.index : -1;
  }

  set current(index: number) {
    this.#cursor = { key: this.#key, index };
  }

  get step(): NarratedStep | undefined {
    return this.current >= 0 ? this.steps[this.current] : undefined;
  }

  /** Narrates run `id` of the source shown, from before its first step. */
  choose(id: string): void {
    this.#chosen = { ...this.#chosen, [this.source]: id };
    this.current = -1;
  }

  /** A run of the live session started or polled here: listed, and chosen when `choose`. */
  track(run: ScenarioRunState, choose = false): void {
    this.live = withRun(this.live, run);
    if (choose) this.#chosen = { ...this.#chosen, live: run.id };
  }

  /** Shows step `to` (clamped to the steps seen so far); returns what it points at. */
  go(to: number): NarrationTarget | null {
    let last = this.steps.length - 1;
    while (last >= 0 && !this.steps[last].target) last--;
    if (last < 0) return null;
    this.current = Math.max(0, Math.min(to, last));
    const step = this.steps[this.current];
    // A replay about to be moved to this step's time must not then move the caption to a step of the same instant.
    if (step.time !== null) this.#followed = { key: this.#key, index: stepIndexAt(this.steps, step.time) };
    return step.target;
  }

  /** A replay at `t` seconds of the session: the caption shows the last step it has passed, whenever it passes another. */
  follow(t: number): void {
    const index = stepIndexAt(this.steps, t);
    const key = this.#key;
    if (this.#followed.key === key && this.#followed.index === index) return;
    this.#followed = { key, index };
    this.current = index;
  }
}

export const narration = new Narration();
