/**
 * The selection across a move of the live window (web/src/lib/state/
 * follow-selection.ts): the new snapshot counts its indices from its own
 * first message and PDU; the selected message, PDU or association is found
 * there again, or is gone with the page let go.
 */
import { describe, expect, it } from 'vitest';
import type { LiveWindowInfo } from '../../../shared/events/live-messages.ts';
import type { Summary, SummaryAssociation, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { followSelection } from '../../../web/src/lib/state/follow-selection.ts';

const window = (message: number, pdu: number): LiveWindowInfo => ({
  page: 0,
  pages: 2,
  first: { message, pdu, error: 0 },
  totals: { associations: 0, messages: 0, pdus: 0, errors: 0 },
  budget: { associations: 1, messages: 1, pdus: 1, errors: 1 },
  recorded: true,
});
const summary = (ids: string[], messages: number): Summary =>
  ({
    version: 2,
    source: { path: 'live', format: 'live', start: null },
    associations: ids.map((id) => ({ id }) as SummaryAssociation),
    pdus: [],
    messages: Array.from({ length: messages }, () => ({}) as SummaryMessage),
    errors: [],
  }) as Summary;

describe('followSelection', () => {
  const old = summary(['a1', 'a2', 'a3'], 30);
  const next = summary(['a2', 'a3', 'a4'], 25);
  const was = window(100, 400);
  const now = window(120, 460);

  it('keeps a message still in the window at its new index, drops one gone with the older page', () => {
    expect(followSelection({ kind: 'message', index: 25 }, old, next, was, now)).toEqual({ kind: 'message', index: 5 });
    expect(followSelection({ kind: 'message', index: 19 }, old, next, was, now)).toBeNull();
    expect(followSelection({ kind: 'message', index: 60 }, old, next, was, now)).toBeNull();
  });

  it('moves a PDU by the PDUs let go (their list comes after the snapshot)', () => {
    expect(followSelection({ kind: 'pdu', index: 70 }, old, next, was, now)).toEqual({ kind: 'pdu', index: 10 });
    expect(followSelection({ kind: 'pdu', index: 59 }, old, next, was, now)).toBeNull();
  });

  it('finds an association’s lifecycle event by its id', () => {
    expect(followSelection({ kind: 'lifecycle', index: 2, event: 'release' }, old, next, was, now)).toEqual({ kind: 'lifecycle', index: 1, event: 'release' });
    expect(followSelection({ kind: 'lifecycle', index: 0, event: 'associate' }, old, next, was, now)).toBeNull();
    expect(followSelection(null, old, next, was, now)).toBeNull();
  });
});
