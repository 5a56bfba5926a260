/**
 * The incremental layout (shared/view/diagram/incremental-layout.ts) against
 * the full layout: random live sessions (live-script.ts) fed as deltas in
 * random batches, under every view option, must give after every batch the
 * very layout a full layout of the same summary gives; and a live session
 * that only grows must not be laid out afresh (the point of it).
 */
import { describe, expect, it } from 'vitest';
import type { LiveDelta } from '../../../shared/events/live-messages.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { applyDeltas, emptySummary } from '../../../web/src/lib/state/apply-delta.ts';
import { IncrementalLayout, layoutDiagram, type LayoutOptions } from '../../../shared/view/diagram/layout.ts';
import { NO_FILTER, type DiagramFilter } from '../../../shared/view/diagram/filter.ts';
import { liveScript, random } from './live-script.ts';

/** Applies the deltas in random batches; calls `check` with the summary after each. */
function replay(deltas: LiveDelta[], seed: number, check: (summary: Summary, step: number) => void): void {
  const rnd = random(seed ^ 0x5bd1e995);
  let summary = emptySummary();
  for (let at = 0, step = 0; at < deltas.length; step++) {
    const size = rnd() < 0.6 ? 1 : 1 + Math.floor(rnd() * 12);
    summary = applyDeltas(summary, deltas.slice(at, at + size));
    at += size;
    check(summary, step);
  }
}

const FILTERS: Partial<DiagramFilter>[] = [{}, { ae: 'STORESCP' }, { command: 'C-STORE' }, { status: 'pending' }, { association: 'a1' }, { command: 'C-ECHO', ae: 'SCU' }];

function optionsFor(seed: number): LayoutOptions {
  const rnd = random(seed * 7 + 1);
  return {
    pdus: rnd() < 0.3,
    realTime: rnd() < 0.1,
    filter: { ...NO_FILTER, ...FILTERS[Math.floor(rnd() * FILTERS.length)] },
    endpoints: rnd() < 0.3 ? [{ role: 'pacs', ae: 'PACS', host: '10.0.0.2', port: 11112 }] : [],
  };
}

describe('IncrementalLayout', () => {
  it('equals the full layout after every batch of random live deltas, under every view option', () => {
    let sideways = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const deltas = liveScript(seed, { operations: 2 + (seed % 7), legacyLinks: seed % 5 === 0 });
      const options = optionsFor(seed);
      const incremental = new IncrementalLayout();
      replay(deltas, seed, (summary, step) => {
        // Now and then the user toggles a view option mid-session.
        const o = step % 17 === 16 ? { ...options, pdus: !options.pdus } : options;
        const [inc, full] = [incremental.update(summary, o), layoutDiagram(summary, o)];
        expect(inc, `seed ${seed}, batch ${step}, ${JSON.stringify(o)}`).toEqual(full);
        // A message arrow's label is a getter, not an own property: compared on its own.
        expect(inc.arrows.map((a) => a.label), `seed ${seed}, batch ${step}`).toEqual(full.arrows.map((a) => a.label));
      });
      sideways += incremental.sidewaysMoves;
    }
    // The sessions insert lifelines among those drawn (a VIEWER after SCU, PACS and STORESCP): that path is checked too.
    expect(sideways).toBeGreaterThan(5);
  });

  it('extends a growing C-MOVE without laying it out afresh, keeping what was drawn', () => {
    const moves = liveScript(42, { operations: 1, kinds: ['move'] });
    const incremental = new IncrementalLayout();
    const options: LayoutOptions = { pdus: false, realTime: false, filter: NO_FILTER };
    let summary = emptySummary();
    let previous = incremental.update(summary, options);
    for (const d of moves) {
      summary = applyDeltas(summary, [d]);
      const layout = incremental.update(summary, options);
      // What was drawn stays the same objects (the diagram redraws only what changed), but for
      // an A-ASSOCIATE arrow whose association changed: its label says what became of the request.
      const changed = new Set(d.type === 'association' ? [d.association.id] : []);
      previous.arrows.forEach((a, i) => {
        if (a.event === 'associate' && changed.has(a.association)) expect(layout.arrows[i]).toMatchObject({ kind: a.kind, index: a.index, y: a.y });
        else expect(layout.arrows[i]).toBe(a);
      });
      previous = layout;
    }
    expect(previous).toEqual(layoutDiagram(summary, options));
    // Laid out from nothing once; the sub-association's lifeline, its parent link set after it opened, its release: all extensions.
    expect(incremental.fullLayouts).toBe(1);
  });

  it('draws an association from its A-ASSOCIATE-RQ on (no "no AE title" lifeline for the instant before)', () => {
    const deltas = liveScript(11, { operations: 1, kinds: ['echo'] });
    const opened = deltas.findIndex((d) => d.type === 'association');
    const named = deltas.findIndex((d, i) => i > opened && d.type === 'association');
    const options: LayoutOptions = { pdus: false, realTime: false };
    const before = layoutDiagram(applyDeltas(emptySummary(), deltas.slice(0, named)), options);
    expect(before.bars).toEqual([]);
    expect(before.lifelines).toEqual([]);
    const after = layoutDiagram(applyDeltas(emptySummary(), deltas.slice(0, named + 1)), options);
    expect(after.bars).toHaveLength(1);
    expect(after.lifelines.map((l) => l.ae)).not.toContain('');
  });

  it('adds a C-ECHO to a big session without a full layout once its lifelines exist', () => {
    const big = liveScript(7, { operations: 40 });
    let summary = applyDeltas(emptySummary(), big);
    const incremental = new IncrementalLayout();
    const options: LayoutOptions = { pdus: false, realTime: false, filter: NO_FILTER };
    incremental.update(summary, options);
    const echo = liveScript(3, { operations: 1, kinds: ['echo'] }).filter((d) => d.type !== 'pdu');
    const before = incremental.fullLayouts;
    // Re-number the echo's association, messages and PDUs after the big session's.
    const shifted = echo.map((d): LiveDelta => {
      if (d.type === 'association') return { ...d, association: { ...d.association, id: `e${d.association.id}`, start: d.association.start + 100, end: d.association.end === null ? null : d.association.end + 100 } };
      if (d.type === 'message') return { ...d, index: d.index + summary.messages.length, message: { ...d.message, association: `e${d.message.association}`, time: d.message.time + 100 } };
      return d;
    });
    for (const d of shifted) {
      summary = applyDeltas(summary, [d]);
      incremental.update(summary, options);
    }
    expect(incremental.update(summary, options)).toEqual(layoutDiagram(summary, options));
    expect(incremental.fullLayouts - before).toBeLessThanOrEqual(1);
  });

  it('moves a big session sideways, without laying it out afresh, when the lifeline of a new SCU comes between those drawn', () => {
    // SCU → PACS, and PACS → STORESCP: a VIEWER (an SCU) is drawn left of PACS, so PACS and STORESCP move right.
    const big = JSON.parse(JSON.stringify(liveScript(7, { operations: 40 })).replaceAll('"VIEWER"', '"SCU"').replaceAll('"10.0.0.4"', '"10.0.0.1"')) as LiveDelta[];
    let summary = applyDeltas(emptySummary(), big);
    const incremental = new IncrementalLayout();
    const options: LayoutOptions = { pdus: false, realTime: false, filter: NO_FILTER };
    const before = incremental.update(summary, options);
    expect(before.lifelines.map((l) => l.ae)).not.toContain('VIEWER');
    const viewer = liveScript(3, { operations: 1, kinds: ['echo'] }).filter((d) => d.type !== 'pdu');
    const renumbered = viewer.map((d): LiveDelta => {
      if (d.type === 'association') {
        const a = d.association;
        return { ...d, association: { ...a, id: `v${a.id}`, requestor: { ...a.requestor, ae: a.requestor.ae === null ? null : 'VIEWER', host: '10.0.0.4' }, start: a.start + 100, end: a.end === null ? null : a.end + 100 } };
      }
      if (d.type === 'message') return { ...d, index: d.index + summary.messages.length, message: { ...d.message, association: `v${d.message.association}`, time: d.message.time + 100 } };
      return d;
    });
    const full = incremental.fullLayouts;
    for (const d of renumbered) {
      summary = applyDeltas(summary, [d]);
      expect(incremental.update(summary, options)).toEqual(layoutDiagram(summary, options));
    }
    const after = incremental.update(summary, options);
    expect(after.lifelines.map((l) => l.ae).indexOf('VIEWER')).toBeLessThan(after.lifelines.map((l) => l.ae).indexOf('PACS'));
    expect(incremental.fullLayouts).toBe(full);
    expect(incremental.sidewaysMoves).toBe(1);
    // The session's first arrow (SCU → PACS) now ends a lane further right.
    expect(after.arrows[0].x2 - before.arrows[0].x2).toBe(300);
  });
});
