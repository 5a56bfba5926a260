/**
 * The correlator through the whole pipeline (wire events → SessionDecoder →
 * SummaryBuilder): C-MOVE sub-associations linked to their C-MOVE
 * (synchronous, asynchronous, concurrent, none), C-GET sub-operations to the
 * C-GET, C-CANCEL to what it cancels, responses to requests — and the live
 * deltas carry the same links as the whole-file summary.
 */
import { describe, expect, it } from 'vitest';
import type { LiveDelta } from '../../../shared/events/live-messages.ts';
import type { Summary, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../../shared/model/summary-builder.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { ASYNC_MOVE_WINDOW_MS } from '../../../shared/model/linkers/c-move.ts';
import { applyDeltas, emptySummary } from '../../../web/src/lib/state/apply-delta.ts';
import { DimseScript, FIND, MOVE, msg } from './dimse-script.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

const PENDING = 0xff00;

/** The summary and every live delta of a script, run event by event as the live hub does (deltas serialised at once, as ws.ts sends them). */
function run(script: DimseScript): { summary: Summary; deltas: LiveDelta[] } {
  const decoder = new SessionDecoder();
  const builder = new SummaryBuilder({ path: 'test', format: 'test' });
  const deltas: LiveDelta[] = [];
  const take = (list: LiveDelta[]) => deltas.push(...list.map((d) => JSON.parse(JSON.stringify(d)) as LiveDelta));
  for (const ev of script.events) for (const d of decoder.push(ev)) take(builder.apply(d));
  for (const d of decoder.finish()) take(builder.apply(d));
  return { summary: builder.result(), deltas };
}

const indexOf = (s: Summary, pred: (m: SummaryMessage) => boolean): number => {
  const i = s.messages.findIndex(pred);
  expect(i, 'message not found').toBeGreaterThanOrEqual(0);
  return i;
};
const moveRqIndex = (s: Summary, association: string, id: number) => indexOf(s, (m) => m.association === association && m.commandField === CommandField.CMoveRq && m.messageId === id);
/** An association's C-MOVE link, read as the C-MOVE's association and Message ID, the C-MOVE-RQ's index and the evidence. */
const link = (s: Summary, id: string) => {
  const c = s.associations.find((x) => x.id === id)!.cause;
  if (!c) return { parent: null, parentRequest: null, parentEvidence: null };
  expect(c.relation).toBe('c-move');
  return { parent: { association: c.association, messageId: s.messages[c.message].messageId }, parentRequest: c.message, parentEvidence: c.evidence };
};
/** The C-MOVE link of `id` as each live delta for it carried it, in order, without repeats ("a1#1 move-originator": association#Message ID). */
const parentHistory = (deltas: LiveDelta[], id: string, s: Summary) => {
  const out: string[] = [];
  for (const d of deltas) {
    if (d.type !== 'association' || d.association.id !== id) continue;
    const c = d.association.cause;
    const text = c ? `${c.association}#${s.messages[c.message].messageId} ${c.evidence}` : 'none';
    if (out.at(-1) !== text) out.push(text);
  }
  return out;
};

/** MOVESCU → PACS C-MOVE-RQ #1 to STORESCP; PACS → STORESCP with `stores` C-STOREs; `originator` on them or not. */
function syncMove(originator: boolean, stores = 2): DimseScript {
  const s = new DimseScript();
  const main = s.associate('MOVESCU', 'PACS');
  s.send(main, 'requestor', msg.moveRq(1, 'STORESCP'));
  const sub = s.associate('PACS', 'STORESCP', 11112);
  for (let i = 1; i <= stores; i++) {
    s.send(sub, 'requestor', msg.storeRq(i, `1.2.3.${i}`, originator ? ['MOVESCU', 1] : undefined));
    s.send(sub, 'acceptor', msg.storeRsp(i, `1.2.3.${i}`));
    if (i < stores) s.send(main, 'acceptor', msg.moveRsp(1, PENDING, [stores - i, i, 0, 0]));
  }
  s.release(sub);
  s.send(main, 'acceptor', msg.moveRsp(1, 0x0000, [null, stores, 0, 0]));
  s.release(main);
  return s;
}

describe('correlator: C-MOVE sub-associations', () => {
  it('synchronous move: the sub-association is linked by its Move Originator fields', () => {
    const { summary, deltas } = run(syncMove(true));
    expect(summary.errors).toEqual([]);
    expect(link(summary, 'a2')).toEqual({ parent: { association: 'a1', messageId: 1 }, parentRequest: moveRqIndex(summary, 'a1', 1), parentEvidence: 'move-originator' });
    expect(link(summary, 'a1')).toEqual({ parent: null, parentRequest: null, parentEvidence: null });
    // Live: guessed from AE titles at the A-ASSOCIATE-RQ, confirmed by the first C-STORE-RQ.
    expect(parentHistory(deltas, 'a2', summary)).toEqual(['none', 'a1#1 ae-title-and-time', 'a1#1 move-originator']);
  });

  it('a PACS that leaves out the Move Originator fields: linked on AE titles and timing', () => {
    const { summary } = run(syncMove(false));
    expect(link(summary, 'a2')).toMatchObject({ parent: { association: 'a1', messageId: 1 }, parentEvidence: 'ae-title-and-time' });
  });

  it('through a proxy: hosts and ports all differ, AE titles and originator still link', () => {
    // The viewer talks to the proxy's route (upstream 10.0.0.5:4242); the PACS (another host for its
    // outgoing connections) calls the destination through another route of the proxy.
    const s = new DimseScript();
    const main = s.associate('VIEWER', 'PACS', 4242, { requestor: '192.168.1.20', acceptor: '10.0.0.5' });
    s.send(main, 'requestor', msg.moveRq(12, 'VIEWER_STORE'));
    const sub = s.associate('PACS', 'VIEWER_STORE', 11112, { requestor: '10.0.0.6', acceptor: '192.168.1.20' });
    s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1', ['VIEWER', 12]));
    s.send(sub, 'acceptor', msg.storeRsp(1, '1.2.3.1'));
    s.release(sub);
    s.send(main, 'acceptor', msg.moveRsp(12, 0x0000, [null, 1, 0, 0]));
    s.release(main);
    const { summary, deltas } = run(s);
    expect(link(summary, 'a2')).toMatchObject({ parent: { association: 'a1', messageId: 12 }, parentEvidence: 'move-originator' });
    expect(parentHistory(deltas, 'a2', summary)).toEqual(['none', 'a1#12 ae-title-and-time', 'a1#12 move-originator']);
  });

  it('asynchronous move: the final response comes first, the sub-association within the window is linked', () => {
    const s = new DimseScript();
    const main = s.associate('MOVESCU', 'PACS');
    s.send(main, 'requestor', msg.moveRq(7, 'STORESCP'));
    s.send(main, 'acceptor', msg.moveRsp(7, 0x0000, [null, 1, 0, 0]));
    s.release(main);
    s.wait(2_000);
    const sub = s.associate('PACS', 'STORESCP', 11112);
    s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1'));
    s.send(sub, 'acceptor', msg.storeRsp(1, '1.2.3.1'));
    s.release(sub);
    const { summary } = run(s);
    expect(link(summary, 'a2')).toMatchObject({ parent: { association: 'a1', messageId: 7 }, parentEvidence: 'ae-title-and-time' });
  });

  it('after the window only the Move Originator fields link it', () => {
    const late = (originator: boolean) => {
      const s = new DimseScript();
      const main = s.associate('MOVESCU', 'PACS');
      s.send(main, 'requestor', msg.moveRq(7, 'STORESCP'));
      s.send(main, 'acceptor', msg.moveRsp(7, 0x0000, [null, 1, 0, 0]));
      s.release(main);
      s.wait(ASYNC_MOVE_WINDOW_MS + 1_000);
      const sub = s.associate('PACS', 'STORESCP', 11112);
      s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1', originator ? ['MOVESCU', 7] : undefined));
      s.release(sub);
      return run(s).summary;
    };
    expect(link(late(false), 'a2').parent).toBeNull();
    expect(link(late(true), 'a2')).toMatchObject({ parent: { association: 'a1', messageId: 7 }, parentEvidence: 'move-originator' });
  });

  it('two concurrent moves to the same destination: the originator Message ID decides, never crossed', () => {
    const s = new DimseScript();
    const m1 = s.associate('MOVESCU', 'PACS');
    const m2 = s.associate('MOVESCU', 'PACS');
    s.send(m1, 'requestor', msg.moveRq(1, 'STORESCP'));
    s.send(m2, 'requestor', msg.moveRq(2, 'STORESCP'));
    // The PACS serves the second move first; both sub-associations open before any C-STORE.
    const subFor2 = s.associate('PACS', 'STORESCP', 11112);
    const subFor1 = s.associate('PACS', 'STORESCP', 11112);
    s.send(subFor1, 'requestor', msg.storeRq(1, '1.2.3.1', ['MOVESCU', 1]));
    s.send(subFor2, 'requestor', msg.storeRq(1, '1.2.3.2', ['MOVESCU', 2]));
    s.send(subFor1, 'acceptor', msg.storeRsp(1, '1.2.3.1'));
    s.send(subFor2, 'acceptor', msg.storeRsp(1, '1.2.3.2'));
    // A later C-STORE-RQ naming another originator does not move a decided link.
    s.send(subFor1, 'requestor', msg.storeRq(2, '1.2.3.3', ['MOVESCU', 2]));
    s.release(subFor2).release(subFor1);
    s.send(m1, 'acceptor', msg.moveRsp(1, 0x0000, [null, 1, 0, 0]));
    s.send(m2, 'acceptor', msg.moveRsp(2, 0x0000, [null, 1, 0, 0]));
    s.release(m1).release(m2);
    const { summary, deltas } = run(s);
    expect(link(summary, 'a3')).toEqual({ parent: { association: 'a2', messageId: 2 }, parentRequest: moveRqIndex(summary, 'a2', 2), parentEvidence: 'move-originator' });
    expect(link(summary, 'a4')).toEqual({ parent: { association: 'a1', messageId: 1 }, parentRequest: moveRqIndex(summary, 'a1', 1), parentEvidence: 'move-originator' });
    // The AE-title guess (the latest move) was revised live for the one it got wrong.
    expect(parentHistory(deltas, 'a4', summary)).toEqual(['none', 'a2#2 ae-title-and-time', 'a1#1 move-originator']);
  });

  it('an originator that names no C-MOVE unlinks the AE-title guess rather than cross it', () => {
    const s = new DimseScript();
    const main = s.associate('MOVESCU', 'PACS');
    s.send(main, 'requestor', msg.moveRq(1, 'STORESCP'));
    const sub = s.associate('PACS', 'STORESCP', 11112);
    s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1', ['OTHERSCU', 1]));
    const { summary, deltas } = run(s);
    expect(link(summary, 'a2').parent).toBeNull();
    expect(parentHistory(deltas, 'a2', summary)).toEqual(['none', 'a1#1 ae-title-and-time', 'none']);
  });

  it('movescu reuses Message ID 1: the latest matching move that fits AE titles and time wins', () => {
    const s = new DimseScript();
    for (let i = 0; i < 2; i++) {
      const main = s.associate('MOVESCU', 'PACS');
      s.send(main, 'requestor', msg.moveRq(1, 'STORESCP'));
      const sub = s.associate('PACS', 'STORESCP', 11112);
      s.send(sub, 'requestor', msg.storeRq(1, `1.2.3.${i}`, ['MOVESCU', 1]));
      s.send(sub, 'acceptor', msg.storeRsp(1, `1.2.3.${i}`));
      s.release(sub);
      s.send(main, 'acceptor', msg.moveRsp(1, 0x0000, [null, 1, 0, 0]));
      s.release(main);
      s.wait(5_000);
    }
    const { summary } = run(s);
    expect(link(summary, 'a2').parent).toEqual({ association: 'a1', messageId: 1 });
    expect(link(summary, 'a4').parent).toEqual({ association: 'a3', messageId: 1 });
  });

  it('a move with no sub-association links nothing; other associations of the PACS stay unlinked', () => {
    const s = new DimseScript();
    const main = s.associate('MOVESCU', 'PACS');
    s.send(main, 'requestor', msg.moveRq(1, 'NOWHERE'));
    s.send(main, 'acceptor', msg.moveRsp(1, 0xa801, [null, 0, 0, 0]));
    s.release(main);
    const other = s.associate('PACS', 'STORESCP', 11112); // not the move destination
    s.send(other, 'requestor', msg.storeRq(1, '1.2.3.1'));
    s.release(other);
    s.wait(ASYNC_MOVE_WINDOW_MS + 1);
    const late = s.associate('PACS', 'NOWHERE', 11113); // the destination, but long after the move
    s.release(late);
    const { summary } = run(s);
    expect(summary.associations.map((a) => a.cause)).toEqual([null, null, null]);
  });

  it('a refused connection (destination down) is linked by timing to the C-MOVE that ran, sync or async; not after the window', () => {
    const s = new DimseScript();
    const first = s.associate('MOVESCU', 'PACS');
    s.send(first, 'requestor', msg.moveRq(1, 'VIEWER'));
    s.refuse(11199); // while the synchronous move runs
    s.send(first, 'acceptor', msg.moveRsp(1, 0xa702, [0, 0, 2, 0]));
    s.release(first);
    const second = s.associate('MOVESCU', 'PACS');
    s.send(second, 'requestor', msg.moveRq(7, 'VIEWER'));
    s.send(second, 'acceptor', msg.moveRsp(7, 0x0000, [null, 0, 0, 0]));
    s.release(second);
    s.wait(1_000);
    s.refuse(11199); // an asynchronous SCP tries after its final response
    s.wait(ASYNC_MOVE_WINDOW_MS + 1);
    s.refuse(11199); // long after: nothing to explain
    const { summary } = run(s);
    const refused = summary.associations.filter((a) => a.outcome === 'refused');
    expect(refused.map((a) => a.cause)).toEqual([
      { relation: 'c-move', association: 'a1', message: moveRqIndex(summary, 'a1', 1), evidence: 'time-only' },
      { relation: 'c-move', association: 'a3', message: moveRqIndex(summary, 'a3', 7), evidence: 'time-only' },
      null,
    ]);
  });

  it('gives the same links live and from a whole file, and deltas rebuild the same associations', async () => {
    const script = syncMove(true, 3);
    const { summary, deltas } = run(script);
    const whole = await summarize([script.events], { path: 'test', format: 'test' });
    expect(whole.associations).toEqual(summary.associations);
    expect(whole.messages.map((m) => [m.request, m.cause])).toEqual(summary.messages.map((m) => [m.request, m.cause]));
    expect(applyDeltas(emptySummary(), deltas).associations).toEqual(summary.associations);
  });
});

describe('correlator: links between messages', () => {
  it('C-GET: the acceptor\'s C-STOREs and their responses are caused by the C-GET-RQ', () => {
    const s = new DimseScript();
    const a = s.associate('GETSCU', 'PACS');
    s.send(a, 'requestor', msg.getRq(5));
    s.send(a, 'acceptor', msg.storeRq(1, '1.2.3.1'));
    s.send(a, 'requestor', msg.storeRsp(1, '1.2.3.1'));
    s.send(a, 'acceptor', msg.getRsp(5, PENDING, [1, 1, 0, 0]));
    s.send(a, 'acceptor', msg.storeRq(2, '1.2.3.2'));
    s.send(a, 'requestor', msg.storeRsp(2, '1.2.3.2'));
    s.send(a, 'acceptor', msg.getRsp(5, 0x0000, [null, 2, 0, 0]));
    // After the C-GET: a plain C-STORE by the requestor is nobody's sub-operation.
    s.send(a, 'requestor', msg.storeRq(6, '1.2.3.9'));
    s.send(a, 'acceptor', msg.storeRsp(6, '1.2.3.9'));
    s.release(a);
    const { summary } = run(s);
    expect(summary.errors).toEqual([]);
    expect(summary.messages.map((m) => [commandOf(m), m.request, m.cause])).toEqual([
      ['C-GET-RQ', null, null],
      ['C-STORE-RQ', null, { relation: 'c-get', message: 0 }],
      ['C-STORE-RSP', 1, { relation: 'c-get', message: 0 }],
      ['C-GET-RSP', 0, null],
      ['C-STORE-RQ', null, { relation: 'c-get', message: 0 }],
      ['C-STORE-RSP', 4, { relation: 'c-get', message: 0 }],
      ['C-GET-RSP', 0, null],
      ['C-STORE-RQ', null, null],
      ['C-STORE-RSP', 7, null],
    ]);
    expect(summary.associations[0].cause).toBeNull();
  });

  it('C-CANCEL-RQ points at the C-MOVE or C-FIND it cancels; the final 0xFE00 answers the request', () => {
    const s = new DimseScript();
    const a = s.associate('MOVESCU', 'PACS');
    s.send(a, 'requestor', msg.findRq(3));
    s.send(a, 'acceptor', msg.findRsp(3, PENDING));
    s.send(a, 'requestor', msg.cancelRq(3, FIND));
    s.send(a, 'acceptor', msg.findRsp(3, 0xfe00));
    s.send(a, 'requestor', msg.moveRq(4, 'STORESCP'));
    s.send(a, 'acceptor', msg.moveRsp(4, PENDING, [3, 1, 0, 0]));
    s.send(a, 'requestor', msg.cancelRq(4, MOVE));
    s.send(a, 'acceptor', msg.moveRsp(4, 0xfe00, [2, 1, 0, 0]));
    s.send(a, 'requestor', msg.cancelRq(99, MOVE)); // names nothing
    s.release(a);
    const { summary } = run(s);
    expect(summary.messages.map((m) => [commandOf(m), m.status, m.request, m.cause])).toEqual([
      ['C-FIND-RQ', null, null, null],
      ['C-FIND-RSP', 0xff00, 0, null],
      ['C-CANCEL-RQ', null, null, { relation: 'c-cancel', message: 0 }],
      ['C-FIND-RSP', 0xfe00, 0, null],
      ['C-MOVE-RQ', null, null, null],
      ['C-MOVE-RSP', 0xff00, 4, null],
      ['C-CANCEL-RQ', null, null, { relation: 'c-cancel', message: 4 }],
      ['C-MOVE-RSP', 0xfe00, 4, null],
      ['C-CANCEL-RQ', null, null, null],
    ]);
  });
});
