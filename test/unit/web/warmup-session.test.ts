/**
 * The diagram warm-up's made-up session (shared/view/diagram/warmup-session.ts)
 * must make the incremental layout take the paths a live update takes: one
 * layout made afresh, then extensions, one of them a lane inserted among
 * those drawn (the SCP moves right, its arrows with it), each stage laid out
 * as the full layout lays it out.
 */
import { describe, expect, it } from 'vitest';
import { IncrementalLayout, layoutDiagram, type LayoutOptions } from '../../../shared/view/diagram/layout.ts';
import { NO_FILTER } from '../../../shared/view/diagram/filter.ts';
import { warmupSessions } from '../../../shared/view/diagram/warmup-session.ts';

describe('the warm-up session', () => {
  it('grows in three stages: a second SCU moves the SCP a lane right, the rest extends', () => {
    const stages = warmupSessions();
    const options: LayoutOptions = { pdus: false, realTime: false, endpoints: [], filter: NO_FILTER };
    const layouter = new IncrementalLayout();
    const laid = stages.map((s) => layouter.update(s, options));
    laid.forEach((layout, i) => expect(layout).toEqual(layoutDiagram(stages[i], options)));
    expect(layouter.fullLayouts).toBe(1);
    expect(layouter.sidewaysMoves).toBe(1);
    expect(laid.map((l) => l.lifelines.map((line) => line.ae))).toEqual([
      ['WARMUP-SCU', 'WARMUP-SCP'],
      ['WARMUP-SCU', 'WARMUP-SCU2', 'WARMUP-SCP'],
      ['WARMUP-SCU', 'WARMUP-SCU2', 'WARMUP-SCP'],
    ]);
    // The first C-ECHO-RQ ends on the SCP's lane, which moved.
    const first = (i: number) => laid[i].arrows.find((a) => a.kind === 'message' && a.index === 0)!;
    expect(first(1).x2 - first(0).x2).toBe(300);
    expect(laid[2].arrows.filter((a) => a.kind === 'message')).toHaveLength(6);
  });
});
