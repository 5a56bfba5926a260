/** Keyboard navigation between arrows (pure): the arrow after or before the selected one, in diagram order. */
import type { Arrow } from './layout.ts';

export function stepSelection(
  arrows: Arrow[],
  selected: { kind: 'message' | 'pdu'; index: number } | null,
  step: number,
): Arrow | null {
  if (arrows.length === 0) return null;
  const at = selected ? arrows.findIndex((a) => a.kind === selected.kind && a.index === selected.index) : -1;
  if (at < 0) return step > 0 ? arrows[0] : arrows[arrows.length - 1];
  const next = Math.max(0, Math.min(arrows.length - 1, at + step));
  return arrows[next];
}
