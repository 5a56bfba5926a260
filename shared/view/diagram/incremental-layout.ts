/**
 * The layout of a live session, kept up to date in time proportional to the
 * change: when a summary only adds messages and PDUs after the ones drawn,
 * adds associations and updates them (the usual live delta), the new arrows
 * are appended and the bars they touch extended; everything else — objects
 * included, so the diagram redraws only what changed — stays. A lifeline
 * inserted among the others moves what is drawn sideways only
 * (lane-shift.ts). When a change would move what is drawn otherwise (lanes
 * reordered or gone, a new parent that re-nests bars, a row that sorts
 * before the last one, a filter or toggle change, the real-time axis), the
 * layout is made afresh. Both paths run the same code (an empty layout
 * extended by the whole summary is the full layout), and the result is the
 * same as a full layout of the new summary
 * (test/unit/web/incremental-layout.test.ts checks it on random delta
 * sequences). Pure apart from the state it keeps between calls.
 *
 * Summaries are compared by identity: the items of the lists are expected to
 * be the objects of the previous summary (the web's apply-delta.ts and the
 * replay's prefix cuts keep them), new ones appended.
 */
import type { Summary, SummaryAssociation } from '../../model/summary-types.ts';
import { GEOMETRY, type Arrow, type Bar, type CancelLink, type Layout, type LayoutOptions, type Link } from './layout-types.ts';
import { associationRows, barSpan, cancelOf, compareRows, endsAtOnce, extendSpan, lifecycleArrow, makeBar, messageArrow, pduArrow, rowEvent, type BarX, type Row, type Span } from './layout-pieces.ts';
import { drawnAssociations, keepsLifelines, keepsPlan, layLifelines, mayChangePlan, messagePasses, planModel, reparented, type LaidModel, type PlanModel } from './layout-model.ts';
import { Nesting } from './nesting.ts';
import { laneShifts, shiftDrawn } from './lane-shift.ts';
import { DEFAULT_GAPS, gapLabel, idleGaps, toPlay } from '../replay-gaps.ts';
import { CommandField } from '../../dimse/command-fields.ts';

/** Rows of height a cut idle stretch takes on the real-time axis. */
const BREAK_ROWS = 1.5;

interface State {
  summary: Summary;
  options: LayoutOptions;
  model: PlanModel;
  laid: LaidModel;
  drawn: Set<string>;
  /** Associations with a message the filter lets through. */
  withMessages: Set<string>;
  /** Associations some message (or PDU, at PDU level) refers to: one of them drawn later would need rows in the past. */
  seen: Set<string>;
  /** Association id → index in summary.associations. */
  index: Map<string, number>;
  rows: number;
  last: Row | null;
  lastY: number;
  /** Association id → top and bottom y of its rows. */
  spans: Map<string, Span>;
  nesting: Nesting;
  /** Association id → index of its bar in layout.bars. */
  barAt: Map<string, number>;
  /** The last bar in bar order: its top and plan position. */
  lastBar: { y1: number; order: number } | null;
  /** Bars of open associations: their bottom follows the live end. */
  open: Set<string>;
  messageY: Map<number, number>;
  /** Message indexes of the C-MOVE-RQs that links start from. */
  linkSources: Set<number>;
  /** Association id → index in layout.arrows of its A-ASSOCIATE arrow (its label follows the answer: accepted, rejected). */
  startArrows: Map<string, number>;
  /** The last extension moved what was drawn sideways (a lifeline inserted). */
  movedSideways: boolean;
  layout: Layout;
}

const EMPTY: Summary = { version: 1, source: { path: '', format: '', start: null }, associations: [], pdus: [], messages: [], errors: [] };

function emptyState(options: LayoutOptions): State {
  const model = planModel(EMPTY, options, new Set());
  const laid = layLifelines(model, new Set());
  return {
    summary: EMPTY, options, model, laid, drawn: new Set(), withMessages: new Set(), seen: new Set(), index: new Map(),
    rows: 0, last: null, lastY: GEOMETRY.top, spans: new Map(), nesting: new Nesting(), barAt: new Map(), lastBar: null,
    open: new Set(), messageY: new Map(), linkSources: new Set(), startArrows: new Map(), movedSideways: false,
    layout: {
      lifelines: laid.lifelines, cancels: [], bars: [], arrows: [], links: [], breaks: [], width: GEOMETRY.left + GEOMETRY.laneWidth, height: GEOMETRY.top + GEOMETRY.bottom,
      duplicateOf: model.plan.duplicateOf, ends: laid.ends, shownMessages: 0, totalMessages: 0,
    },
  };
}

function sameOptions(a: LayoutOptions, b: LayoutOptions): boolean {
  const f = a.filter;
  const g = b.filter;
  const sameFilter = f === g || (f?.ae ?? null) === (g?.ae ?? null) && (f?.command ?? null) === (g?.command ?? null) && (f?.status ?? null) === (g?.status ?? null) && (f?.association ?? null) === (g?.association ?? null) &&
    (f?.since ?? null) === (g?.since ?? null) && (f?.only ?? null) === (g?.only ?? null) && (f?.picked ?? null) === (g?.picked ?? null);
  return a.pdus === b.pdus && a.realTime === b.realTime && (a.endpoints ?? null) === (b.endpoints ?? null) && sameFilter;
}

/** Is `next` the list `old` with items appended (same objects in front)? */
function extendsList<T>(old: readonly T[], next: readonly T[]): boolean {
  return next.length >= old.length && (old.length === 0 || (next[0] === old[0] && next[old.length - 1] === old[old.length - 1]));
}

export class IncrementalLayout {
  #state: State | null = null;
  /** Layouts made afresh (the first one included); the others were extensions. */
  fullLayouts = 0;
  /** Extensions that moved what was drawn sideways, a lifeline being inserted among the others. */
  sidewaysMoves = 0;

  update(summary: Summary, options: LayoutOptions): Layout {
    let state = this.#state;
    // The real-time axis scales every row by the session's duration: no extension there.
    const reusable = state !== null && sameOptions(state.options, options) && !(options.realTime && state.rows > 0);
    let next = reusable ? extend(state!, summary) : null;
    if (next?.movedSideways) this.sidewaysMoves += 1;
    if (next === null) {
      this.fullLayouts += 1;
      state = emptyState(options);
      next = extend(state, summary)!;
    }
    this.#state = next;
    return next.layout;
  }
}

/** The layout of a whole summary. */
export function fullLayout(summary: Summary, options: LayoutOptions): Layout {
  return extend(emptyState(options), summary)!.layout;
}

/**
 * `s` (consumed: its maps are updated in place) extended to `next`, or null
 * when something already drawn would have to move (then a full layout).
 * From an empty state it never fails.
 */
function extend(s: State, next: Summary): State | null {
  const g = GEOMETRY;
  const o = s.options;
  const prev = s.summary;
  s.movedSideways = false;
  if (!extendsList(prev.messages, next.messages)) return null;
  if (o.pdus && !extendsList(prev.pdus, next.pdus)) return null;
  if (next.associations.length < prev.associations.length) return null;
  const changed: number[] = [];
  for (let i = 0; i < prev.associations.length; i++) {
    if (next.associations[i] === prev.associations[i]) continue;
    if (next.associations[i].id !== prev.associations[i].id) return null;
    changed.push(i);
  }
  const firstMessage = prev.messages.length;
  const firstPdu = o.pdus ? prev.pdus.length : next.pdus.length;
  const added = next.associations.length - prev.associations.length;
  s.summary = next;
  if (changed.length === 0 && added === 0 && firstMessage === next.messages.length && firstPdu === next.pdus.length) return s;
  for (let i = prev.associations.length; i < next.associations.length; i++) {
    // Messages or PDUs of an association seen before the association itself would be rows in the past.
    if (s.seen.has(next.associations[i].id)) return null;
    s.index.set(next.associations[i].id, i);
  }

  // The associations: planned again only when they, or messages that can change the plan, came.
  const newMessages = next.messages.slice(firstMessage);
  const replan = changed.length > 0 || added > 0 || mayChangePlan(s.model, newMessages);
  for (const m of newMessages) if (m.commandField === CommandField.CStoreRq && m.moveOriginator) s.model.originators.add(m.association);
  let model = s.model;
  let relinked: string[] = [];
  if (replan) {
    model = planModel(next, o, s.model.originators);
    const ids = prev.associations.map((a) => a.id);
    if (!keepsPlan(s.model, model, ids, s.seen)) return null;
    relinked = reparented(s.model, model, ids);
    s.model = model;
  }
  const passes = newMessages.map((m) => messagePasses(model, m));
  passes.forEach((pass, i) => pass && s.withMessages.add(newMessages[i].association));
  let drawn = s.drawn;
  /** Indexes of the associations drawn from now on (new ones, or ones that were awaiting their A-ASSOCIATE-RQ). */
  const appearing: number[] = [];
  if (replan) {
    drawn = drawnAssociations(model, s.withMessages);
    for (let i = 0; i < next.associations.length; i++) {
      const id = next.associations[i].id;
      const was = i < prev.associations.length && s.drawn.has(id);
      if (was && !drawn.has(id)) return null;
      if (!was && drawn.has(id)) {
        // Its messages or PDUs seen before would be rows in the past.
        if (s.seen.has(id)) return null;
        appearing.push(i);
      }
    }
    const laid = layLifelines(model, drawn);
    let lifelines = keepsLifelines(s.laid.lifelines, laid.lifelines);
    if (lifelines === null) {
      // A lifeline inserted among the others: what is drawn moves sideways, rows stay (lane-shift.ts).
      const shifts = laneShifts(s.laid.lifelines, laid.lifelines);
      const moved = shifts && shiftDrawn(s.layout, shifts, laid.ends, s.laid.laneX);
      if (!moved) return null;
      s.layout = { ...s.layout, ...moved };
      s.movedSideways = true;
      lifelines = laid.lifelines;
    }
    s.laid = { ...laid, lifelines };
    s.drawn = drawn;
    s.linkSources = new Set([...model.plan.parents.values()].flatMap((p) => (p.messageIndex === null ? [] : [p.messageIndex])));
  } else if (model.filter && (model.filter.command !== null || model.filter.status !== null)) {
    // An association drawn only once a message of it passes the filter: its earlier rows would be in the past.
    for (let i = 0; i < newMessages.length; i++) if (passes[i] && !drawn.has(newMessages[i].association)) return null;
  }

  // The new rows, which must all come after the last one drawn.
  const rows: Row[] = [];
  for (const i of appearing) rows.push(...associationRows(next.associations[i], i, o.pdus));
  const appeared = new Set(appearing);
  for (const i of changed) {
    const [was, now] = [prev.associations[i], next.associations[i]];
    if (appeared.has(i) || !drawn.has(now.id)) continue;
    if (was.start !== now.start || endsAtOnce(was) !== endsAtOnce(now)) return null;
    if (was.end === now.end) continue;
    if (was.end !== null) return null;
    rows.push(...associationRows(now, i, o.pdus).filter((r) => r.kind === 'end'));
  }
  newMessages.forEach((m, k) => {
    s.seen.add(m.association);
    if (passes[k] && drawn.has(m.association)) rows.push({ kind: 'message', time: m.time, seq: firstMessage + k, association: m.association });
  });
  for (let i = firstPdu; i < next.pdus.length; i++) {
    const p = next.pdus[i];
    s.seen.add(p.association);
    if (drawn.has(p.association)) rows.push({ kind: 'pdu', time: p.time, seq: i, association: p.association });
  }
  rows.sort(compareRows);
  if (rows.length && s.last && compareRows(rows[0], s.last) <= 0) return null;

  // y of each row: ordinal (one row after the other), or proportional to time for a whole layout.
  const ys: number[] = new Array(rows.length);
  let breaks = s.layout.breaks;
  if (o.realTime && rows.length > 1) {
    if (s.rows > 0) return null;
    // Idle stretches (nothing on the wire for over 2 s, as a replay shortens them) are cut out of the axis;
    // each takes a fixed break of BREAK_ROWS rows instead, marked across the diagram with how long it was.
    const gaps = idleGaps(rows.map((r) => r.time), { threshold: DEFAULT_GAPS.threshold, keep: 0 });
    const t0 = toPlay(rows[0].time, gaps);
    const duration = Math.max(toPlay(rows[rows.length - 1].time, gaps) - t0, 1e-6);
    const scale = (rows.length * g.rowHeight) / duration;
    let cut = 0;
    rows.forEach((r, i) => {
      while (cut < gaps.length && r.time >= gaps[cut].to) cut++;
      ys[i] = g.top + (toPlay(r.time, gaps) - t0) * scale + cut * BREAK_ROWS * g.rowHeight;
    });
    breaks = gaps.map((gap, n) => ({ y: g.top + (toPlay(gap.from, gaps) - t0) * scale + (n + 0.5) * BREAK_ROWS * g.rowHeight, label: `⋯ ${gapLabel(gap)} idle` }));
  } else {
    rows.forEach((_, i) => (ys[i] = g.top + (s.rows + i) * g.rowHeight));
  }
  const lastY = rows.length ? ys[rows.length - 1] : s.lastY;
  const grew = lastY !== s.lastY;
  s.rows += rows.length;
  s.last = rows.length ? rows[rows.length - 1] : s.last;
  s.lastY = lastY;
  rows.forEach((r, i) => extendSpan(s.spans, r.association, ys[i]));

  const bars = extendBars(s, next, rows, [...changed.map((i) => next.associations[i].id), ...relinked], grew);
  if (bars === null) return null;
  // Centre x of each bar end, looked up once per association (an arrow asks four times).
  const centres = new Map<string, [number, number]>();
  const barX: BarX = (id, side) => {
    let x = centres.get(id);
    if (!x) {
      const e = s.laid.ends.get(id)!;
      const [rd, ad] = s.nesting.depths(id) ?? [0, 0];
      x = [(s.laid.laneX.get(e.requestor) ?? 0) + rd * g.nestOffset, (s.laid.laneX.get(e.acceptor) ?? 0) + ad * g.nestOffset];
      centres.set(id, x);
    }
    return side === 'requestor' ? x[0] : x[1];
  };

  const moveDestination = (id: string): string | null => {
    const request = s.model.plan.parents.get(id)?.messageIndex;
    return request === undefined || request === null ? null : (next.messages[request]?.moveDestination ?? null);
  };
  const lifecycleShown = model.filter === null || (model.filter.command === null && model.filter.status === null);
  const arrows: Arrow[] = [];
  let linkSourceDrawn = false;
  rows.forEach((r, i) => {
    if (r.kind === 'start' || r.kind === 'end') {
      // A command or status filter asks for DIMSE messages: the association's rows stay (its bar), its lifecycle arrows do not.
      if (!lifecycleShown) return;
      const a = next.associations[r.seq];
      const event = rowEvent(a, r.kind);
      if (event === 'associate') s.startArrows.set(a.id, s.layout.arrows.length + arrows.length);
      arrows.push(lifecycleArrow(a, r.seq, event, ys[i], barX, moveDestination(a.id)));
    } else if (r.kind === 'message') {
      arrows.push(messageArrow(next.messages[r.seq], r.seq, ys[i], barX));
      s.messageY.set(r.seq, ys[i]);
      if (s.linkSources.has(r.seq)) linkSourceDrawn = true;
    } else if (r.kind === 'pdu') {
      arrows.push(pduArrow(next.pdus[r.seq], r.seq, ys[i], barX));
    }
  });
  // After every new arrow has its y: a request may sort after its cancel when the clocks disagree.
  const cancels: CancelLink[] = [];
  for (const arrow of arrows) {
    if (arrow.kind !== 'message' || arrow.commandField !== CommandField.CCancelRq) continue;
    const cancel = cancelOf(next, arrow, s.messageY);
    if (cancel) cancels.push(cancel);
  }

  const old = s.layout;
  let allArrows = arrows.length ? old.arrows.concat(arrows) : old.arrows;
  // An A-ASSOCIATE arrow drawn earlier says what became of the request (accepted, rejected): redrawn when that changes.
  for (const id of [...changed.map((i) => next.associations[i].id), ...relinked]) {
    const at = s.startArrows.get(id);
    if (at === undefined || at >= old.arrows.length) continue;
    const was = allArrows[at];
    const now = lifecycleArrow(next.associations[s.index.get(id)!], was.index, 'associate', was.y, barX, moveDestination(id));
    if (now.label === was.label && now.cls === was.cls && now.meaning === was.meaning) continue;
    if (allArrows === old.arrows) allArrows = old.arrows.slice();
    allArrows[at] = now;
  }
  const newBars = bars.length !== old.bars.length;
  const links = replan || newBars || linkSourceDrawn ? layLinks(s, next, bars, barX, old.links) : old.links;
  let bottom = lastY;
  for (const b of bars) if (b.y2 > bottom) bottom = b.y2;
  const shown = arrows.reduce((n, a) => n + (a.kind === 'message' ? 1 : 0), 0);
  s.layout = {
    lifelines: s.laid.lifelines,
    cancels: cancels.length ? old.cancels.concat(cancels) : old.cancels,
    bars,
    arrows: allArrows,
    links,
    breaks,
    width: g.left + Math.max(1, s.laid.lifelines.length) * g.laneWidth + s.nesting.maxDepth * g.nestOffset,
    height: bottom + g.bottom,
    duplicateOf: model.plan.duplicateOf,
    ends: s.laid.ends,
    shownMessages: old.shownMessages + shown,
    totalMessages: next.messages.length,
  };
  return s;
}

/**
 * The bars after the new rows: the ones they (or a change of the
 * association or its parent, or the live end moving) touch made again, new ones appended
 * in bar order. Null when that would change the nesting of a bar drawn.
 */
function extendBars(s: State, next: Summary, rows: Row[], changed: string[], grew: boolean): Bar[] | null {
  const g = GEOMETRY;
  const association = (id: string): SummaryAssociation => next.associations[s.index.get(id)!];
  const touched = new Set<string>();
  const fresh = new Set<string>();
  for (const r of rows) (s.barAt.has(r.association) ? touched : fresh).add(r.association);
  for (const id of changed) if (s.barAt.has(id)) touched.add(id);
  if (grew) for (const id of s.open) touched.add(id);
  if (touched.size === 0 && fresh.size === 0) return s.layout.bars;

  const bars = s.layout.bars.slice();
  const parentOf = (id: string) => s.model.plan.parents.get(id)?.association ?? null;
  for (const id of touched) {
    const a = association(id);
    const at = s.barAt.get(id)!;
    const was = bars[at];
    const span = barSpan(a, s.spans.get(id)!, s.lastY);
    if (span.y1 !== was.y1) return null;
    const e = s.laid.ends.get(id)!;
    if (span.y2 !== was.y2 && !s.nesting.move(id, span.y2, e.requestor, e.acceptor)) return null;
    const bar = makeBar(a, parentOf(id), span, was.requestorX, was.acceptorX);
    if (!sameBar(bar, was)) bars[at] = bar;
    if (a.outcome === 'open') s.open.add(id);
    else s.open.delete(id);
  }

  // Bars starting on the same row keep model order.
  const order = (id: string) => s.index.get(id)!;
  const placed = [...fresh].map((id) => ({ id, a: association(id), span: barSpan(association(id), s.spans.get(id)!, s.lastY) }));
  placed.sort((x, y) => x.span.y1 - y.span.y1 || order(x.id) - order(y.id));
  const first = placed[0];
  if (first && s.lastBar && (first.span.y1 < s.lastBar.y1 || (first.span.y1 === s.lastBar.y1 && order(first.id) < s.lastBar.order))) return null;
  for (const { id, a, span } of placed) {
    const e = s.laid.ends.get(id)!;
    const [rd, ad] = s.nesting.place(id, span.y1, span.y2, e.requestor, e.acceptor);
    const rx = (s.laid.laneX.get(e.requestor) ?? 0) + rd * g.nestOffset;
    const ax = (s.laid.laneX.get(e.acceptor) ?? 0) + ad * g.nestOffset;
    s.barAt.set(id, bars.length);
    bars.push(makeBar(a, parentOf(id), span, rx, ax));
    if (a.outcome === 'open') s.open.add(id);
    s.lastBar = { y1: span.y1, order: order(id) };
  }
  return bars;
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.id === b.id && a.parent === b.parent && a.outcome === b.outcome && a.requestorX === b.requestorX && a.acceptorX === b.acceptorX &&
    a.y1 === b.y1 && a.y2 === b.y2 && a.title === b.title && a.endLabel === b.endLabel && a.failed === b.failed;
}

/** A link from each C-MOVE-RQ drawn to the sub-association it caused (objects kept when unchanged). */
function layLinks(s: State, summary: Summary, bars: Bar[], barX: BarX, old: Link[]): Link[] {
  const before = new Map(old.map((l) => [l.child, l]));
  const links: Link[] = [];
  for (const [child, parent] of s.model.plan.parents) {
    const at = s.barAt.get(child);
    if (at === undefined || parent.messageIndex === null) continue;
    const y = s.messageY.get(parent.messageIndex);
    if (y === undefined) continue;
    const bar = bars[at];
    const link = { parent: parent.association, child, x1: barX(summary.messages[parent.messageIndex].association, 'acceptor'), y1: y, x2: bar.requestorX, y2: bar.y1 };
    const was = before.get(child);
    links.push(was && was.parent === link.parent && was.x1 === link.x1 && was.y1 === link.y1 && was.x2 === link.x2 && was.y2 === link.y2 ? was : link);
  }
  return links;
}
