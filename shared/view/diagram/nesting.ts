/**
 * Nesting of association bars on a lifeline: bars that overlap in time are
 * shifted right by their depth, so a sub-association sits inside the move
 * SCP's bar of the C-MOVE that caused it. Bars are taken in order (by top,
 * then plan order); a bar's depth on a lifeline is the smallest depth not
 * taken by an earlier bar on that lifeline that is still open at its top.
 *
 * Kept across live updates: new bars are placed after the others, and a bar
 * whose bottom moves is allowed to only when it does not pass the top of a
 * later bar on its lifelines (which would change that bar's depth).
 */

/** One end of a bar on one lifeline. */
export interface Slot {
  id: string;
  y1: number;
  y2: number;
  depth: number;
  /** Position in its lane. */
  at: number;
}

export class Nesting {
  /** Lifeline key → the bar ends on it, in bar order (so by top). */
  private readonly lanes = new Map<string, Slot[]>();
  /** Bar id → its requestor's and acceptor's slot. */
  private readonly slots = new Map<string, [Slot, Slot]>();
  maxDepth = 0;

  depths(id: string): [number, number] | undefined {
    const s = this.slots.get(id);
    return s && [s[0].depth, s[1].depth];
  }

  /** Places a bar after every bar placed so far; returns its requestor and acceptor depths. */
  place(id: string, y1: number, y2: number, requestorLane: string, acceptorLane: string): [number, number] {
    const put = (key: string): Slot => {
      let lane = this.lanes.get(key);
      if (!lane) this.lanes.set(key, (lane = []));
      const used = new Set<number>();
      for (const s of lane) if (s.y2 > y1) used.add(s.depth);
      let depth = 0;
      while (used.has(depth)) depth++;
      const slot = { id, y1, y2, depth, at: lane.length };
      lane.push(slot);
      if (depth > this.maxDepth) this.maxDepth = depth;
      return slot;
    };
    // The requestor's end first: on a lifeline with both ends, the acceptor's nests inside it.
    const requestor = put(requestorLane);
    const acceptor = put(acceptorLane);
    this.slots.set(id, [requestor, acceptor]);
    return [requestor.depth, acceptor.depth];
  }

  /**
   * Moves a placed bar's bottom to `y2`; false (and nothing changed) when that
   * would open or close it at the top of a later bar on one of its lifelines.
   */
  move(id: string, y2: number, requestorLane: string, acceptorLane: string): boolean {
    const both = this.slots.get(id);
    if (!both) return false;
    const old = both[0].y2;
    if (old === y2) return true;
    const [low, high] = old < y2 ? [old, y2] : [y2, old];
    for (const [slot, key] of [[both[0], requestorLane], [both[1], acceptorLane]] as const) {
      const lane = this.lanes.get(key)!;
      // The later bars whose top lies in [low, high): tops are sorted, so a binary search finds the first.
      let lo = slot.at + 1;
      let hi = lane.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lane[mid].y1 < low) lo = mid + 1;
        else hi = mid;
      }
      if (lo < lane.length && lane[lo].y1 < high && lane[lo].id !== id) return false;
    }
    both[0].y2 = y2;
    both[1].y2 = y2;
    return true;
  }
}
