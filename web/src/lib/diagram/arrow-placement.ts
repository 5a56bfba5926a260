/**
 * Where an arrow of the diagram is, written straight into its elements, so
 * that moving arrows sideways does not run Svelte's updates of them again.
 *
 * A lane inserted among those drawn (a new SCU or SCP joins a live session:
 * lifelines.ts) moves every arrow to its right or across it (lane-shift.ts),
 * each a new object with new x. Drawn from the template, every such arrow ran
 * all its updates again — its words, data attributes and classes as well —
 * and on the first association after the page loaded, that was most of the
 * time from the wire to the arrow on screen. Here an arrow keeps its drawn
 * object while only its x change (`DrawnArrows`), and `place` writes the
 * attributes that depend on x: the group's transform, the line's and hit
 * area's length, the head, the label's anchor.
 *
 * Measured on the UI bench's 172-message session (176 arrows drawn whole),
 * 12 page loads each, the first C-ECHO's association after the load (its
 * new lanes move every arrow; the slower of its two messages, wire → in
 * view): median 44 ms drawn from the template, 28 ms placed here; over
 * 50 ms in 6 of the 12 loads before, 1 after. What is left of it is the
 * browser's style, layout and paint (5–10 ms) and two CPUs shared with the
 * servers and the SCU, doing their own first association.
 */
import type { Arrow } from '../../../../shared/view/diagram/layout-types.ts';
import { isWideLabel } from '../../../../shared/view/diagram/labels.ts';

export interface DrawnArrow {
  key: string;
  /** The arrow as laid out now (its x may have moved since it was drawn). */
  arrow: Arrow;
  /** Its group once in the document, and the x it was last placed at. */
  el: SVGGElement | null;
  x1: number;
  dx: number;
  wide: boolean | null;
}

/** An arrow's key among those drawn (one message, PDU or lifecycle event of an association). */
export function arrowKey(a: Arrow): string {
  return a.kind + a.index + (a.event ?? '');
}

/** Everything drawn of an arrow but its x. */
function sameWords(x: Arrow, y: Arrow): boolean {
  return (
    x === y ||
    (x.kind === y.kind &&
      x.index === y.index &&
      x.event === y.event &&
      x.association === y.association &&
      x.side === y.side &&
      x.y === y.y &&
      x.time === y.time &&
      x.command === y.command &&
      x.status === y.status &&
      x.meaning === y.meaning &&
      x.cls === y.cls &&
      x.label === y.label)
  );
}

export class DrawnArrows {
  #byKey = new Map<string, DrawnArrow>();

  /** The arrows to draw: the same object as before for an arrow that only moved sideways (its `arrow` updated). */
  update(arrows: readonly Arrow[]): DrawnArrow[] {
    const next = new Map<string, DrawnArrow>();
    const out: DrawnArrow[] = new Array(arrows.length);
    for (let i = 0; i < arrows.length; i++) {
      const arrow = arrows[i];
      const key = arrowKey(arrow);
      let d = this.#byKey.get(key);
      if (d && sameWords(d.arrow, arrow)) d.arrow = arrow;
      else d = { key, arrow, el: null, x1: NaN, dx: NaN, wide: null };
      next.set(key, d);
      out[i] = d;
    }
    this.#byKey = next;
    return out;
  }
}

/** The arrowhead at `dx` along an arrow drawn from 0 (its group is translated to the arrow's start). */
function head(dx: number): string {
  const dir = dx >= 0 ? 1 : -1;
  return `M ${dx} 0 L ${dx - 9 * dir} -5 L ${dx - 9 * dir} 5 Z`;
}

/** A refused connection ends in a cross where the acceptor would be: nothing answered. */
function cross(x: number): string {
  return `M ${x - 6} -6 L ${x + 6} 6 M ${x - 6} 6 L ${x + 6} -6`;
}

/** Writes the arrow's x into its elements, what changed of it since it was last placed. */
export function place(d: DrawnArrow): void {
  const el = d.el;
  if (!el) return;
  const a = d.arrow;
  const dx = a.x2 - a.x1;
  if (a.x1 !== d.x1) el.setAttribute('transform', `translate(${a.x1} ${a.y})`);
  const wide = isWideLabel(a, dx);
  if (dx !== d.dx) {
    const [hit, line, end] = [el.querySelector('.hit'), el.querySelector('line'), el.querySelector('.head, .cross')];
    hit?.setAttribute('x', String(Math.min(0, dx)));
    hit?.setAttribute('width', String(Math.abs(dx)));
    line?.setAttribute('x2', String(dx));
    end?.setAttribute('d', a.event === 'refused' ? cross(dx) : head(dx));
  }
  if (dx !== d.dx || wide !== d.wide) {
    const label = el.querySelector('.label');
    // Wider than its arrow: from the arrow's left end instead of centred (never cut off at the left).
    label?.setAttribute('x', String(wide ? Math.min(0, dx) + 8 : dx / 2));
    label?.classList.toggle('wide', wide);
  }
  d.x1 = a.x1;
  d.dx = dx;
  d.wide = wide;
}

/** Svelte attachment of an arrow's group: placed as soon as it is in the document. */
export function placed(d: DrawnArrow): (el: SVGGElement) => void {
  return (el) => {
    d.el = el;
    d.x1 = d.dx = NaN;
    d.wide = null;
    place(d);
  };
}
