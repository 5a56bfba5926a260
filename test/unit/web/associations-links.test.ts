/**
 * The diagram draws the model's links (shared/model/correlator.ts) when the
 * summary has them, and guesses only for summaries written without them.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { planAssociations } from '../../../web/src/lib/diagram/associations.ts';
import { DimseScript, msg } from '../model/dimse-script.ts';

/** An asynchronous C-MOVE: the final response first, the sub-association 2 s later, no Move Originator fields. */
async function asyncMove(): Promise<Summary> {
  const s = new DimseScript();
  const main = s.associate('MOVESCU', 'PACS');
  s.send(main, 'requestor', msg.moveRq(3, 'STORESCP'));
  s.send(main, 'acceptor', msg.moveRsp(3, 0x0000, [null, 1, 0, 0]));
  s.release(main);
  s.wait(2_000);
  const sub = s.associate('PACS', 'STORESCP', 11112);
  s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1'));
  s.release(sub);
  return summarize([s.events], { path: 'test', format: 'test' });
}

describe('planAssociations: parents', () => {
  it('uses the model\'s parent and the index of its C-MOVE-RQ', async () => {
    const summary = await asyncMove();
    expect(summary.associations[1].parent).toEqual({ association: 'a1', messageId: 3 });
    expect(planAssociations(summary).parents).toEqual(new Map([['a2', { association: 'a1', messageIndex: 0 }]]));
  });

  it('draws no link the model does not have', async () => {
    const summary = await asyncMove();
    const unlinked = { ...summary, associations: summary.associations.map((a) => ({ ...a, parent: null, parentRequest: null, parentEvidence: null })) };
    expect(planAssociations(unlinked).parents.size).toBe(0);
  });

  it('falls back to the heuristic for a summary written before the correlator (no parentEvidence)', async () => {
    const summary = await asyncMove();
    const old = {
      ...summary,
      associations: summary.associations.map(({ parentRequest: _r, parentEvidence: _e, ...a }) => ({ ...a, parent: null })),
    } as unknown as Summary;
    // The old heuristic needs a Move Originator or a sub-association inside the move: this one has neither.
    expect(planAssociations(old).parents.size).toBe(0);
    const originator = { ...old, messages: old.messages.map((m) => (m.command === 'C-STORE-RQ' ? { ...m, moveOriginator: { ae: 'MOVESCU', messageId: 3 } } : m)) };
    expect(planAssociations(originator).parents.get('a2')).toEqual({ association: 'a1', messageIndex: 0 });
  });
});
