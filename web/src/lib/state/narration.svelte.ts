/**
 * The narration of the teaching scenario last run from the UI, shared by the
 * scenarios panel (which runs it and steps through it) and the caption over
 * the diagram (what a projector shows when the panels are hidden). The steps
 * are matched to the live session as its traffic comes.
 */
import type { ScenarioRunState } from '../transport/api.ts';
import { scenarioInfo } from '../../../../shared/scenarios/catalogue.ts';
import { narrate, type NarratedStep, type NarrationTarget } from '../../../../shared/scenarios/narrate.ts';
import { session } from './session.svelte.ts';

class Narration {
  run = $state<ScenarioRunState | null>(null);
  /** The step shown, 0-based; -1 before the first. */
  current = $state(-1);

  readonly steps: NarratedStep[] = $derived.by(() => {
    const run = this.run;
    const info = run ? scenarioInfo(run.name) : undefined;
    return run && info && session.source === 'live' ? narrate(session.summary, info, new Set(run.associations)) : [];
  });

  get step(): NarratedStep | undefined {
    return this.current >= 0 ? this.steps[this.current] : undefined;
  }

  /** Shows step `to` (clamped to the steps seen so far); returns what it points at. */
  go(to: number): NarrationTarget | null {
    let last = this.steps.length - 1;
    while (last >= 0 && !this.steps[last].target) last--;
    if (last < 0) return null;
    this.current = Math.max(0, Math.min(to, last));
    return this.steps[this.current].target;
  }
}

export const narration = new Narration();
