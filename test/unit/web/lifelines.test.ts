/**
 * Lifelines are application entities (issue 13 §1), on sessions decoded
 * from wire events through the whole pipeline: a teaching scenario run twice
 * (new ports each run) keeps one lane per AE; ephemeral SCU ports never make
 * lanes; a wrong called AE is drawn to the AE that listens there; a refused
 * sub-association is named by the C-MOVE's Move Destination and comes from
 * the move SCP's lane; the order is requestors, SCPs, destinations.
 */
import { describe, expect, it } from 'vitest';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../../shared/model/summary-builder.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { layoutDiagram } from '../../../shared/view/diagram/layout.ts';
import { clearedFilter, NO_FILTER } from '../../../shared/view/diagram/filter.ts';
import { DimseScript, msg } from '../model/dimse-script.ts';

function summarise(script: DimseScript): Summary {
  const decoder = new SessionDecoder();
  const builder = new SummaryBuilder({ path: 'test', format: 'test' });
  for (const ev of script.events) for (const d of decoder.push(ev)) builder.apply(d);
  for (const d of decoder.finish()) builder.apply(d);
  return builder.result();
}

/** One "run" of a class: WORKSTATION moves a study from TEACHPACS (listening on `pacsPort`) to VIEWER (on `viewerPort`). */
function run(s: DimseScript, pacsPort: number, viewerPort: number): void {
  const main = s.associate('WORKSTATION', 'TEACHPACS', pacsPort);
  s.send(main, 'requestor', msg.moveRq(1, 'VIEWER'));
  const sub = s.associate('TEACHPACS', 'VIEWER', viewerPort);
  s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1', ['WORKSTATION', 1]));
  s.send(sub, 'acceptor', msg.storeRsp(1, '1.2.3.1'));
  s.release(sub);
  s.send(main, 'acceptor', msg.moveRsp(1, 0x0000, [null, 1, 0, 0]));
  s.release(main);
}

describe('lifelines: one per application entity', () => {
  it('a scenario run twice on new ports keeps one lane per AE, ports folded, ordered SCU, SCP, destination', () => {
    const s = new DimseScript();
    run(s, 40001, 40002);
    run(s, 41001, 41002);
    const layout = layoutDiagram(summarise(s), { pdus: false, realTime: false });
    expect(layout.lifelines.map((l) => [l.ae, l.rank])).toEqual([['WORKSTATION', 0], ['TEACHPACS', 1], ['VIEWER', 2]]);
    const pacs = layout.lifelines[1];
    expect(pacs.ports).toEqual([40001, 41001]);
    expect(pacs.endpoint).toBe('127.0.0.1:41001');
    expect(layout.lifelines[0].connections).toBe(2);
    expect(layout.lifelines[0].endpoint).toBe('127.0.0.1');
  });

  it('a wrong called AE is drawn to the AE that listens at that address, with a rejected arrow back', () => {
    const s = new DimseScript();
    s.reject('WORKSTATION', 'PACS', 40001, [1, 1, 7]);
    run(s, 40001, 40002);
    const summary = summarise(s);
    const layout = layoutDiagram(summary, { pdus: false, realTime: false });
    expect(layout.lifelines.map((l) => l.ae)).toEqual(['WORKSTATION', 'TEACHPACS', 'VIEWER']);
    const rj = layout.arrows.find((a) => a.event === 'reject')!;
    expect(rj.label).toBe("rejected: called AE 'PACS' not recognized (1/1/7)");
    expect(layout.ends.get(rj.association)).toEqual({ requestor: 'WORKSTATION@127.0.0.1', acceptor: 'TEACHPACS@127.0.0.1' });
    // Filtering by the title the SCU used still finds it.
    const byCalledAe = layoutDiagram(summary, { pdus: false, realTime: false, filter: { ...NO_FILTER, ae: 'PACS' } });
    expect(byCalledAe.bars.map((b) => b.outcome)).toEqual(['rejected']);
  });

  it('a refused sub-association: from the move SCP to the lane of the Move Destination, a red cross, kept by the C-MOVE\'s association filter', () => {
    const s = new DimseScript();
    const main = s.associate('WORKSTATION', 'TEACHPACS', 40001);
    s.send(main, 'requestor', msg.moveRq(1, 'VIEWER'));
    s.refuse(45915);
    s.send(main, 'acceptor', msg.moveRsp(1, 0xa702, [0, 0, 1, 0]));
    s.release(main);
    const summary = summarise(s);
    const layout = layoutDiagram(summary, { pdus: false, realTime: false });
    expect(layout.lifelines.map((l) => [l.ae, l.named])).toEqual([['WORKSTATION', 'wire'], ['TEACHPACS', 'wire'], ['VIEWER', 'move']]);
    const refused = layout.arrows.find((a) => a.event === 'refused')!;
    expect(refused).toMatchObject({ label: 'TCP connection refused (VIEWER)', cls: 'status-failure' });
    expect(layout.ends.get(refused.association)).toEqual({ requestor: 'TEACHPACS@127.0.0.1', acceptor: 'VIEWER@127.0.0.1' });
    // Nothing listened at 45915: not a port of the lane.
    expect(layout.lifelines[2].ports).toEqual([]);
    const byMove = layoutDiagram(summary, { pdus: false, realTime: false, filter: { ...NO_FILTER, association: 'a1' } });
    expect(byMove.bars.map((b) => b.outcome)).toEqual(['released', 'refused']);
  });

  it('a "new session" scope keeps only what started after it, and the lanes it uses', () => {
    const s = new DimseScript();
    s.reject('STRANGER', 'TEACHPACS', 40001, [1, 1, 3]);
    s.wait(5_000);
    run(s, 40001, 40002);
    const summary = summarise(s);
    const since = summary.associations[1].start;
    const layout = layoutDiagram(summary, { pdus: false, realTime: false, filter: { ...NO_FILTER, since } });
    expect(layout.lifelines.map((l) => l.ae)).toEqual(['WORKSTATION', 'TEACHPACS', 'VIEWER']);
    expect(layout.bars.map((b) => b.id)).toEqual(['a2', 'a3']);
    const only = layoutDiagram(summary, { pdus: false, realTime: false, filter: { ...NO_FILTER, only: new Set(['a2']) } });
    expect(only.bars.map((b) => b.id)).toEqual(['a2', 'a3']);
    // Picked in the AE map: those associations (and what they caused), a filter that "× clear" removes.
    const picked = { ...NO_FILTER, since, picked: new Set(['a1', 'a3']) };
    expect(layoutDiagram(summary, { pdus: false, realTime: false, filter: picked }).bars.map((b) => b.id)).toEqual(['a3']);
    expect(clearedFilter(picked)).toEqual({ ...NO_FILTER, since });
  });
});

describe('real-time axis', () => {
  it('cuts an idle stretch short and marks it as a break, as a replay plays it', () => {
    const s = new DimseScript();
    run(s, 40001, 40002);
    s.wait(36_000);
    run(s, 40001, 40002);
    const layout = layoutDiagram(summarise(s), { pdus: false, realTime: true });
    expect(layout.breaks).toHaveLength(1);
    expect(layout.breaks[0].label).toBe('⋯ 36 s idle');
    // Both runs' rows keep their spacing; the 36 s between them take about as much room as half a second.
    const starts = layout.arrows.filter((a) => a.event === 'associate' && a.association !== 'a2' && a.association !== 'a4');
    const [first, second] = starts;
    expect(second.y - first.y).toBeLessThan(layout.height / 2);
    expect(layout.breaks[0].y).toBeGreaterThan(first.y);
    expect(layout.breaks[0].y).toBeLessThan(second.y);
    // Without the real-time axis nothing is cut.
    expect(layoutDiagram(summarise(s), { pdus: false, realTime: false }).breaks).toEqual([]);
  });
});
