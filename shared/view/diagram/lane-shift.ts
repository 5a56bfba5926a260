/**
 * A lifeline inserted among those drawn (a new SCU joins a live session: SCUs
 * are drawn left of the SCP, lifelines.ts) moves the lanes to its right
 * sideways, and nothing else: every row keeps its y. The incremental layout
 * (incremental-layout.ts) then moves what is drawn by each lane's shift
 * instead of laying the whole session out again: for the UI bench's
 * 20,101-message C-MOVE joined by a new SCU, 73 ms of the page's main
 * thread laying it out afresh, 43 ms shifting (most of it the first run of
 * cold code; the arrow reaches the screen ~90 ms after the wire either way,
 * median of 5). Every x drawn is its lane's x plus an offset (nesting, bar
 * edge) that does not depend on where the lane is, and the old lanes keep
 * their order, so each bar edge's side (edgeX in layout-pieces.ts) stays as
 * it was.
 */
import type { Arrow, Bar, CancelLink, LaidLifeline } from './layout-types.ts';
import { movedArrow } from './layout-pieces.ts';

type Ends = ReadonlyMap<string, { requestor: string; acceptor: string }>;

/**
 * Lane key → how far its lane moves, when every old lane is among the new
 * ones in the same order (new lanes anywhere between them); null when one
 * went away or two swapped.
 */
export function laneShifts(old: readonly LaidLifeline[], next: readonly LaidLifeline[]): Map<string, number> | null {
  const at = new Map(next.map((l) => [l.key, l.x]));
  const shifts = new Map<string, number>();
  let previous = -Infinity;
  for (const l of old) {
    const x = at.get(l.key);
    if (x === undefined || x <= previous) return null;
    previous = x;
    shifts.set(l.key, x - l.x);
  }
  return shifts;
}

export interface Drawn {
  arrows: Arrow[];
  bars: Bar[];
  cancels: CancelLink[];
}

/**
 * What is drawn, moved by the lanes' shifts (new objects where something
 * moved); null when an association drawn has no lanes in `ends` (then the
 * caller lays out afresh). `oldX`: the lanes' x before the shift.
 */
export function shiftDrawn(drawn: Drawn, shifts: ReadonlyMap<string, number>, ends: Ends, oldX: ReadonlyMap<string, number>): Drawn | null {
  const of = (id: string) => {
    const e = ends.get(id);
    if (!e) return null;
    const r = shifts.get(e.requestor);
    const a = shifts.get(e.acceptor);
    return r === undefined || a === undefined ? null : { requestor: r, acceptor: a, e };
  };
  const arrows: Arrow[] = new Array(drawn.arrows.length);
  for (let i = 0; i < drawn.arrows.length; i++) {
    const arrow = drawn.arrows[i];
    const d = of(arrow.association);
    if (!d) return null;
    // x1 is on the sender's lane (`side`), x2 on the other one (layout-pieces.ts).
    const [d1, d2] = arrow.side === 'requestor' ? [d.requestor, d.acceptor] : [d.acceptor, d.requestor];
    arrows[i] = d1 === 0 && d2 === 0 ? arrow : movedArrow(arrow, arrow.x1 + d1, arrow.x2 + d2);
  }
  const bars: Bar[] = [];
  for (const bar of drawn.bars) {
    const d = of(bar.id);
    if (!d) return null;
    bars.push(d.requestor === 0 && d.acceptor === 0 ? bar : { ...bar, requestorX: bar.requestorX + d.requestor, acceptorX: bar.acceptorX + d.acceptor });
  }
  const cancels: CancelLink[] = [];
  for (const c of drawn.cancels) {
    const d = of(c.association);
    if (!d) return null;
    // The bracket stands left of the C-CANCEL-RQ arrow, by the lane on the left.
    const left = (oldX.get(d.e.requestor) ?? 0) <= (oldX.get(d.e.acceptor) ?? 0) ? d.requestor : d.acceptor;
    cancels.push(left === 0 ? c : { ...c, x: c.x + left });
  }
  return { arrows, bars, cancels };
}
