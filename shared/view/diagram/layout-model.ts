/**
 * The association-level part of the layout: which associations are drawn,
 * their parents and duplicates (associations.ts), the lifelines and their
 * left-to-right order (lifelines.ts), the filter's choice (filter.ts). It is
 * computed from the whole summary (in time proportional to it), so the
 * incremental layout recomputes it only when it may have changed, and keeps
 * what is drawn only when the change leaves everything drawn so far in place:
 * see `keepsPlan`, `keepsLifelines` and `mayChangePlan`.
 *
 * An association is drawn from its A-ASSOCIATE-RQ on: before it, it is a
 * TCP connection without AE titles, whose lifeline would be "no AE title"
 * for the instant until the request names it (and every lane would move
 * twice).
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../model/summary-types.ts';
import { planAssociations, type AssociationPlan } from './associations.ts';
import { assignLifelines, type LifelineAssignment } from './lifelines.ts';
import { chooseAssociations, isFilterActive, messageMatches, type DiagramFilter } from './filter.ts';
import { GEOMETRY, type LaidLifeline, type LayoutOptions } from './layout-types.ts';
import { CommandField } from '../../dimse/command-fields.ts';

export interface PlanModel {
  plan: AssociationPlan;
  /** The associations the plan keeps that are drawn, unfiltered: not before their A-ASSOCIATE-RQ. */
  kept: SummaryAssociation[];
  keptIds: Set<string>;
  /** Lifelines and ends of every kept association (before the filter). */
  assignment: LifelineAssignment;
  /** The active filter, or null. */
  filter: DiagramFilter | null;
  /** With a filter: the associations chosen by AE and association, before the messages are looked at. */
  chosen: Set<string> | null;
  /** Both members of every duplicate pair: their message counts decide which one is drawn. */
  twins: Set<string>;
  /** Associations with a C-STORE-RQ naming a move originator (the first one links a sub-association). */
  originators: Set<string>;
}

/** A connection whose A-ASSOCIATE-RQ has not been seen yet (not one the capture joined mid-stream). */
export function awaitingRequest(a: SummaryAssociation): boolean {
  return a.outcome === 'open' && !a.midStream && a.requestor.ae === null && a.acceptor.ae === null && a.presentationContexts.length === 0;
}

/** `originators`: kept up to date by the caller as messages come (see PlanModel). */
export function planModel(summary: Summary, options: LayoutOptions, originators: Set<string>): PlanModel {
  const plan = planAssociations(summary);
  const kept = plan.kept.filter((a) => !awaitingRequest(a));
  const assignment = assignLifelines(kept, plan.parents, options.endpoints ?? [], summary.messages);
  const filter = options.filter && isFilterActive(options.filter) ? options.filter : null;
  const twins = new Set<string>();
  for (const [dup, kept] of plan.duplicateOf) twins.add(dup).add(kept);
  return {
    plan,
    kept,
    keptIds: new Set(kept.map((a) => a.id)),
    assignment,
    filter,
    chosen: filter ? chooseAssociations(kept, plan.parents, filter, laneAes(assignment)) : null,
    twins,
    originators,
  };
}

/** The AE titles of an association's two lanes (the filter's AE choice matches what the lanes are called, inferred names included). */
function laneAes(assignment: LifelineAssignment): (id: string) => [string, string] | undefined {
  const ae = new Map(assignment.lifelines.map((l) => [l.key, l.ae]));
  return (id) => {
    const e = assignment.ends.get(id);
    return e && [ae.get(e.requestor) ?? '', ae.get(e.acceptor) ?? ''];
  };
}

/** Is the message drawn, given its association is (the filter's command and status)? */
export function messagePasses(model: PlanModel, m: SummaryMessage): boolean {
  return model.filter === null || (model.chosen!.has(m.association) && messageMatches(m, model.filter));
}

/**
 * The associations drawn: all kept ones; with a filter the chosen ones, and
 * with a command or status filter only those with a message drawn (or the
 * one the association filter names). `withMessages`: associations with a
 * message that passes.
 */
export function drawnAssociations(model: PlanModel, withMessages: ReadonlySet<string>): Set<string> {
  const f = model.filter;
  if (f === null) return model.keptIds;
  if (f.command === null && f.status === null) return model.chosen!;
  return new Set([...model.chosen!].filter((id) => withMessages.has(id) || id === f.association));
}

export interface LaidModel {
  lifelines: LaidLifeline[];
  laneX: Map<string, number>;
  /** Drawn association id → lifeline keys of its requestor and acceptor. */
  ends: Map<string, { requestor: string; acceptor: string }>;
}

/** The lifelines of the drawn associations (all of them unfiltered), in the unfiltered order, with their x. */
export function layLifelines(model: PlanModel, drawn: ReadonlySet<string>): LaidModel {
  const all = model.assignment;
  const ends = model.filter ? new Map([...all.ends].filter(([id]) => drawn.has(id))) : all.ends;
  const used = model.filter ? new Set([...ends.values()].flatMap((e) => [e.requestor, e.acceptor])) : null;
  const lifelines = used ? all.lifelines.filter((l) => used.has(l.key)).map((l, order) => ({ ...l, order })) : all.lifelines;
  const laneX = new Map<string, number>();
  const laid = lifelines.map((l) => {
    const x = GEOMETRY.left + l.order * GEOMETRY.laneWidth;
    laneX.set(l.key, x);
    return { ...l, x };
  });
  return { lifelines: laid, laneX, ends };
}

/**
 * Does the new plan treat every association of the old one as before: drawn
 * or hidden as a duplicate of the same one, on the same lifelines, chosen by
 * the filter or not? (A new parent moves nothing by itself: the lifelines
 * and the nesting, which follows time, say whether anything moves.) The one
 * exception: an association awaiting its A-ASSOCIATE-RQ may now be drawn, if
 * nothing of it was seen before (`seen`: associations of the messages and
 * PDUs so far).
 */
export function keepsPlan(old: PlanModel, next: PlanModel, ids: readonly string[], seen: ReadonlySet<string>): boolean {
  for (const id of ids) {
    if (old.plan.duplicateOf.get(id) !== next.plan.duplicateOf.get(id)) return false;
    if (!old.keptIds.has(id)) {
      if (next.keptIds.has(id) && seen.has(id)) return false;
      continue;
    }
    if (!next.keptIds.has(id)) return false;
    const e = old.assignment.ends.get(id);
    const f = next.assignment.ends.get(id);
    if (e?.requestor !== f?.requestor || e?.acceptor !== f?.acceptor) return false;
    if (old.chosen?.has(id) !== next.chosen?.has(id)) return false;
  }
  return true;
}

/** The associations whose parent C-MOVE changed (their bars say so). */
export function reparented(old: PlanModel, next: PlanModel, ids: readonly string[]): string[] {
  return ids.filter((id) => {
    const p = old.plan.parents.get(id);
    const q = next.plan.parents.get(id);
    return p?.association !== q?.association || p?.messageIndex !== q?.messageIndex;
  });
}

/**
 * Are the old lifelines still there, in the same places, with any new ones
 * only to their right (so nothing drawn moves)? Then the lifelines, the old
 * objects kept where nothing of them changed (a lifeline becomes a move
 * destination when a parent link arrives: drawn differently, same place).
 */
export function keepsLifelines(old: LaidLifeline[], next: LaidLifeline[]): LaidLifeline[] | null {
  if (next.length < old.length) return null;
  let same = next.length === old.length;
  const kept = next.map((b, i) => {
    const a = old[i];
    if (!a) return b;
    if (a.key !== b.key || a.order !== b.order || a.x !== b.x) same = false;
    return a.ae === b.ae && a.named === b.named && a.endpoint === b.endpoint && a.rank === b.rank && a.ports.length === b.ports.length && a.connections === b.connections ? a : ((same = false), b);
  });
  for (let i = 0; i < old.length; i++) if (old[i].key !== next[i].key || old[i].order !== next[i].order || old[i].x !== next[i].x) return null;
  return same ? old : kept;
}

/**
 * Could these new messages change what planAssociations (associations.ts)
 * decides? It reads messages only for: the message counts of duplicate
 * pairs (which one is drawn), C-MOVE requests and their final responses
 * (candidate parents and how long they ran), and the first C-STORE-RQ of an
 * association that names a move originator. Any such message → replan. Keep
 * this in step with associations.ts (the random-delta test of the
 * incremental layout compares with a full layout).
 */
export function mayChangePlan(model: PlanModel, messages: readonly SummaryMessage[]): boolean {
  for (const m of messages) {
    if (model.twins.has(m.association)) return true;
    if (m.commandField === CommandField.CMoveRq) return true;
    if (m.commandField === CommandField.CMoveRsp && m.statusCategory !== 'pending') return true;
    if (m.commandField === CommandField.CStoreRq && m.moveOriginator && !model.originators.has(m.association)) return true;
  }
  return false;
}
