/**
 * Matches a scenario's narration to the session its run produced: step by
 * step, each step points at the first association start or DIMSE message
 * after the previous step's that fits it. Steps not (yet) seen point at
 * nothing — live, they fill in as the traffic comes. Pure and linear in the
 * session's size.
 */
import type { Summary } from '../model/summary-types.ts';
import type { NarrationStep, ScenarioInfo } from './catalogue.ts';
import { commandOf } from '../dimse/message-words.ts';

export type NarrationTarget = { kind: 'association'; id: string } | { kind: 'message'; index: number };

export interface NarratedStep extends NarrationStep {
  /** 1-based, for people. */
  number: number;
  target: NarrationTarget | null;
  /** Seconds from the session's start of what it points at. */
  time: number | null;
}

interface Moment {
  time: number;
  /** Associations start before the messages of the same instant. */
  order: number;
  target: NarrationTarget;
  fits(step: NarrationStep): boolean;
}

/** `only`: the associations of this run (other traffic of the session is not narrated); null: all. */
export function narrate(summary: Summary, scenario: ScenarioInfo, only: ReadonlySet<string> | null = null): NarratedStep[] {
  const byId = new Map(summary.associations.map((a) => [a.id, a]));
  const moments: Moment[] = [];
  for (const a of summary.associations) {
    if (only && !only.has(a.id)) continue;
    moments.push({
      time: a.start,
      order: 0,
      target: { kind: 'association', id: a.id },
      fits: (step) =>
        'association' in step.match &&
        (step.match.association.callingAe === undefined || step.match.association.callingAe === a.requestor.ae) &&
        (step.match.association.calledAe === undefined || step.match.association.calledAe === a.acceptor.ae) &&
        (step.match.association.outcome === undefined || step.match.association.outcome === a.outcome),
    });
  }
  summary.messages.forEach((m, index) => {
    if (only && !only.has(m.association)) return;
    const a = byId.get(m.association);
    const [fromAe, toAe] = m.side === 'requestor' ? [a?.requestor.ae, a?.acceptor.ae] : [a?.acceptor.ae, a?.requestor.ae];
    moments.push({
      time: m.time,
      order: 1,
      target: { kind: 'message', index },
      fits: (step) =>
        'message' in step.match &&
        step.match.message.command === commandOf(m) &&
        (step.match.message.statusCategory === undefined || step.match.message.statusCategory === m.statusCategory) &&
        (step.match.message.fromAe === undefined || step.match.message.fromAe === fromAe) &&
        (step.match.message.toAe === undefined || step.match.message.toAe === toAe),
    });
  });
  // Stable: messages keep their order within an instant.
  moments.sort((x, y) => x.time - y.time || x.order - y.order);

  const out: NarratedStep[] = [];
  let at = 0;
  for (const [i, step] of scenario.steps.entries()) {
    let found: Moment | null = null;
    for (let k = at; k < moments.length; k++) {
      if (moments[k].fits(step)) {
        found = moments[k];
        at = k + 1;
        break;
      }
    }
    out.push({ ...step, number: i + 1, target: found?.target ?? null, time: found?.time ?? null });
    // Once a step is missing, later ones cannot be placed after it.
    if (!found) at = moments.length;
  }
  return out;
}
