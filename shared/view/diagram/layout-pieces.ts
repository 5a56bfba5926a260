/**
 * The pieces the layout is made of, one function each, shared by the first
 * layout of a session and by every extension of it (incremental-layout.ts),
 * so both give the same numbers: the rows (events) and their order, an
 * association bar's span and shape, an arrow, a C-CANCEL bracket. Pure.
 */
import type { Summary, SummaryAssociation, SummaryMessage, SummaryPdu } from '../../model/summary-types.ts';
import { messageLabel, pduLabel, statusClass } from './labels.ts';
import { GEOMETRY, type Arrow, type Bar, type CancelLink, type LifecycleEvent } from './layout-types.ts';
import { lifecycleClass, lifecycleLabel, lifecycleTooltip } from './lifecycle-labels.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../../dimse/message-words.ts';
import { CommandField } from '../../dimse/command-fields.ts';

/**
 * One row of the diagram. `seq` orders rows of one kind at the same time:
 * the association's index in the summary for its start and end, the
 * message's or PDU's index otherwise.
 */
export interface Row {
  kind: 'start' | 'end' | 'message' | 'pdu';
  time: number;
  seq: number;
  association: string;
}

const KIND_ORDER: Record<Row['kind'], number> = { start: 0, pdu: 1, message: 2, end: 3 };

/**
 * The order of rows: by time; at the same time a start first, then PDUs,
 * messages, ends; then model order. (The same order as a stable sort by time
 * and kind of the rows collected association by association, then message by
 * message, then PDU by PDU.)
 */
export function compareRows(x: Row, y: Row): number {
  return x.time - y.time || KIND_ORDER[x.kind] - KIND_ORDER[y.kind] || x.seq - y.seq;
}

/** Is the association over at its first row (a refused connection: one row, no A-ASSOCIATE)? */
export function endsAtOnce(a: SummaryAssociation): boolean {
  return a.outcome === 'refused';
}

/**
 * The rows of an association itself, its lifecycle (docs/architecture.md: a
 * rejected association must not need the PDU toggle): at DIMSE level its
 * start (the A-ASSOCIATE, or the refused connection) and its end (A-RELEASE,
 * A-ASSOCIATE-RJ, A-ABORT, or the TCP close). With PDUs shown, the PDUs are
 * those rows, except what has no PDU: a refused connection, a TCP close.
 */
export function associationRows(a: SummaryAssociation, index: number, pdus: boolean): Row[] {
  const rows: Row[] = [];
  const refused = endsAtOnce(a);
  if (!pdus || refused) rows.push({ kind: 'start', time: a.start, seq: index, association: a.id });
  if (a.end !== null && !refused && (!pdus || a.outcome === 'closed')) rows.push({ kind: 'end', time: a.end, seq: index, association: a.id });
  return rows;
}

/** Top and bottom y of the rows of one association. */
export interface Span {
  y1: number;
  y2: number;
}

export function extendSpan(spans: Map<string, Span>, id: string, y: number): void {
  const s = spans.get(id);
  if (!s) spans.set(id, { y1: y, y2: y });
  else {
    s.y1 = Math.min(s.y1, y);
    s.y2 = Math.max(s.y2, y);
  }
}

/** The bar's top and bottom: its rows, to the live end while open, half a row of margin. */
export function barSpan(a: SummaryAssociation, rows: Span, lastY: number): Span {
  const g = GEOMETRY;
  let y1 = rows.y1;
  let y2 = rows.y2;
  if (a.outcome === 'open') y2 = Math.max(y2, lastY + g.rowHeight / 2);
  if (endsAtOnce(a)) y2 = y1 + g.rowHeight * 0.6;
  y1 -= g.rowHeight * 0.35;
  if (!endsAtOnce(a)) y2 += g.rowHeight * 0.35;
  return { y1, y2 };
}

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

export function makeBar(a: SummaryAssociation, parent: string | null, span: Span, requestorX: number, acceptorX: number): Bar {
  return {
    id: a.id,
    parent,
    outcome: a.outcome,
    requestorX,
    acceptorX,
    y1: span.y1,
    y2: span.y2,
    title: `${a.id} ${a.requestor.ae ?? '?'} → ${a.acceptor.ae ?? '?'}`,
    endLabel: endLabel(a),
    failed: a.outcome === 'rejected' || a.outcome === 'refused' || a.outcome === 'aborted' || a.outcome === 'closed',
  };
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

/** Centre x of an association's bar on one side. */
export type BarX = (association: string, side: 'requestor' | 'acceptor') => number;

/** x of the bar's edge facing `towards`. */
function edgeX(barX: BarX, id: string, side: 'requestor' | 'acceptor', towards: number): number {
  const x = barX(id, side);
  return x + (towards > x ? GEOMETRY.barWidth / 2 : -GEOMETRY.barWidth / 2);
}

/** The lifecycle event a start or end row of an association stands for. */
export function rowEvent(a: SummaryAssociation, kind: 'start' | 'end'): LifecycleEvent {
  if (kind === 'start') return a.outcome === 'refused' ? 'refused' : 'associate';
  switch (a.outcome) {
    case 'rejected':
      return 'reject';
    case 'aborted':
      return 'abort';
    case 'released':
      return 'release';
    default:
      return 'closed';
  }
}

/** Which side a lifecycle event goes from: the A-ASSOCIATE-RJ from the acceptor, an A-ABORT or a TCP close from whoever sent it. */
function eventSender(a: SummaryAssociation, event: LifecycleEvent): 'requestor' | 'acceptor' {
  if (event === 'reject') return 'acceptor';
  if (event === 'abort') return a.abort?.by ?? 'requestor';
  if (event === 'closed') return /\bacceptor\b/.test(a.closeReason ?? '') ? 'acceptor' : 'requestor';
  return 'requestor';
}

/** The command-like name of a lifecycle arrow (its data-command, the Mermaid message). */
export const LIFECYCLE_COMMAND: Record<LifecycleEvent, string> = {
  associate: 'A-ASSOCIATE',
  reject: 'A-ASSOCIATE-RJ',
  release: 'A-RELEASE',
  abort: 'A-ABORT',
  refused: 'TCP-REFUSED',
  closed: 'TCP-CLOSED',
};

/**
 * A lifecycle arrow of association `a` (index `index` in summary.associations).
 * `moveDestination`: the Move Destination of the C-MOVE that caused it (names a refused connection).
 */
export function lifecycleArrow(a: SummaryAssociation, index: number, event: LifecycleEvent, y: number, barX: BarX, moveDestination: string | null): Arrow {
  const from = eventSender(a, event);
  const to = from === 'requestor' ? 'acceptor' : 'requestor';
  const fromCentre = barX(a.id, from);
  const toCentre = barX(a.id, to);
  const ctx = { moveDestination };
  const label = lifecycleLabel(a, event, ctx);
  return {
    kind: 'lifecycle', index, event, association: a.id, side: from, y, time: event === 'associate' || event === 'refused' ? a.start : (a.end ?? a.start),
    x1: edgeX(barX, a.id, from, toCentre), x2: edgeX(barX, a.id, to, fromCentre),
    label: event === 'associate' ? `${a.id} · ${label}` : label,
    command: LIFECYCLE_COMMAND[event], commandField: null, status: null, meaning: lifecycleTooltip(a, event, ctx), cls: lifecycleClass(a, event),
  };
}

/**
 * A DIMSE message's arrow, its label worded when first read: of a long
 * session's arrows only those in view are drawn (SequenceDiagram.svelte), and
 * wording all 20,101 of the UI bench's C-MOVE up front was most of laying it
 * out (issue 13). A class, the getter on its prototype: a getter in an object
 * literal made each arrow several times slower to create than the wording it
 * saved. (The label is therefore not an own property: a spread or
 * JSON.stringify of an arrow would leave it out; nothing does either.)
 */
class MessageArrow implements Arrow {
  readonly kind = 'message' as const;
  readonly association: string;
  readonly side: 'requestor' | 'acceptor';
  readonly time: number;
  readonly command: string;
  readonly commandField: number;
  readonly status: string | null;
  readonly meaning: string | null;
  readonly cls: string;
  readonly #message: SummaryMessage;

  /** `like`: an arrow of the same message whose words are taken as they are (moved sideways by lane-shift.ts). */
  constructor(
    m: SummaryMessage,
    readonly index: number,
    readonly y: number,
    readonly x1: number,
    readonly x2: number,
    like?: MessageArrow,
  ) {
    this.association = m.association;
    this.side = m.side;
    this.time = m.time;
    this.command = like ? like.command : commandOf(m);
    this.commandField = m.commandField;
    this.status = like ? like.status : statusCodeOf(m);
    this.meaning = like ? like.meaning : statusMeaningOf(m);
    this.cls = like ? like.cls : statusClass(m);
    this.#message = m;
  }

  moved(x1: number, x2: number): MessageArrow {
    return new MessageArrow(this.#message, this.index, this.y, x1, x2, this);
  }

  get label(): string {
    return cached(messageLabels, this.#message, messageLabel);
  }
}

/** The same arrow with its ends at x1 and x2. */
export function movedArrow(a: Arrow, x1: number, x2: number): Arrow {
  return a instanceof MessageArrow ? a.moved(x1, x2) : { ...a, x1, x2 };
}

export function messageArrow(m: SummaryMessage, index: number, y: number, barX: BarX): Arrow {
  const fromSide = m.side;
  const toSide = fromSide === 'requestor' ? 'acceptor' : 'requestor';
  const fromCentre = barX(m.association, fromSide);
  const toCentre = barX(m.association, toSide);
  return new MessageArrow(m, index, y, edgeX(barX, m.association, fromSide, toCentre), edgeX(barX, m.association, toSide, fromCentre));
}

export function pduArrow(p: SummaryPdu, index: number, y: number, barX: BarX): Arrow {
  const toSide = p.from === 'requestor' ? 'acceptor' : 'requestor';
  const fromCentre = barX(p.association, p.from);
  const toCentre = barX(p.association, toSide);
  const cls = p.type === 'A-ASSOCIATE-RJ' || p.type === 'A-ABORT' ? 'status-failure' : 'pdu';
  return {
    kind: 'pdu', index, association: p.association, side: p.from, y, time: p.time,
    x1: edgeX(barX, p.association, p.from, toCentre), x2: edgeX(barX, p.association, toSide, fromCentre),
    label: cached(pduLabels, p, pduLabel), command: p.type, commandField: null, status: null, meaning: null, cls,
  };
}

/** The bracket of a C-CANCEL-RQ arrow to the request it cancels (the latest earlier request with that Message ID), or null. */
export function cancelOf(summary: Summary, arrow: Arrow, messageY: Map<number, number>): CancelLink | null {
  const cancel = summary.messages[arrow.index];
  for (let i = arrow.index - 1; i >= 0; i--) {
    const m = summary.messages[i];
    if (m.association === cancel.association && m.status === null && m.messageId === cancel.respondsTo && m.commandField !== CommandField.CCancelRq) {
      const y1 = messageY.get(i);
      return y1 === undefined ? null : { association: cancel.association, x: Math.min(arrow.x1, arrow.x2) - 16, y1, y2: arrow.y };
    }
  }
  return null;
}
