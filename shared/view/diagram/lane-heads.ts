/**
 * The head of a lifeline as drawn at a zoom: it stays pinned at the top of
 * the diagram and readable at every scale. Heads never overlap: a head is as
 * wide as its lane on screen allows (at most its natural width), its text
 * shrinks to a floor and is then shortened with an ellipsis (the whole text
 * is the tooltip). Pure.
 */
import { GEOMETRY } from './layout-types.ts';
import type { Lifeline } from './lifelines.ts';

export interface HeadText {
  /** Box width in screen pixels. */
  width: number;
  titleSize: number;
  subtitleSize: number;
  title: string;
  subtitle: string;
  /** The whole text, for the tooltip. */
  full: string;
}

const NATURAL_WIDTH = 224;
const GAP = 10;
/** Average glyph width of the UI font, as a fraction of its size (DejaVu Sans / system-ui, bold titles a little wider). */
const GLYPH = 0.62;

function fit(text: string, width: number, size: number): string {
  const chars = Math.max(3, Math.floor(width / (size * GLYPH)));
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** What the head says under the title: where the AE listens, and how its name is known. */
export function laneSubtitle(l: Lifeline): string {
  const more = l.ports.length > 1 ? ` (+${l.ports.length - 1} port${l.ports.length > 2 ? 's' : ''})` : '';
  if (l.named === 'address') return 'no AE title on the wire';
  if (l.named === 'move') return `${l.endpoint}${more} · named by the C-MOVE`;
  return `${l.endpoint}${more}`;
}

export function headText(l: Lifeline, k: number, present = false): HeadText {
  const natural = present ? NATURAL_WIDTH + 40 : NATURAL_WIDTH;
  const width = Math.max(48, Math.min(natural, GEOMETRY.laneWidth * k - GAP));
  const scale = Math.min(1, width / (natural * 0.75));
  const titleSize = Math.max(11, (present ? 22 : 17) * scale);
  const subtitleSize = Math.max(10, (present ? 17 : 13) * scale);
  const titleText = l.ae || l.endpoint;
  const subtitle = laneSubtitle(l);
  return {
    width,
    titleSize,
    subtitleSize,
    title: fit(titleText, width - 12, titleSize * 1.05),
    subtitle: fit(subtitle, width - 12, subtitleSize),
    full: `${titleText} — ${subtitle}${l.connections ? `; opened ${l.connections} association${l.connections === 1 ? '' : 's'}` : ''}`,
  };
}
