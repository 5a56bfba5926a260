/**
 * The AE map's geometry (web/src/lib/aemap/ae-layout.ts): on the graphs of
 * real sessions (fixtures, decoded captures) and on a crowded graph made up
 * here, no two boxes overlap, no label covers a box or another label,
 * everything lies inside the drawing, requestors stand left of SCPs left of
 * destinations, a requested destination right above the node it reached,
 * and the same graph always gives the same picture.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { buildAeGraph, type AeEdge, type AeGraph, type AeNode } from '../../../web/src/lib/aemap/ae-graph.ts';
import { layoutAeGraph, NODE_FONT, type AeLayout, type Box } from '../../../web/src/lib/aemap/ae-layout.ts';
import { wrap } from '../../../web/src/lib/aemap/ae-labels.ts';
import { importBytes } from '../capture/import-helpers.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary => migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));
const capture = (name: string): Promise<Summary> =>
  summarize([importBytes(new Uint8Array(readFileSync(new URL(`../../fixtures/pcap/${name}`, import.meta.url)))).events], { path: name, format: 'pcapng' });

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Box, l: AeLayout) => a.x >= 0 && a.y >= 0 && a.x + a.width <= l.width && a.y + a.height <= l.height;

/** Every pair of boxes and labels apart, every one inside the drawing. */
function expectReadable(l: AeLayout): void {
  const all = [...l.nodes.map((n) => ({ what: `node ${n.node.id}`, box: n as Box })), ...l.edges.map((e) => ({ what: `label ${e.edge.id}`, box: e.label as Box }))];
  for (let i = 0; i < all.length; i++) {
    expect(inside(all[i].box, l), `${all[i].what} inside`).toBe(true);
    for (let j = i + 1; j < all.length; j++) expect(overlap(all[i].box, all[j].box), `${all[i].what} / ${all[j].what}`).toBe(false);
  }
}

const centreX = (l: AeLayout, id: string) => {
  const n = l.nodes.find((p) => p.node.id === id)!;
  return n.x + n.width / 2;
};

describe('layoutAeGraph on real sessions', () => {
  const cases: [string, () => Promise<Summary> | Summary][] = [
    ['move', () => fixture('move')],
    ['move-unknown', () => fixture('move-unknown')],
    ['reject', () => fixture('reject')],
    ['get', () => fixture('get')],
    ['refused', () => fixture('refused')],
    ['wrong called AE (dcmqrscp)', () => capture('dcmtk-wrong-called-ae.pcapng')],
    ['dead destination (Orthanc)', () => capture('orthanc-async-dead-destination.pcapng')],
    ['joined after the A-ASSOCIATE-AC', () => capture('dcmtk-move-after-ac.pcapng')],
  ];
  for (const [name, load] of cases) {
    it(`${name}: readable and inside the drawing`, async () => {
      const l = layoutAeGraph(buildAeGraph(await load()));
      expectReadable(l);
      expect(l.edges.every((e) => e.path.startsWith('M'))).toBe(true);
    });
  }

  it('reads left to right: SCU, SCP, destination; the requested destination right above the one reached', () => {
    const l = layoutAeGraph(buildAeGraph(fixture('move')));
    expect(centreX(l, 'SCU@127.0.0.1')).toBeLessThan(centreX(l, 'QRSCP@127.0.0.1'));
    expect(centreX(l, 'QRSCP@127.0.0.1')).toBeLessThan(centreX(l, 'STORESCP@127.0.0.1'));
    const requested = l.nodes.find((n) => n.node.id === 'requested:STORESCP')!;
    const reached = l.nodes.find((n) => n.node.id === 'STORESCP@127.0.0.1')!;
    expect(requested.x).toBe(reached.x);
    expect(requested.y + requested.height).toBeLessThan(reached.y);
    // Its dashed edge goes straight down, its label between the two boxes.
    const dashed = l.edges.find((e) => e.edge.kind === 'move-destination')!;
    expect(dashed.path).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
    expect(dashed.label.y).toBeGreaterThan(requested.y + requested.height);
    expect(dashed.label.y + dashed.label.height).toBeLessThan(reached.y);
  });

  it('writes the AE title large enough for a projector, the node lines in order', () => {
    const l = layoutAeGraph(buildAeGraph(fixture('move')));
    expect(NODE_FONT.title).toBeGreaterThanOrEqual(16);
    const qr = l.nodes.find((n) => n.node.id === 'QRSCP@127.0.0.1')!;
    expect(qr.lines.map((t) => [t.kind, t.text])).toEqual([
      ['title', 'QRSCP'],
      ['address', '127.0.0.1:42817'],
      ['ports', 'from :54640'],
      ['role', 'SCP · move SCP'],
    ]);
    expect(qr.lines.every((t, i) => i === 0 || t.y > qr.lines[i - 1].y)).toBe(true);
    expect(qr.lines[qr.lines.length - 1].y).toBeLessThan(qr.height);
  });

  it('gives the same picture for the same summary', async () => {
    const s = await capture('orthanc-async-dead-destination.pcapng');
    expect(layoutAeGraph(buildAeGraph(s))).toEqual(layoutAeGraph(buildAeGraph(s)));
  });
});

describe('layoutAeGraph on a crowded graph', () => {
  const node = (id: string, column: 0 | 1 | 2, first: number): AeNode => ({
    id,
    ae: id.split('@')[0],
    named: 'wire',
    host: '10.0.0.1',
    listening: column ? [104 + first] : [],
    refusedAt: [],
    ephemeral: column ? [] : [40000 + first],
    roles: [column === 0 ? 'scu' : column === 1 ? 'scp' : 'move-destination'],
    column,
    associations: [],
    first,
  });
  const edge = (from: string, to: string, lines: string[], kind: AeEdge['kind'] = 'association'): AeEdge => ({ id: `${kind}:${from}>${to}`, kind, from, to, associations: ['a1'], counts: {}, outcome: 'released', moves: [], lines });
  const scus = ['CT1', 'CT2', 'MR1', 'WORKSTATION', 'US'].map((ae, i) => node(`${ae}@10.0.0.1`, 0, i));
  const scps = ['PACS', 'ARCHIVE', 'ROUTER'].map((ae, i) => node(`${ae}@10.0.0.1`, 1, 10 + i));
  const dests = ['STORESCP', 'VIEWER'].map((ae, i) => node(`${ae}@10.0.0.1`, 2, 20 + i));
  const long = '1 rejected: called AE title not recognised (1/1/7)';
  const graph: AeGraph = {
    nodes: [...scus, ...scps, ...dests],
    edges: [
      ...scus.flatMap((s, i) => scps.filter((_, j) => (i + j) % 2 === 0).map((p) => edge(s.id, p.id, [`${i + 1} released`, long]))),
      edge(scps[0].id, scps[2].id, ['2 released']), // two SCPs of one band, not next to each other: an arc
      edge(scus[0].id, dests[1].id, ['1 aborted by the acceptor']), // skips the SCP band
      edge(scps[0].id, dests[0].id, ['3 released']),
      edge(dests[1].id, scps[1].id, ['1 closed without release']), // right to left
    ],
  };

  it('keeps boxes and labels apart and inside', () => {
    const l = layoutAeGraph(graph);
    expectReadable(l);
    // The arc stays right of its band, the long edge passes the SCP band between boxes.
    const arc = l.edges.find((e) => e.edge.from === scps[0].id && e.edge.to === scps[2].id)!;
    expect(arc.path).toContain('C');
    const scpBoxes = l.nodes.filter((n) => n.node.column === 1);
    const skip = l.edges.find((e) => e.edge.to === dests[1].id)!;
    const waypoint = skip.path.match(/C[^C]+/g)![0].split(/[ ,]/).map(Number).slice(-2);
    expect(scpBoxes.some((b) => waypoint[1] > b.y && waypoint[1] < b.y + b.height)).toBe(false);
  });

  it('wraps labels at word boundaries, cutting only a word longer than a line', () => {
    expect(wrap(long, 26)).toEqual(['1 rejected: called AE', 'title not recognised', '(1/1/7)']);
    expect(wrap('1.2.840.10008.5.1.4.1.1.2.1', 10)).toEqual(['1.2.840.10', '008.5.1.4.', '1.1.2.1']);
    expect(wrap('', 10)).toEqual([]);
  });
});
