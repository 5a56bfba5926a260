/**
 * The pure diagram layout against summaries of real DCMTK sessions
 * (test/fixtures/web/*.summary.json, made with `pacscope summary --json` from
 * the interop captures): lifeline order, association bars, arrow labels,
 * sub-association nesting and the dedupe of a connection tapped twice.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { layoutDiagram, visibleRange, type Arrow, type Layout } from '../../../shared/view/diagram/layout.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary =>
  migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));
/** The DIMSE message arrows (lifecycle arrows left out). */
const messageArrows = (layout: Layout): Arrow[] => layout.arrows.filter((a) => a.kind === 'message');

describe('layoutDiagram: C-MOVE with a sub-association (dcmqrscp → storescp)', () => {
  const summary = fixture('move');
  const layout = layoutDiagram(summary, { pdus: false, realTime: false });

  it('has one lifeline per AE, ordered SCU, SCP, destination', () => {
    expect(layout.lifelines.map((l) => l.ae)).toEqual(['SCU', 'QRSCP', 'STORESCP']);
    expect(layout.lifelines[1].endpoint).toBe('127.0.0.1:42817');
    const xs = layout.lifelines.map((l) => l.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('nests the sub-association under the C-MOVE that caused it', () => {
    const sub = layout.bars.find((b) => b.id === 'a2')!;
    const top = layout.bars.find((b) => b.id === 'a1')!;
    expect(sub.parent).toBe('a1');
    expect(top.parent).toBeNull();
    expect(sub.y1).toBeGreaterThan(top.y1);
    expect(sub.y2).toBeLessThan(top.y2);
    // the move SCP's lifeline carries both bars: the sub-association is shifted right
    expect(sub.requestorX).toBeGreaterThan(top.acceptorX);
    expect(layout.links).toHaveLength(1);
    expect(layout.links[0]).toMatchObject({ parent: 'a1', child: 'a2' });
  });

  it('labels arrows as people read them', () => {
    const labels = messageArrows(layout).map((a) => a.label);
    expect(labels[0]).toBe('C-MOVE-RQ #1 STUDY → STORESCP');
    expect(labels).toContain('Pending R=2 C=1 F=0 W=0');
    expect(labels[labels.length - 1]).toBe('Success C=3');
    expect(labels.some((l) => /^C-STORE-RQ CT [0-9.]{10}…[0-9.]+$/.test(l))).toBe(true);
    expect(layout.arrows.every((a, i) => i === 0 || a.y >= layout.arrows[i - 1].y)).toBe(true);
    const moveRq = messageArrows(layout)[0];
    expect(moveRq.x1).toBeLessThan(moveRq.x2); // left to right
  });

  it('draws every association\'s lifecycle at DIMSE level: A-ASSOCIATE first, A-RELEASE last, on the bar\'s own rows', () => {
    const lifecycle = layout.arrows.filter((a) => a.kind === 'lifecycle');
    expect(lifecycle.map((a) => [a.association, a.event])).toEqual([
      ['a1', 'associate'],
      ['a2', 'associate'],
      ['a2', 'release'],
      ['a1', 'release'],
    ]);
    expect(layout.arrows[0].label).toBe('a1 · A-ASSOCIATE accepted · 2 of 2 contexts');
    for (const bar of layout.bars) {
      const own = lifecycle.filter((a) => a.association === bar.id);
      expect(own[0].y).toBeGreaterThan(bar.y1);
      expect(own[1].y).toBeLessThan(bar.y2);
      expect(own.every((a) => a.cls === 'lifecycle')).toBe(true);
    }
    // With the PDU level on, the PDUs are those rows.
    const pdus = layoutDiagram(summary, { pdus: true, realTime: false });
    expect(pdus.arrows.filter((a) => a.kind === 'lifecycle')).toEqual([]);
  });

  it('shows the PDU level when asked', () => {
    const pdus = layoutDiagram(summary, { pdus: true, realTime: false });
    expect(pdus.arrows.filter((a) => a.kind === 'pdu')).toHaveLength(summary.pdus.length);
    expect(pdus.arrows.filter((a) => a.kind === 'message')).toHaveLength(summary.messages.length);
    expect(pdus.arrows.find((a) => a.kind === 'pdu' && a.command === 'P-DATA-TF')!.label).toMatch(/pc\d+ cmd last \d+ B/);
  });

  it('puts y proportional to time on the real-time axis', () => {
    const timed = layoutDiagram(summary, { pdus: false, realTime: true });
    const [a, b, c] = [timed.arrows[0], timed.arrows[1], timed.arrows[timed.arrows.length - 1]];
    const ratio = (b.y - a.y) / (b.time - a.time);
    expect((c.y - a.y) / (c.time - a.time)).toBeCloseTo(ratio, 3);
  });

  it('finds the visible arrows by binary search', () => {
    const [from, to] = visibleRange(layout.arrows, layout.arrows[2].y, layout.arrows[4].y);
    expect([from, to]).toEqual([2, 5]);
  });
});

describe('layoutDiagram: outcomes', () => {
  it('draws a rejected association as A-ASSOCIATE-RQ and a red RJ arrow back with the reason, without the PDU toggle', () => {
    const layout = layoutDiagram(fixture('reject'), { pdus: false, realTime: false });
    expect(layout.bars).toHaveLength(1);
    expect(layout.bars[0].outcome).toBe('rejected');
    const [rq, rj] = layout.arrows;
    expect(rq).toMatchObject({ kind: 'lifecycle', event: 'associate', side: 'requestor' });
    expect(rj).toMatchObject({ kind: 'lifecycle', event: 'reject', side: 'acceptor', cls: 'status-failure', command: 'A-ASSOCIATE-RJ' });
    expect(rj.label).toMatch(/^rejected: called AE '.+' not recognized \(1\/1\/7\)$/);
    expect(rj.x1).toBeGreaterThan(rj.x2); // acceptor → requestor
    expect(layout.bars[0].y2 - layout.bars[0].y1).toBeLessThan(80);
  });

  it('shows a refused connection as a red arrow ending in a cross, one row', () => {
    const layout = layoutDiagram(fixture('refused'), { pdus: false, realTime: false });
    expect(layout.bars[0].outcome).toBe('refused');
    expect(layout.bars[0].endLabel).toMatch(/Connection refused/);
    expect(layout.arrows).toHaveLength(1);
    expect(layout.arrows[0]).toMatchObject({ kind: 'lifecycle', event: 'refused', cls: 'status-failure', label: 'TCP connection refused' });
    // Nobody answered: the lane is named by its address.
    expect(layout.lifelines.map((l) => l.named)).toEqual(['address', 'address']);
  });

  it('keeps C-GET sub-operations inside their association', () => {
    const layout = layoutDiagram(fixture('get'), { pdus: false, realTime: false });
    expect(layout.bars).toHaveLength(1);
    expect(layout.lifelines).toHaveLength(2);
    const stores = layout.arrows.filter((a) => a.commandField === CommandField.CStoreRq);
    expect(stores.length).toBeGreaterThan(0);
    expect(stores[0].x1).toBeGreaterThan(stores[0].x2); // SCP → SCU
    expect(messageArrows(layout).at(-1)!.label).toBe('Success C=2');
  });

  it('colours a failure and gives its meaning', () => {
    const layout = layoutDiagram(fixture('move-unknown'), { pdus: false, realTime: false });
    const last = messageArrows(layout).at(-1)!;
    expect(last.cls).toBe('status-failure');
    expect(last.label).toMatch(/^Failure 0xA801 /);
    expect(last.meaning).toMatch(/move destination unknown/i);
  });
});

describe('layoutDiagram: a connection tapped at both ends', () => {
  it('draws one association for the pair, and its messages once', () => {
    const summary = fixture('move');
    const twin = { ...summary.associations[1], id: 'a3', start: summary.associations[1].start + 0.0001 };
    const twinMessages = summary.messages.filter((m) => m.association === 'a2').map((m) => ({ ...m, association: 'a3', time: m.time + 0.0001 }));
    const doubled: Summary = {
      ...summary,
      associations: [...summary.associations, twin],
      messages: [...summary.messages, ...twinMessages].sort((x, y) => x.time - y.time),
    };
    const layout = layoutDiagram(doubled, { pdus: false, realTime: false });
    expect(layout.bars.map((b) => b.id)).toEqual(['a1', 'a2']);
    expect(layout.duplicateOf.get('a3')).toBe('a2');
    expect(messageArrows(layout)).toHaveLength(summary.messages.length);
    expect(layout.arrows.filter((a) => a.kind === 'lifecycle').map((a) => a.association)).toEqual(['a1', 'a2', 'a2', 'a1']);
    expect(layout.lifelines).toHaveLength(3);
  });
});

describe('layoutDiagram: C-CANCEL', () => {
  it('ties a C-CANCEL-RQ to the request it cancels', () => {
    const summary = fixture('move');
    const moveRq = summary.messages[0];
    const cancel = { ...moveRq, commandField: CommandField.CCancelRq, messageId: null, respondsTo: moveRq.messageId, time: summary.messages[4].time + 0.0001, moveDestination: null, identifier: null };
    const messages = [...summary.messages.slice(0, 5), cancel, ...summary.messages.slice(5)];
    const layout = layoutDiagram({ ...summary, messages }, { pdus: false, realTime: false });
    const arrow = layout.arrows.find((a) => a.commandField === CommandField.CCancelRq)!;
    expect(arrow.label).toBe('C-CANCEL-RQ → #1');
    expect(layout.cancels).toEqual([{ association: 'a1', x: expect.any(Number), y1: messageArrows(layout)[0].y, y2: arrow.y }]);
  });
});
