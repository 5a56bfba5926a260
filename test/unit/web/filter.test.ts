/**
 * The diagram filters (shared/view/diagram/filter.ts) through the layout,
 * against summaries of real DCMTK sessions: by AE, command family, status
 * category and association; hidden messages and empty associations; the
 * "N of M messages" counts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { layoutDiagram } from '../../../shared/view/diagram/layout.ts';
import { commandFamily, filterChoices, isFilterActive, NO_FILTER, type DiagramFilter } from '../../../shared/view/diagram/filter.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary =>
  migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

const filtered = (summary: Summary, f: Partial<DiagramFilter>, pdus = false) =>
  layoutDiagram(summary, { pdus, realTime: false, filter: { ...NO_FILTER, ...f } });

describe('diagram filters (C-MOVE with a sub-association: SCU → QRSCP, QRSCP → STORESCP)', () => {
  const summary = fixture('move');
  const full = layoutDiagram(summary, { pdus: false, realTime: false });

  it('changes nothing without a filter', () => {
    const none = filtered(summary, {});
    expect(isFilterActive(NO_FILTER)).toBe(false);
    expect(none.arrows.map((a) => a.index)).toEqual(full.arrows.map((a) => a.index));
    expect(none.shownMessages).toBe(summary.messages.length);
    expect(none.totalMessages).toBe(summary.messages.length);
  });

  it('groups -RQ and -RSP into a command family', () => {
    expect(commandFamily('C-MOVE-RQ')).toBe('C-MOVE');
    expect(commandFamily('N-EVENT-REPORT-RSP')).toBe('N-EVENT-REPORT');
    expect(commandFamily('C-CANCEL-RQ')).toBe('C-CANCEL');
  });

  it('by command: only C-STOREs, the C-MOVE association and its lifeline hidden', () => {
    const layout = filtered(summary, { command: 'C-STORE' });
    expect(layout.arrows.map((a) => a.command)).toEqual(['C-STORE-RQ', 'C-STORE-RSP', 'C-STORE-RQ', 'C-STORE-RSP', 'C-STORE-RQ', 'C-STORE-RSP']);
    expect(layout.bars.map((b) => b.id)).toEqual(['a2']);
    expect(layout.lifelines.map((l) => l.ae)).toEqual(['QRSCP', 'STORESCP']);
    expect(layout.lifelines.map((l) => l.order)).toEqual([0, 1]);
    expect(layout.shownMessages).toBe(6);
    expect(layout.totalMessages).toBe(11);
    // arrow indexes stay those of summary.messages (inspector, test ids)
    expect(layout.arrows.every((a) => commandOf(summary.messages[a.index]) === a.command)).toBe(true);
  });

  it('by status category: pending responses only', () => {
    const layout = filtered(summary, { status: 'pending' });
    expect(layout.arrows.map((a) => a.label)).toEqual(['Pending R=2 C=1 F=0 W=0', 'Pending R=1 C=2 F=0 W=0', 'Pending R=0 C=3 F=0 W=0']);
    expect(layout.bars.map((b) => b.id)).toEqual(['a1']);
  });

  it('by status with nothing matching: no association, no lifeline', () => {
    const layout = filtered(summary, { status: 'failure' });
    expect(layout.arrows).toHaveLength(0);
    expect(layout.bars).toHaveLength(0);
    expect(layout.lifelines).toHaveLength(0);
    expect(layout.shownMessages).toBe(0);
  });

  it('by AE: the associations with that AE at either end', () => {
    expect(filtered(summary, { ae: 'SCU' }).bars.map((b) => b.id)).toEqual(['a1']);
    expect(filtered(summary, { ae: 'STORESCP' }).bars.map((b) => b.id)).toEqual(['a2']);
    expect(filtered(summary, { ae: 'QRSCP' }).bars.map((b) => b.id)).toEqual(['a1', 'a2']);
    expect(filtered(summary, { ae: 'NOBODY' }).arrows).toHaveLength(0);
  });

  it('by association: it and its sub-associations; a chosen association stays even when empty', () => {
    const a1 = filtered(summary, { association: 'a1' });
    expect(a1.bars.map((b) => b.id)).toEqual(['a1', 'a2']);
    expect(a1.links).toHaveLength(1);
    const a2 = filtered(summary, { association: 'a2' });
    expect(a2.bars.map((b) => b.id)).toEqual(['a2']);
    expect(a2.arrows.every((a) => a.association === 'a2')).toBe(true);
    const empty = filtered(summary, { association: 'a2', command: 'C-MOVE' });
    expect(empty.arrows).toHaveLength(0);
    expect(empty.bars.map((b) => b.id)).toEqual(['a2']);
  });

  it('combines filters', () => {
    const layout = filtered(summary, { ae: 'SCU', command: 'C-MOVE', status: 'success' });
    expect(layout.arrows.map((a) => a.label)).toEqual(['Success C=3']);
  });

  it('keeps the PDUs of the associations shown at the PDU level', () => {
    const layout = filtered(summary, { association: 'a2' }, true);
    const pdus = layout.arrows.filter((a) => a.kind === 'pdu');
    expect(pdus.length).toBe(summary.pdus.filter((p) => p.association === 'a2').length);
    expect(pdus.every((a) => a.association === 'a2')).toBe(true);
  });

  it('offers the AEs, commands and associations of the session', () => {
    const choices = filterChoices(summary);
    expect(choices.aes).toEqual(['QRSCP', 'SCU', 'STORESCP']);
    expect(choices.commands.slice(0, 6)).toEqual(['C-ECHO', 'C-FIND', 'C-MOVE', 'C-GET', 'C-STORE', 'C-CANCEL']);
    expect(choices.associations).toEqual([
      { id: 'a1', title: 'a1 SCU → QRSCP' },
      { id: 'a2', title: 'a2 QRSCP → STORESCP' },
    ]);
  });
});

describe('diagram filters: a rejected association (no messages)', () => {
  const summary = fixture('reject');

  it('stays under an AE filter, goes under a command filter', () => {
    expect(filtered(summary, { ae: 'SCU' }).bars).toHaveLength(1);
    expect(filtered(summary, { command: 'C-ECHO' }).bars).toHaveLength(0);
    expect(filtered(summary, { association: 'a1', command: 'C-ECHO' }).bars).toHaveLength(1);
  });
});
