/**
 * How sharp a PNG of the diagram can be: the pixels per SVG unit, for the
 * browser's export menu (an offscreen canvas) and for `pacscope export --png`
 * (headless Chromium's device scale factor) alike.
 */

/** Browsers cap a canvas side (32,767 px) and area (Firefox ~125 Mpx). */
export const CANVAS_LIMITS = { side: 32_000, area: 120_000_000 } as const;

/** Pixels per SVG unit for a PNG of a width × height diagram: `preferred` (sharp on HiDPI) unless the canvas would be too large. */
export function pngScale(width: number, height: number, preferred = 2): number {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  return Math.min(preferred, CANVAS_LIMITS.side / w, CANVAS_LIMITS.side / h, Math.sqrt(CANVAS_LIMITS.area / (w * h)));
}
