/**
 * The diagram's drawn arrows (web/src/lib/diagram/arrow-placement.ts): an
 * arrow that a lane insertion only moved sideways keeps its drawn object
 * (so Svelte runs none of its updates again) and carries the arrow as laid
 * out now (for place() and the click handler); an arrow whose words or row
 * changed is a new object. Laid out by the real incremental layout over the
 * warm-up's session, whose second stage inserts a lane left of the SCP.
 */
import { describe, expect, it } from 'vitest';
import { IncrementalLayout, type LayoutOptions } from '../../../shared/view/diagram/layout.ts';
import { NO_FILTER } from '../../../shared/view/diagram/filter.ts';
import { warmupSessions } from '../../../shared/view/diagram/warmup-session.ts';
import { arrowKey, DrawnArrows } from '../../../web/src/lib/diagram/arrow-placement.ts';
import { isWideLabel } from '../../../shared/view/diagram/labels.ts';
import type { Arrow } from '../../../shared/view/diagram/layout-types.ts';

const options: LayoutOptions = { pdus: false, realTime: false, endpoints: [], filter: NO_FILTER };

describe('drawn arrows', () => {
  it('keep their object when a new lane moves them, with the arrow as laid out now', () => {
    const [first, second] = warmupSessions();
    const layouter = new IncrementalLayout();
    const before = layouter.update(first, options);
    const after = layouter.update(second, options);
    const drawn = new DrawnArrows();
    const a = drawn.update(before.arrows);
    const b = drawn.update(after.arrows);
    // The first association's arrows have one end on the SCP, which moved one lane right: same objects, new x.
    for (const d of a) {
      const now = b.find((x) => x.key === d.key)!;
      expect(now).toBe(d);
      expect(now.arrow).toBe(after.arrows.find((x) => arrowKey(x) === d.key));
      const was = before.arrows.find((x) => arrowKey(x) === d.key)!;
      expect(Math.max(now.arrow.x1, now.arrow.x2) - Math.max(was.x1, was.x2)).toBe(300);
      expect(Math.min(now.arrow.x1, now.arrow.x2)).toBe(Math.min(was.x1, was.x2));
    }
    // The new association's arrows are new.
    expect(b.filter((d) => !a.includes(d)).map((d) => d.arrow.association)).toEqual(expect.arrayContaining(['w2']));
    expect(b.map((d) => d.arrow)).toEqual(after.arrows);
  });

  it('are drawn anew when their row or words change, and forgotten when not shown', () => {
    const drawn = new DrawnArrows();
    const arrow: Arrow = { kind: 'lifecycle', index: 0, event: 'associate', association: 'a1', side: 'requestor', x1: 137, x2: 423, y: 100, time: 0, label: 'a1 · A-ASSOCIATE', command: 'A-ASSOCIATE-RQ', commandField: null, status: null, meaning: null, cls: 'lifecycle' };
    const [d] = drawn.update([arrow]);
    expect(drawn.update([{ ...arrow, x1: 437, x2: 723 }])[0]).toBe(d);
    expect(drawn.update([{ ...arrow, x1: 437, x2: 723, y: 134 }])[0]).not.toBe(d);
    const [e] = drawn.update([{ ...arrow, label: 'a1 · A-ASSOCIATE-RQ' }]);
    expect(e.arrow.label).toBe('a1 · A-ASSOCIATE-RQ');
    drawn.update([]);
    expect(drawn.update([arrow])[0]).not.toBe(e);
  });

  it('start a label at the left end when it is wider than the arrow', () => {
    const arrow = { kind: 'message', label: 'C-MOVE-RQ → VIEWER (study 1.2.3)' } as Arrow;
    expect(isWideLabel(arrow, 286)).toBe(false);
    expect(isWideLabel(arrow, -100)).toBe(true);
  });
});
