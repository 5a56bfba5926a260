/** Live deltas applied to the summary, keyboard stepping, the operations form (pure modules of web/). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../shared/model/summary-types.ts';
import type { LiveDelta } from '../../../shared/events/live-messages.ts';
import { applyDelta, applyDeltas, emptySummary } from '../../../web/src/lib/state/apply-delta.ts';
import { layoutDiagram } from '../../../shared/view/diagram/layout.ts';
import { isSelectedArrow, selectionOf, stepSelection } from '../../../shared/view/diagram/navigation.ts';
import { buildRequest, parseKeys, resultLine, retrieveKeys } from '../../../web/src/lib/panels/operation-form.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const move = migrateSummary(JSON.parse(readFileSync(new URL('../../fixtures/web/move.summary.json', import.meta.url), 'utf8')));

/** The deltas a server would send for a summary, in wire order (association first seen, then its PDUs and messages). */
function deltasOf(summary: Summary): LiveDelta[] {
  const deltas: LiveDelta[] = [];
  for (const association of summary.associations) deltas.push({ type: 'association', association: { ...association, outcome: 'open', end: null } });
  summary.pdus.forEach((pdu, index) => deltas.push({ type: 'pdu', index, pdu }));
  summary.messages.forEach((message, index) => deltas.push({ type: 'message', index, message }));
  for (const association of summary.associations) deltas.push({ type: 'association', association });
  return deltas;
}

describe('applyDelta', () => {
  it('rebuilds the whole summary from deltas, one at a time or in a batch', () => {
    const deltas = deltasOf(move);
    const oneByOne = deltas.reduce(applyDelta, emptySummary());
    const batched = applyDeltas(emptySummary(), deltas);
    for (const s of [oneByOne, batched]) {
      expect(s.associations).toEqual(move.associations);
      expect(s.messages).toEqual(move.messages);
      expect(s.pdus).toEqual(move.pdus);
    }
  });

  it('returns new objects so a $state.raw holder sees the change', () => {
    const before = emptySummary();
    const after = applyDelta(before, { type: 'message', index: 0, message: move.messages[0] });
    expect(after).not.toBe(before);
    expect(before.messages).toHaveLength(0);
  });

  it('draws an open association to the live end', () => {
    const partial = applyDeltas(emptySummary(), deltasOf(move).slice(0, 2 + 4));
    const layout = layoutDiagram(partial, { pdus: false, realTime: false });
    expect(layout.bars.every((b) => b.outcome === 'open')).toBe(true);
  });
});

describe('stepSelection', () => {
  const arrows = layoutDiagram(move, { pdus: false, realTime: false }).arrows;
  it('steps down and up through the arrows and stops at the ends', () => {
    expect(selectionOf(stepSelection(arrows, null, 1)!)).toEqual({ kind: 'lifecycle', index: 0, event: 'associate' });
    expect(selectionOf(stepSelection(arrows, { kind: 'lifecycle', index: 0, event: 'associate' }, 1)!)).toEqual({ kind: 'message', index: 0 });
    expect(stepSelection(arrows, { kind: 'message', index: 0 }, 1)!.index).toBe(1);
    expect(selectionOf(stepSelection(arrows, { kind: 'message', index: 0 }, -1)!)).toEqual({ kind: 'lifecycle', index: 0, event: 'associate' });
    const last = arrows[arrows.length - 1];
    expect(last).toMatchObject({ kind: 'lifecycle', event: 'release' });
    expect(stepSelection(arrows, selectionOf(last), 5)).toBe(last);
  });

  it('tells the two lifecycle arrows of one association apart', () => {
    const [first] = arrows;
    const release = arrows.find((a) => a.association === first.association && a.event === 'release')!;
    expect(isSelectedArrow(first, selectionOf(release))).toBe(false);
    expect(isSelectedArrow(release, selectionOf(release))).toBe(true);
  });
});

describe('operation form', () => {
  it('parses Key=Value lines and builds the request of the API', () => {
    expect(parseKeys('PatientName=DOE*\n\nStudyInstanceUID\n (0010,0020) = X ')).toEqual({ PatientName: 'DOE*', StudyInstanceUID: '', '(0010,0020)': 'X' });
    const request = buildRequest({ op: 'move', host: '127.0.0.1', port: '11112', aet: 'ME', aec: 'PACSCOPE', dest: 'STORESCP', level: 'STUDY', keys: 'StudyInstanceUID=1.2' });
    expect(request).toEqual({ op: 'move', host: '127.0.0.1', port: 11112, callingAeTitle: 'ME', calledAeTitle: 'PACSCOPE', model: 'study', level: 'STUDY', keys: { StudyInstanceUID: '1.2' }, destination: 'STORESCP' });
    expect(buildRequest({ op: 'echo', host: 'h', port: '104', aet: 'A', aec: 'B', dest: '', level: 'STUDY', keys: 'x=y' })).toEqual({ op: 'echo', host: 'h', port: 104, callingAeTitle: 'A', calledAeTitle: 'B' });
  });

  it('turns a match into the unique keys of its level', () => {
    expect(retrieveKeys({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.3', Modality: 'CT' }, 'STUDY')).toEqual({ level: 'SERIES', keys: { StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.3' } });
    expect(retrieveKeys({ StudyInstanceUID: '1.2', PatientName: [{ Alphabetic: 'DOE^J' }] }, 'STUDY')).toEqual({ level: 'STUDY', keys: { StudyInstanceUID: '1.2' } });
  });

  it('says the result in one line', () => {
    expect(resultLine({ id: '1', op: 'move', state: 'done', associations: ['a1'], result: { ok: false, outcome: 'failure', status: 0xa801, statusText: 'Refused: move destination unknown' }, counters: { remaining: null, completed: 0, failed: 0, warning: 0 } }))
      .toBe('move: failure 0xA801 Refused: move destination unknown; remaining=- completed=0 failed=0 warning=0');
  });
});
