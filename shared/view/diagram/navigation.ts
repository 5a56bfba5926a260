/** Selection and keyboard navigation between arrows (pure): what an arrow selects, and the arrow after or before the selected one, in diagram order. */
import type { Arrow, Selection } from './layout-types.ts';

/** The selection a click on `arrow` makes. */
export function selectionOf(arrow: Arrow): NonNullable<Selection> {
  return arrow.kind === 'lifecycle' ? { kind: 'lifecycle', index: arrow.index, event: arrow.event ?? 'associate' } : { kind: arrow.kind, index: arrow.index };
}

/** Is `arrow` what `selected` names? (An association has up to two lifecycle arrows: the event tells them apart.) */
export function isSelectedArrow(arrow: Arrow, selected: Selection): boolean {
  if (selected === null || selected.kind !== arrow.kind || selected.index !== arrow.index) return false;
  return selected.kind !== 'lifecycle' || selected.event === arrow.event;
}

export function stepSelection(arrows: Arrow[], selected: Selection, step: number): Arrow | null {
  if (arrows.length === 0) return null;
  const at = selected ? arrows.findIndex((a) => isSelectedArrow(a, selected)) : -1;
  if (at < 0) return step > 0 ? arrows[0] : arrows[arrows.length - 1];
  const next = Math.max(0, Math.min(arrows.length - 1, at + step));
  return arrows[next];
}
