/**
 * Edge labels of the AE map: wrapped at word boundaries, sized, and spread
 * along the strip between two bands so that none covers another while each
 * stays as near its edge as the others allow. Pure.
 */
import { AE_GEOMETRY as G, textWidth } from './ae-geometry.ts';

/** One line of a label; `strong`: wrapped from the label's first line (its headline, in the edge's colour). */
export interface LabelLine {
  text: string;
  strong: boolean;
}

/** Greedy word wrap at `max` characters; a longer word is cut. */
export function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > max) {
      if (line) out.push(line), (line = '');
      out.push(word.slice(0, max));
      word = word.slice(max);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= max) line += ` ${word}`;
    else out.push(line), (line = word);
  }
  if (line) out.push(line);
  return out;
}

/** An edge's lines wrapped at `max` characters. */
export function wrapLabel(lines: readonly string[], max: number): LabelLine[] {
  return lines.flatMap((line, i) => wrap(line, max).map((text) => ({ text, strong: i === 0 })));
}

export function labelBox(lines: readonly LabelLine[]): { width: number; height: number } {
  const chars = Math.max(0, ...lines.map((l) => l.text.length));
  return { width: Math.ceil(textWidth(chars, G.labelSize)) + 2 * G.labelPadX, height: lines.length * G.labelLine + 2 * G.labelPadY };
}

/** The strip an edge's label sits in: right of the band for an arc, else the first strip the edge crosses. */
export function labelGap(from: number, to: number): number {
  return from === to ? from : to > from ? from : from - 1;
}

/**
 * Labels of one strip, each as near its anchor (the y where its edge crosses
 * the strip) as the others allow: overlapping labels join a cluster centred
 * on the mean of its anchors, clusters that then touch join again.
 */
export function spread<T extends { anchor: number; box: { height: number } }>(items: T[]): (T & { top: number })[] {
  type Cluster = { items: T[]; top: number; height: number };
  const clusters: Cluster[] = [];
  const sorted = [...items].sort((a, b) => a.anchor - b.anchor);
  for (const item of sorted) {
    clusters.push({ items: [item], top: item.anchor - item.box.height / 2, height: item.box.height });
    while (clusters.length > 1) {
      const last = clusters[clusters.length - 1];
      const prev = clusters[clusters.length - 2];
      if (prev.top + prev.height + G.labelGap <= last.top) break;
      clusters.pop();
      prev.items.push(...last.items);
      prev.height += G.labelGap + last.height;
      // The top that puts the cluster's labels, on average, on their anchors.
      let offset = 0;
      let sum = 0;
      for (const it of prev.items) {
        sum += it.anchor - offset - it.box.height / 2;
        offset += it.box.height + G.labelGap;
      }
      prev.top = sum / prev.items.length;
    }
  }
  return clusters.flatMap((c) => {
    let top = c.top;
    return c.items.map((it) => {
      const placed = { ...it, top };
      top += it.box.height + G.labelGap;
      return placed;
    });
  });
}
