/**
 * The sequence diagram as geometry: Summary → lifelines, association bars,
 * arrows with labels, links from a C-MOVE to its sub-association. Pure: the
 * Svelte components only draw what this returns.
 *
 * Vertical axis: ordinal (one row per event) or real time (y proportional to
 * seconds). Bars on a lifeline that overlap in time are nested: each one is
 * shifted right by its depth, so a sub-association sits inside the move SCP's
 * bar of the C-MOVE that caused it.
 *
 * With a filter (filter.ts) only the associations, messages and lifelines
 * that pass are laid out; arrow indexes stay those of the Summary.
 */
import type { AssociationOutcome, Summary, SummaryAssociation } from '../../../../shared/model/summary-types.ts';
import type { EndpointInfo } from '../../../../shared/events/live-messages.ts';
import { planAssociations } from './associations.ts';
import { assignLifelines, type Lifeline } from './lifelines.ts';
import { messageLabel, pduLabel, statusClass } from './labels.ts';
import { applyFilter, isFilterActive, type DiagramFilter } from './filter.ts';

export interface LayoutOptions {
  pdus: boolean;
  realTime: boolean;
  endpoints?: EndpointInfo[];
  /** Draw only what passes this filter (filter.ts). */
  filter?: DiagramFilter;
}

export const GEOMETRY = { laneWidth: 300, left: 130, top: 100, rowHeight: 34, barWidth: 14, nestOffset: 10, bottom: 60 } as const;

export interface LaidLifeline extends Lifeline {
  x: number;
}

export interface Bar {
  id: string;
  parent: string | null;
  outcome: AssociationOutcome;
  /** Centre x of the bar on the requestor's and the acceptor's lifeline. */
  requestorX: number;
  acceptorX: number;
  y1: number;
  y2: number;
  title: string;
  /** How it ended, in words (reject reason, abort source, refused). */
  endLabel: string;
  failed: boolean;
}

export interface Arrow {
  kind: 'message' | 'pdu';
  /** Index in summary.messages or summary.pdus. */
  index: number;
  association: string;
  /** Which end of the association sent it. */
  side: 'requestor' | 'acceptor';
  x1: number;
  x2: number;
  y: number;
  time: number;
  label: string;
  command: string;
  status: string | null;
  /** Meaning of a status in words (tooltip and inspector). */
  meaning: string | null;
  cls: string;
}

export interface Link {
  parent: string;
  child: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A C-CANCEL-RQ tied to the request it cancels, drawn as a bracket beside the requestor's bar. */
export interface CancelLink {
  association: string;
  x: number;
  /** y of the request and of the C-CANCEL-RQ. */
  y1: number;
  y2: number;
}

export interface Layout {
  lifelines: LaidLifeline[];
  cancels: CancelLink[];
  bars: Bar[];
  /** Sorted by y. */
  arrows: Arrow[];
  links: Link[];
  width: number;
  height: number;
  /** Hidden duplicate association id → drawn id. */
  duplicateOf: Map<string, string>;
  /** Drawn association id → lifeline keys of its requestor and acceptor. */
  ends: Map<string, { requestor: string; acceptor: string }>;
  /** DIMSE message arrows drawn, and messages in the model. */
  shownMessages: number;
  totalMessages: number;
}

/** Labels of messages and PDUs already seen (their objects are kept across live deltas). */
const messageLabels = new WeakMap<object, string>();
const pduLabels = new WeakMap<object, string>();

function cached<T extends object>(cache: WeakMap<object, string>, item: T, make: (item: T) => string): string {
  let label = cache.get(item);
  if (label === undefined) {
    label = make(item);
    cache.set(item, label);
  }
  return label;
}

type Event =
  | { kind: 'start'; time: number; association: SummaryAssociation }
  | { kind: 'end'; time: number; association: SummaryAssociation }
  | { kind: 'message'; time: number; index: number }
  | { kind: 'pdu'; time: number; index: number };

const KIND_ORDER: Record<Event['kind'], number> = { start: 0, pdu: 1, message: 2, end: 3 };

function endLabel(a: SummaryAssociation): string {
  switch (a.outcome) {
    case 'rejected':
      return `Rejected: ${a.reject?.text ?? 'no reason given'}`;
    case 'aborted':
      return `Aborted by ${a.abort?.by ?? '?'}: ${a.abort?.text ?? ''}`.trim();
    case 'refused':
      return `Connection refused${a.closeReason ? ` (${a.closeReason})` : ''}`;
    case 'closed':
      return `Closed without release${a.closeReason ? `: ${a.closeReason}` : ''}`;
    case 'open':
      return 'open';
    default:
      return 'Released';
  }
}

/** Is the association over at its first row (rejected or refused)? */
function endsAtOnce(a: SummaryAssociation): boolean {
  return a.outcome === 'rejected' || a.outcome === 'refused';
}

function collectEvents(summary: Summary, drawn: Set<string>, pdus: boolean, shown: boolean[] | null): Event[] {
  const events: Event[] = [];
  for (const a of summary.associations) {
    if (!drawn.has(a.id)) continue;
    if (!pdus || endsAtOnce(a)) events.push({ kind: 'start', time: a.start, association: a });
    if (!pdus && a.end !== null && !endsAtOnce(a)) events.push({ kind: 'end', time: a.end, association: a });
  }
  summary.messages.forEach((m, index) => {
    if (drawn.has(m.association) && (shown === null || shown[index])) events.push({ kind: 'message', time: m.time, index });
  });
  if (pdus) {
    summary.pdus.forEach((p, index) => {
      if (drawn.has(p.association)) events.push({ kind: 'pdu', time: p.time, index });
    });
  }
  // Stable: equal times keep model order within a kind.
  events.sort((x, y) => x.time - y.time || KIND_ORDER[x.kind] - KIND_ORDER[y.kind]);
  return events;
}

export function layoutDiagram(summary: Summary, options: LayoutOptions): Layout {
  const g = GEOMETRY;
  const fullPlan = planAssociations(summary);
  const { lifelines: allLifelines, ends: allEnds } = assignLifelines(fullPlan.kept, fullPlan.parents, options.endpoints ?? []);
  // Filtered: only the associations that pass and the lifelines they touch, in the unfiltered order.
  const filtered = options.filter && isFilterActive(options.filter) ? applyFilter(summary, fullPlan.kept, fullPlan.parents, options.filter) : null;
  const plan = filtered ? { ...fullPlan, kept: fullPlan.kept.filter((a) => filtered.associations.has(a.id)) } : fullPlan;
  const ends = filtered ? new Map([...allEnds].filter(([id]) => filtered.associations.has(id))) : allEnds;
  const used = filtered ? new Set([...ends.values()].flatMap((e) => [e.requestor, e.acceptor])) : null;
  const lifelines = used ? allLifelines.filter((l) => used.has(l.key)).map((l, order) => ({ ...l, order })) : allLifelines;
  const laneX = new Map<string, number>();
  const laid: LaidLifeline[] = lifelines.map((l) => {
    const x = g.left + l.order * g.laneWidth;
    laneX.set(l.key, x);
    return { ...l, x };
  });
  const drawn = new Set(plan.kept.map((a) => a.id));
  const events = collectEvents(summary, drawn, options.pdus, filtered ? filtered.messages : null);

  // y of each event.
  const ys: number[] = new Array(events.length);
  if (options.realTime && events.length > 1) {
    const t0 = events[0].time;
    const duration = Math.max(events[events.length - 1].time - t0, 1e-6);
    const scale = (events.length * g.rowHeight) / duration;
    events.forEach((e, i) => (ys[i] = g.top + (e.time - t0) * scale));
  } else {
    events.forEach((_, i) => (ys[i] = g.top + i * g.rowHeight));
  }
  const lastY = events.length ? ys[events.length - 1] : g.top;

  // Row span of each association.
  const span = new Map<string, { y1: number; y2: number }>();
  const extend = (id: string, y: number) => {
    const s = span.get(id);
    if (!s) span.set(id, { y1: y, y2: y });
    else {
      s.y1 = Math.min(s.y1, y);
      s.y2 = Math.max(s.y2, y);
    }
  };
  events.forEach((e, i) => {
    const id = e.kind === 'start' || e.kind === 'end' ? e.association.id : e.kind === 'message' ? summary.messages[e.index].association : summary.pdus[e.index].association;
    extend(id, ys[i]);
  });
  for (const a of plan.kept) {
    const s = span.get(a.id);
    if (!s) continue;
    if (a.outcome === 'open') s.y2 = Math.max(s.y2, lastY + g.rowHeight / 2);
    if (endsAtOnce(a)) s.y2 = s.y1 + g.rowHeight * 0.6;
    s.y1 -= g.rowHeight * 0.35;
    if (!endsAtOnce(a)) s.y2 += g.rowHeight * 0.35;
  }

  // Nesting depth of each bar end on its lifeline.
  const depthAt = new Map<string, number>();
  const stacks = new Map<string, { id: string; y2: number; depth: number }[]>();
  const ordered = plan.kept.filter((a) => span.has(a.id)).sort((x, y) => span.get(x.id)!.y1 - span.get(y.id)!.y1);
  for (const a of ordered) {
    const s = span.get(a.id)!;
    const e = ends.get(a.id)!;
    for (const [side, key] of [['requestor', e.requestor], ['acceptor', e.acceptor]] as const) {
      const active = (stacks.get(key) ?? []).filter((b) => b.y2 > s.y1);
      const used = new Set(active.map((b) => b.depth));
      let depth = 0;
      while (used.has(depth)) depth++;
      active.push({ id: a.id, y2: s.y2, depth });
      stacks.set(key, active);
      depthAt.set(`${a.id}/${side}`, depth);
    }
  }
  const barX = (id: string, side: 'requestor' | 'acceptor') => {
    const e = ends.get(id)!;
    return (laneX.get(side === 'requestor' ? e.requestor : e.acceptor) ?? 0) + (depthAt.get(`${id}/${side}`) ?? 0) * g.nestOffset;
  };
  const edgeX = (id: string, side: 'requestor' | 'acceptor', towards: number) => {
    const x = barX(id, side);
    return x + (towards > x ? g.barWidth / 2 : -g.barWidth / 2);
  };

  const bars: Bar[] = [];
  for (const a of ordered) {
    const s = span.get(a.id)!;
    const rx = barX(a.id, 'requestor');
    const ax = barX(a.id, 'acceptor');
    bars.push({
      id: a.id,
      parent: plan.parents.get(a.id)?.association ?? null,
      outcome: a.outcome,
      requestorX: rx,
      acceptorX: ax,
      y1: s.y1,
      y2: s.y2,
      title: `${a.id} ${a.requestor.ae ?? '?'} → ${a.acceptor.ae ?? '?'}`,
      endLabel: endLabel(a),
      failed: a.outcome === 'rejected' || a.outcome === 'refused' || a.outcome === 'aborted' || a.outcome === 'closed',
    });
  }

  const arrows: Arrow[] = [];
  const messageY = new Map<number, number>();
  events.forEach((e, i) => {
    if (e.kind === 'message') {
      const m = summary.messages[e.index];
      const fromSide = m.side;
      const toSide = fromSide === 'requestor' ? 'acceptor' : 'requestor';
      const fromCentre = barX(m.association, fromSide);
      const toCentre = barX(m.association, toSide);
      messageY.set(e.index, ys[i]);
      arrows.push({
        kind: 'message', index: e.index, association: m.association, side: fromSide, y: ys[i], time: m.time,
        x1: edgeX(m.association, fromSide, toCentre), x2: edgeX(m.association, toSide, fromCentre),
        label: cached(messageLabels, m, messageLabel), command: m.command, status: m.status, meaning: m.statusMeaning, cls: statusClass(m),
      });
    } else if (e.kind === 'pdu') {
      const p = summary.pdus[e.index];
      const toSide = p.from === 'requestor' ? 'acceptor' : 'requestor';
      const fromCentre = barX(p.association, p.from);
      const toCentre = barX(p.association, toSide);
      const cls = p.type === 'A-ASSOCIATE-RJ' || p.type === 'A-ABORT' ? 'status-failure' : 'pdu';
      arrows.push({
        kind: 'pdu', index: e.index, association: p.association, side: p.from, y: ys[i], time: p.time,
        x1: edgeX(p.association, p.from, toCentre), x2: edgeX(p.association, toSide, fromCentre),
        label: cached(pduLabels, p, pduLabel), command: p.type, status: null, meaning: null, cls,
      });
    }
  });

  const links: Link[] = [];
  for (const [child, parent] of plan.parents) {
    const bar = bars.find((b) => b.id === child);
    if (!bar || parent.messageIndex === null) continue;
    const y = messageY.get(parent.messageIndex);
    if (y === undefined) continue;
    const move = summary.messages[parent.messageIndex];
    const moveSCP = barX(move.association, 'acceptor');
    links.push({ parent: parent.association, child, x1: moveSCP, y1: y, x2: bar.requestorX, y2: bar.y1 });
  }

  const cancels: CancelLink[] = [];
  for (const arrow of arrows) {
    if (arrow.kind !== 'message' || arrow.command !== 'C-CANCEL-RQ') continue;
    const cancel = summary.messages[arrow.index];
    for (let i = arrow.index - 1; i >= 0; i--) {
      const m = summary.messages[i];
      if (m.association === cancel.association && m.status === null && m.messageId === cancel.respondsTo && m.command !== 'C-CANCEL-RQ') {
        const y1 = messageY.get(i);
        if (y1 !== undefined) cancels.push({ association: cancel.association, x: Math.min(arrow.x1, arrow.x2) - 16, y1, y2: arrow.y });
        break;
      }
    }
  }

  const maxDepth = Math.max(0, ...[...depthAt.values()]);
  const width = g.left + Math.max(1, laid.length) * g.laneWidth + maxDepth * g.nestOffset;
  const height = Math.max(lastY, ...bars.map((b) => b.y2)) + g.bottom;
  const shownMessages = arrows.reduce((n, a) => n + (a.kind === 'message' ? 1 : 0), 0);
  return { lifelines: laid, cancels, bars, arrows, links, width, height, duplicateOf: plan.duplicateOf, ends, shownMessages, totalMessages: summary.messages.length };
}

/** Index range [from, to) of arrows whose y lies within [top, bottom] (arrows sorted by y). */
export function visibleRange(arrows: Arrow[], top: number, bottom: number): [number, number] {
  const lowerBound = (y: number) => {
    let lo = 0;
    let hi = arrows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arrows[mid].y < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [lowerBound(top), lowerBound(bottom + 1e-9)];
}
