/**
 * Geometry of the AE map: a deterministic layered layout (the same graph
 * always gives the same picture). Pure.
 *
 * - Columns (bands): requestors, SCPs, move destinations (ae-graph.ts); a
 *   band is only drawn when it has nodes. Within a band, nodes follow the
 *   mean position of their neighbours in the bands to the left, then first
 *   appearance; a requested move destination stands right above the node
 *   its C-MOVE reached, joined by a short vertical edge.
 * - Every box of a band has the band's width, so the space between two bands
 *   is a free vertical strip: each edge's label sits there (or, for an edge
 *   between two nodes stacked in one band, in the space between them, which
 *   is made tall enough), so no label can cover a box. Labels in one strip
 *   are spread apart vertically (ae-labels.ts); one pushed off its edge gets
 *   a leader line, and a band beside a crowded strip spreads its boxes.
 * - Widths come from the texts (ae-geometry.ts).
 * - An edge that skips a band passes it between two boxes.
 */
import { path as d3path } from 'd3';
import type { AeEdge, AeGraph, AeNode } from './ae-graph.ts';
import { addressLines, endpointOf, ephemeralText, namingText, roleText, titleText } from './ae-words.ts';
import { AE_GEOMETRY as G, lineHeight, NODE_FONT, textWidth, type Box } from './ae-geometry.ts';
import { labelBox, labelGap, spread, wrapLabel, type LabelLine } from './ae-labels.ts';

export { AE_GEOMETRY, NODE_FONT, type Box } from './ae-geometry.ts';

export interface TextLine {
  kind: keyof typeof NODE_FONT;
  text: string;
  /** Baseline, from the box's top. */
  y: number;
}

export interface PlacedNode {
  node: AeNode;
  endpoint: string;
  x: number;
  y: number;
  width: number;
  height: number;
  lines: TextLine[];
}

export interface PlacedEdge {
  edge: AeEdge;
  /** SVG path data, from the `from` node to the `to` node (the arrowhead at its end). */
  path: string;
  /** The label's lines, wrapped. */
  label: Box & { lines: LabelLine[] };
  /** From the edge to its label when the label had to move away from it. */
  leader: { x1: number; y1: number; x2: number; y2: number } | null;
}

export interface AeLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

function nodeLines(n: AeNode): { lines: TextLine[]; width: number; height: number } {
  const texts: [TextLine['kind'], string | null][] = [['title', titleText(n)], ['naming', namingText(n)], ...addressLines(n).map((t): [TextLine['kind'], string] => ['address', t]), ['ports', ephemeralText(n)], ['role', roleText(n)]];
  let y = G.padY;
  let width = G.minBoxWidth;
  const lines: TextLine[] = [];
  for (const [kind, text] of texts) {
    if (!text) continue;
    const size = NODE_FONT[kind];
    y += lineHeight(size);
    lines.push({ kind, text, y: y - Math.round(size * 0.3) });
    width = Math.max(width, Math.ceil(textWidth(text.length, size)) + 2 * G.padX);
  }
  return { lines, width, height: y + G.padY };
}

interface Point {
  x: number;
  y: number;
}

type Route = { kind: 'across' | 'arc'; points: Point[]; gap: number } | { kind: 'vertical'; points: Point[] };

export function layoutAeGraph(graph: AeGraph): AeLayout {
  const bandsUsed = [...new Set(graph.nodes.map((n) => n.column))].sort();
  const bandOf = new Map(graph.nodes.map((n) => [n.id, bandsUsed.indexOf(n.column)]));
  const bands: AeNode[][] = bandsUsed.map(() => []);
  for (const n of graph.nodes) bands[bandOf.get(n.id)!].push(n);
  const neighbours = new Map<string, string[]>();
  for (const e of graph.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const rank = new Map<string, number>();
  bands.forEach((band, b) => {
    const key = (n: AeNode) => {
      const left = (neighbours.get(n.id) ?? []).filter((m) => (bandOf.get(m) ?? b) < b && rank.has(m));
      return left.length ? left.reduce((s, m) => s + rank.get(m)!, 0) / left.length : Number.POSITIVE_INFINITY;
    };
    const keys = new Map(band.map((n) => [n.id, key(n)]));
    band.sort((x, y) => keys.get(x.id)! - keys.get(y.id)! || x.first - y.first);
    // A requested destination right above the node its C-MOVE reached in the same band.
    for (const r of band.filter((n) => n.named === 'requested')) {
      const target = graph.edges.find((e) => e.kind === 'move-destination' && e.from === r.id && bandOf.get(e.to) === b);
      if (!target) continue;
      band.splice(band.indexOf(r), 1);
      band.splice(band.findIndex((n) => n.id === target.to), 0, r);
    }
    band.forEach((n, i) => rank.set(n.id, (i + 0.5) / band.length));
  });
  const order = new Map<string, number>();
  bands.forEach((band) => band.forEach((n, i) => order.set(n.id, i)));

  // Texts and sizes.
  const texts = new Map(graph.nodes.map((n) => [n.id, nodeLines(n)]));
  const bandWidth = bands.map((band) => Math.max(...band.map((n) => texts.get(n.id)!.width)));
  const stacked = (e: AeEdge) => bandOf.get(e.from) === bandOf.get(e.to) && Math.abs(order.get(e.from)! - order.get(e.to)!) === 1;
  const labelLines = new Map<string, LabelLine[]>();
  const gapNeed = bands.map(() => G.minGap);
  /** The labels of each strip, stacked: how tall they would be. */
  const labelsHigh = bands.map(() => 0);
  /** Extra space below a node, before the next one in its band (a stacked edge's label). */
  const below = new Map<string, number>();
  for (const e of graph.edges) {
    const a = bandOf.get(e.from)!;
    const b = bandOf.get(e.to)!;
    if (stacked(e)) {
      const lines = wrapLabel(e.lines, Math.max(8, Math.floor((bandWidth[a] - 2 * G.labelPadX) / textWidth(1, G.labelSize))));
      labelLines.set(e.id, lines);
      const upper = order.get(e.from)! < order.get(e.to)! ? e.from : e.to;
      // Room for the label and, above and below it, enough of the edge to see it.
      below.set(upper, Math.max(below.get(upper) ?? 0, labelBox(lines).height + 2 * G.stackedEdge));
      continue;
    }
    const lines = wrapLabel(e.lines, G.labelChars);
    labelLines.set(e.id, lines);
    const gap = labelGap(a, b);
    const box = labelBox(lines);
    gapNeed[gap] = Math.max(gapNeed[gap], box.width + 2 * G.gapPad + (a === b ? G.arcBulge : 0));
    labelsHigh[gap] += box.height + G.labelGap;
  }
  // A band beside a strip of many labels spreads its boxes, so the edges (and their labels) spread too.
  const bandGap = bands.map((band, b) => {
    const want = Math.max(labelsHigh[b - 1] ?? 0, labelsHigh[b] ?? 0);
    const boxes = band.reduce((h, n) => h + texts.get(n.id)!.height, 0);
    return band.length > 1 ? Math.max(G.nodeGap, Math.ceil((want - boxes) / (band.length - 1))) : G.nodeGap;
  });
  const hasArcAfterLast = graph.edges.some((e) => !stacked(e) && bandOf.get(e.from) === bands.length - 1 && bandOf.get(e.to) === bands.length - 1);

  // Positions: bands left to right, each stack centred on the tallest.
  const bandX: number[] = [];
  let x = 0;
  bands.forEach((_, b) => {
    bandX.push(x);
    x += bandWidth[b] + (b < bands.length - 1 || hasArcAfterLast ? gapNeed[b] : 0);
  });
  const stackHeight = bands.map((band, b) => band.reduce((h, n, i) => h + texts.get(n.id)!.height + (i < band.length - 1 ? Math.max(bandGap[b], below.get(n.id) ?? 0) : 0), 0));
  const tallest = Math.max(0, ...stackHeight);
  const placed = new Map<string, PlacedNode>();
  bands.forEach((band, b) => {
    let y = (tallest - stackHeight[b]) / 2;
    for (const n of band) {
      const t = texts.get(n.id)!;
      placed.set(n.id, { node: n, endpoint: endpointOf(n), x: bandX[b], y, width: bandWidth[b], height: t.height, lines: t.lines });
      y += t.height + Math.max(bandGap[b], below.get(n.id) ?? 0);
    }
  });

  const routes = routeEdges(graph.edges, placed, bandOf, bands, stacked);
  const gapCentre = (g: number) => bandX[g] + bandWidth[g] + gapNeed[g] / 2;
  const labels = new Map<string, Box>();
  const byGap = new Map<number, { id: string; anchor: number; box: { width: number; height: number } }[]>();
  for (const e of graph.edges) {
    const route = routes.get(e.id)!;
    const box = labelBox(labelLines.get(e.id)!);
    const [p, q] = route.points;
    if (route.kind === 'vertical') {
      labels.set(e.id, { x: p.x - box.width / 2, y: (p.y + q.y) / 2 - box.height / 2, ...box });
      continue;
    }
    const anchor = (p.y + q.y) / 2;
    byGap.set(route.gap, [...(byGap.get(route.gap) ?? []), { id: e.id, anchor, box }]);
  }
  const leaders = new Map<string, PlacedEdge['leader']>();
  for (const [gap, list] of byGap) {
    const cx = gapCentre(gap);
    for (const { id, anchor, box, top } of spread(list)) {
      labels.set(id, { x: cx - box.width / 2, y: top, ...box });
      const moved = Math.abs(top + box.height / 2 - anchor) > box.height / 2;
      leaders.set(id, moved ? { x1: cx, y1: anchor, x2: cx, y2: top < anchor ? top + box.height : top } : null);
    }
  }

  // Everything at least a margin from the top left; the size takes in every box, label and curve.
  const boxes: Box[] = [...placed.values(), ...labels.values()];
  const points = [...routes.values()].flatMap((r) => r.points);
  const minX = Math.min(...boxes.map((b) => b.x), ...points.map((p) => p.x));
  const minY = Math.min(...boxes.map((b) => b.y), ...points.map((p) => p.y));
  const dx = G.margin - minX;
  const dy = G.margin - minY;
  for (const n of placed.values()) (n.x += dx), (n.y += dy);
  for (const l of labels.values()) (l.x += dx), (l.y += dy);
  for (const p of points) (p.x += dx), (p.y += dy);
  const maxX = Math.max(...boxes.map((b) => b.x + b.width), ...points.map((p) => p.x));
  const maxY = Math.max(...boxes.map((b) => b.y + b.height), ...points.map((p) => p.y));

  const nodes = graph.nodes.map((n) => placed.get(n.id)!);
  const edges = graph.edges.map((e): PlacedEdge => {
    const leader = leaders.get(e.id) ?? null;
    return {
      edge: e,
      path: pathOf(routes.get(e.id)!),
      label: { ...labels.get(e.id)!, lines: labelLines.get(e.id)! },
      leader: leader && { x1: leader.x1 + dx, y1: leader.y1 + dy, x2: leader.x2 + dx, y2: leader.y2 + dy },
    };
  });
  return { width: Math.ceil(maxX + G.margin), height: Math.ceil(maxY + G.margin), nodes, edges };
}

/**
 * Where each edge leaves and enters its boxes: across bands from the facing
 * sides, several edges on one side spread along it in the order of their
 * other ends (fewer crossings, labels apart); stacked nodes top to bottom;
 * other nodes of one band by an arc on the right.
 */
function routeEdges(edges: AeEdge[], placed: Map<string, PlacedNode>, bandOf: Map<string, number>, bands: AeNode[][], stacked: (e: AeEdge) => boolean): Map<string, Route> {
  type Side = 'left' | 'right';
  const ports = new Map<string, { edge: string; end: 'from' | 'to'; other: number }[]>();
  const centreY = (id: string) => placed.get(id)!.y + placed.get(id)!.height / 2;
  const sideOf = (e: AeEdge, end: 'from' | 'to'): Side => {
    const me = bandOf.get(e[end])!;
    const other = bandOf.get(end === 'from' ? e.to : e.from)!;
    return other > me ? 'right' : other < me ? 'left' : 'right';
  };
  for (const e of edges) {
    if (stacked(e)) continue;
    for (const end of ['from', 'to'] as const) {
      const key = `${e[end]}|${sideOf(e, end)}`;
      ports.set(key, [...(ports.get(key) ?? []), { edge: e.id, end, other: centreY(end === 'from' ? e.to : e.from) }]);
    }
  }
  const at = new Map<string, number>();
  for (const [key, list] of ports) {
    const n = placed.get(key.slice(0, key.lastIndexOf('|')))!;
    list.sort((a, b) => a.other - b.other);
    list.forEach((p, k) => at.set(`${p.edge}|${p.end}`, n.y + (n.height * (k + 1)) / (list.length + 1)));
  }
  const routes = new Map<string, Route>();
  for (const e of edges) {
    const a = placed.get(e.from)!;
    const b = placed.get(e.to)!;
    const ba = bandOf.get(e.from)!;
    const bb = bandOf.get(e.to)!;
    if (stacked(e)) {
      const down = a.y < b.y;
      const cx = a.x + a.width / 2;
      routes.set(e.id, { kind: 'vertical', points: [{ x: cx, y: down ? a.y + a.height : a.y }, { x: cx, y: down ? b.y : b.y + b.height }] });
      continue;
    }
    const start = { x: sideOf(e, 'from') === 'right' ? a.x + a.width : a.x, y: at.get(`${e.id}|from`)! };
    const end = { x: sideOf(e, 'to') === 'right' ? b.x + b.width : b.x, y: at.get(`${e.id}|to`)! };
    if (ba === bb) {
      routes.set(e.id, { kind: 'arc', points: [start, end], gap: ba });
      continue;
    }
    const step = bb > ba ? 1 : -1;
    const points = [start];
    for (let band = ba + step; band !== bb; band += step) {
      const mid = placed.get(bands[band][0].id)!;
      const cx = mid.x + mid.width / 2;
      const want = start.y + ((end.y - start.y) * (cx - start.x)) / (end.x - start.x);
      points.push({ x: cx, y: freeY(bands[band].map((n) => placed.get(n.id)!), want) });
    }
    points.push(end);
    routes.set(e.id, { kind: 'across', points, gap: labelGap(ba, bb) });
  }
  return routes;
}

/** A y in a band where a passing edge touches no box: the wanted one, else the middle of the nearest space between boxes. */
function freeY(boxes: PlacedNode[], want: number): number {
  const clear = 14;
  if (!boxes.some((b) => want > b.y - clear && want < b.y + b.height + clear)) return want;
  const slots = [boxes[0].y - 2 * clear, boxes[boxes.length - 1].y + boxes[boxes.length - 1].height + 2 * clear];
  for (let i = 1; i < boxes.length; i++) slots.push((boxes[i - 1].y + boxes[i - 1].height + boxes[i].y) / 2);
  return slots.reduce((best, s) => (Math.abs(s - want) < Math.abs(best - want) ? s : best));
}

/** Curves with horizontal ends between bands (d3-path), a straight line between stacked nodes, a "C" for an arc. */
function pathOf(route: Route): string {
  const p = d3path();
  const [first] = route.points;
  p.moveTo(first.x, first.y);
  if (route.kind === 'vertical') {
    p.lineTo(route.points[1].x, route.points[1].y);
  } else if (route.kind === 'arc') {
    const [s, e] = route.points;
    p.bezierCurveTo(s.x + G.arcBulge, s.y, e.x + G.arcBulge, e.y, e.x, e.y);
  } else {
    for (let i = 1; i < route.points.length; i++) {
      const s = route.points[i - 1];
      const e = route.points[i];
      const mx = (s.x + e.x) / 2;
      p.bezierCurveTo(mx, s.y, mx, e.y, e.x, e.y);
    }
  }
  return p.toString();
}
