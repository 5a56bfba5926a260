/**
 * The diagram draws the model's links (an association's `cause`, found by
 * shared/model/linkers/c-move.ts) and guesses none: a summary of an older
 * version gets its links through the migration, not a heuristic here.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { planAssociations } from '../../../shared/view/diagram/associations.ts';
import { DimseScript, msg } from '../model/dimse-script.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

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
    expect(summary.associations[1].cause).toEqual({ relation: 'c-move', association: 'a1', message: 0, evidence: 'ae-title-and-time' });
    expect(planAssociations(summary).parents).toEqual(new Map([['a2', { association: 'a1', messageIndex: 0 }]]));
  });

  it('draws no link the model does not have', async () => {
    const summary = await asyncMove();
    const unlinked = { ...summary, associations: summary.associations.map((a) => ({ ...a, cause: null })) };
    expect(planAssociations(unlinked).parents.size).toBe(0);
  });

  it('a version 1 summary is migrated with its links; one written before links is linked by the same linkers', async () => {
    const summary = await asyncMove();
    const v1 = {
      ...summary,
      version: 1,
      associations: summary.associations.map(({ cause, ...a }) => ({ ...a, parent: cause ? { association: cause.association, messageId: 3 } : null, parentRequest: cause?.message ?? null, parentEvidence: cause?.evidence ?? null })),
      messages: summary.messages.map(({ commandField, status, cause, ...m }) => ({ ...m, command: commandOf({ commandField }), status: status === null ? null : `0x${status.toString(16).toUpperCase().padStart(4, '0')}`, statusMeaning: null, cause: cause?.message ?? null })),
    };
    expect(planAssociations(migrateSummary(v1)).parents).toEqual(new Map([['a2', { association: 'a1', messageIndex: 0 }]]));
    // Written before the correlator (no link fields): the migration runs the same linkers over the facts the file holds.
    const older = { ...v1, associations: v1.associations.map(({ parent: _p, parentRequest: _r, parentEvidence: _e, ...a }) => a) };
    expect(migrateSummary(older).associations.map((a) => a.cause)).toEqual(summary.associations.map((a) => a.cause));
  });
});
