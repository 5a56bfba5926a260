/**
 * The diagnosis runs on every live update in the browser, so it must stay
 * cheap on a big session. This builds a clean 20,000-message session (echo,
 * find, synchronous C-MOVE with its sub-association, C-GET, many times over)
 * and prints how long diagnose() takes — no timing assertion (timed tests
 * flake on a shared machine); the budget is well under 50 ms. It also checks
 * that such a clean session yields no finding at all.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';
import { Session, moveRq, retrieveRsp, UID } from './session.ts';

function bigSession(targetMessages: number): Session {
  const s = new Session();
  const get = { affectedSopClass: UID.studyGet, identifier: { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3' } };
  const role = [{ sopClassUid: UID.ct, proposed: { scu: false, scp: true }, accepted: { scu: false, scp: true } }];
  while (s.summary.messages.length < targetMessages) {
    const echo = s.open({ calling: 'SCU', called: 'PACS' });
    s.message(echo, 'C-ECHO-RQ', { messageId: 1 });
    s.message(echo, 'C-ECHO-RSP', { respondsTo: 1, status: '0x0000' });
    s.release(echo);
    const find = s.open({ calling: 'SCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyFind }] });
    s.message(find, 'C-FIND-RQ', { messageId: 1, affectedSopClass: UID.studyFind, identifier: { QueryRetrieveLevel: 'STUDY' } });
    for (let i = 0; i < 3; i++) s.message(find, 'C-FIND-RSP', { respondsTo: 1, status: '0xFF00' });
    s.message(find, 'C-FIND-RSP', { respondsTo: 1, status: '0x0000' });
    s.release(find);
    const main = s.open({ calling: 'MOVESCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyMove }] });
    const rq = s.message(main, 'C-MOVE-RQ', moveRq(1, 'STORESCP'));
    const sub = s.open({ calling: 'PACS', called: 'STORESCP', contexts: [{ abstractSyntax: UID.ct }], parent: { association: main, messageId: 1, request: rq } });
    for (let i = 1; i <= 3; i++) {
      s.store(sub, i);
      s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0xFF00', [3 - i, i, 0, 0]));
    }
    s.release(sub);
    s.message(main, 'C-MOVE-RSP', retrieveRsp(1, '0x0000', [null, 3, 0, 0]));
    s.release(main);
    const g = s.open({ calling: 'GETSCU', called: 'PACS', contexts: [{ abstractSyntax: UID.studyGet }, { abstractSyntax: UID.ct }], roles: role });
    s.message(g, 'C-GET-RQ', { messageId: 1, ...get });
    s.store(g, 1, '0x0000', 'acceptor');
    s.message(g, 'C-GET-RSP', retrieveRsp(1, '0x0000', [null, 1, 0, 0]));
    s.release(g);
  }
  return s;
}

describe('diagnose on a 20,000-message session', () => {
  it('finds nothing in a clean session, and prints the time it takes', () => {
    const s = bigSession(20_000);
    const { messages, associations, pdus } = s.summary;
    expect(diagnose(s.summary)).toEqual([]);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      diagnose(s.summary, { now: s.clock + 1 });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.info(`[diagnosis bench] ${messages.length} messages, ${associations.length} associations, ${pdus.length} PDUs: median ${times[3].toFixed(1)} ms, best ${times[0].toFixed(1)} ms (budget: well under 50 ms)`);
    expect(messages.length).toBeGreaterThanOrEqual(20_000);
  });
});
