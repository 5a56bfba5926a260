/**
 * The sequence diagram as geometry: Summary → lifelines, association bars,
 * arrows with labels, links from a C-MOVE to its sub-association. Pure: the
 * web's Svelte components only draw what this returns, and the SVG and
 * Mermaid exports (export/) render it, in the browser and in
 * `pacscope export` alike.
 *
 * Vertical axis: ordinal (one row per event) or real time (y proportional to
 * seconds). Bars on a lifeline that overlap in time are nested: each one is
 * shifted right by its depth, so a sub-association sits inside the move SCP's
 * bar of the C-MOVE that caused it (nesting.ts).
 *
 * With a filter (filter.ts) only the associations, messages and lifelines
 * that pass are laid out; arrow indexes stay those of the Summary.
 *
 * A live session is laid out by IncrementalLayout (incremental-layout.ts),
 * which extends the previous layout when a change allows it; layoutDiagram is
 * the same code from nothing.
 */
import type { Summary } from '../../model/summary-types.ts';
import { fullLayout } from './incremental-layout.ts';
import type { Arrow, Layout, LayoutOptions } from './layout-types.ts';

export { GEOMETRY } from './layout-types.ts';
export type { Arrow, Bar, CancelLink, LaidLifeline, Layout, LayoutOptions, Link } from './layout-types.ts';
export { IncrementalLayout } from './incremental-layout.ts';

export function layoutDiagram(summary: Summary, options: LayoutOptions): Layout {
  return fullLayout(summary, options);
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
