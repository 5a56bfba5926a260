/**
 * The AE map's measures, shared by the layout and its labels: spacing, font
 * sizes, and text widths estimated from the monospace font everything is
 * drawn in, whose advance is ~0.6 em (DejaVu Sans Mono and Menlo 0.602,
 * Consolas 0.55): the layout is pure, it cannot measure text.
 */
export const AE_GEOMETRY = {
  margin: 20,
  nodeGap: 36,
  minGap: 110,
  gapPad: 14,
  padX: 14,
  padY: 10,
  minBoxWidth: 150,
  /** Advance of the monospace font, in em, with some slack. */
  charEm: 0.62,
  labelSize: 14,
  labelLine: 18,
  labelPadX: 6,
  labelPadY: 4,
  /** Characters per label line in a strip between bands. */
  labelChars: 26,
  /** How far an arc between two nodes of one band reaches out to the right. */
  arcBulge: 48,
  /** Length of edge left visible above and below a stacked edge's label. */
  stackedEdge: 26,
  /** Between two labels of one strip. */
  labelGap: 6,
};

/** Font sizes (px) of a node box's lines: the AE title reads on a projector. */
export const NODE_FONT = { title: 20, naming: 13, address: 15, ports: 13, role: 14 } as const;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const textWidth = (chars: number, size: number): number => chars * size * AE_GEOMETRY.charEm;
export const lineHeight = (size: number): number => Math.round(size * 1.3);
