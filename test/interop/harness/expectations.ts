/**
 * What each DCMTK flow must look like on the wire, asserted on any decoder's
 * AssociationFacts (tshark's as a check of the harness, pacscope's as the
 * real test). Written from the standard and from what dcmqrscp is configured
 * to do, not from either decoder's output.
 */
import { expect } from 'vitest';
import type { AssociationFacts, MessageFacts } from './facts.ts';
import type { FixtureInstance } from '../../fixtures/dicom/generate.ts';
import { QR_AE, SCU_AE, STORE_AE } from './lab.ts';

export interface FlowContext {
  qrPort: number;
  storePort: number;
  /** Which decoder the facts come from, for failure messages. */
  decoder: string;
}

const RELEASED_EXCHANGE_HEAD = ['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC'];
const RELEASE_TAIL = ['A-RELEASE-RQ', 'A-RELEASE-RP'];

function types(a: AssociationFacts, side?: 'requestor' | 'acceptor'): string[] {
  return a.pdus.filter((p) => side === undefined || p.side === side).map((p) => p.type);
}

function sent(a: AssociationFacts, side: 'requestor' | 'acceptor'): MessageFacts[] {
  return a.messages.filter((m) => m.side === side);
}

/** The one association of the flow from SCU to dcmqrscp. */
export function mainAssociation(all: readonly AssociationFacts[], ctx: FlowContext): AssociationFacts {
  const main = all.filter((a) => a.acceptorPort === ctx.qrPort);
  expect(main.length, `${ctx.decoder}: associations to dcmqrscp`).toBe(1);
  const a = main[0];
  expect(a.callingAe, `${ctx.decoder}: calling AE`).toBe(SCU_AE);
  return a;
}

export function subAssociations(all: readonly AssociationFacts[], ctx: FlowContext): AssociationFacts[] {
  return all.filter((a) => a.acceptorPort === ctx.storePort);
}

/** An association that was accepted, carried P-DATA and was released by the requestor. */
export function expectReleased(a: AssociationFacts, ctx: FlowContext): void {
  const all = types(a);
  expect(all.slice(0, 2), `${ctx.decoder}: association start`).toEqual(RELEASED_EXCHANGE_HEAD);
  expect(all.slice(-2), `${ctx.decoder}: association end`).toEqual(RELEASE_TAIL);
  expect(all.slice(2, -2).every((t) => t === 'P-DATA-TF'), `${ctx.decoder}: only P-DATA between`).toBe(true);
  expect(types(a, 'requestor')[0]).toBe('A-ASSOCIATE-RQ');
  expect(types(a, 'acceptor')[0]).toBe('A-ASSOCIATE-AC');
  expect(types(a, 'requestor').at(-1)).toBe('A-RELEASE-RQ');
  expect(types(a, 'acceptor').at(-1)).toBe('A-RELEASE-RP');
  expect(a.reject).toBeNull();
  expect(a.abort).toBeNull();
}

export function expectEcho(all: readonly AssociationFacts[], ctx: FlowContext): void {
  const a = mainAssociation(all, ctx);
  expect(a.calledAe).toBe(QR_AE);
  expectReleased(a, ctx);
  expect(types(a)).toEqual([...RELEASED_EXCHANGE_HEAD, 'P-DATA-TF', 'P-DATA-TF', ...RELEASE_TAIL]);
  expect(a.messages.map((m) => [m.command, m.side, m.messageId, m.respondsTo, m.status])).toEqual([
    ['C-ECHO-RQ', 'requestor', 1, null, null],
    ['C-ECHO-RSP', 'acceptor', null, 1, '0x0000'],
  ]);
  expect(subAssociations(all, ctx)).toEqual([]);
}

/** dcmqrscp does not know the called AE: A-ASSOCIATE-RJ permanent, service user, called AE not recognised (1/1/7). */
export function expectCalledAeReject(all: readonly AssociationFacts[], ctx: FlowContext, calledAe: string): void {
  const a = mainAssociation(all, ctx);
  expect(a.calledAe).toBe(calledAe);
  expect(a.pdus).toEqual([
    { type: 'A-ASSOCIATE-RQ', side: 'requestor' },
    { type: 'A-ASSOCIATE-RJ', side: 'acceptor' },
  ]);
  expect(a.reject).toEqual({ result: 1, source: 1, reason: 7 });
  expect(a.abort).toBeNull();
  expect(a.messages).toEqual([]);
}

/** A C-FIND at STUDY level answered by one pending response per study, then success. */
export function expectFind(all: readonly AssociationFacts[], ctx: FlowContext, studies: number): void {
  const a = mainAssociation(all, ctx);
  expectReleased(a, ctx);
  const rq = sent(a, 'requestor');
  expect(rq.map((m) => m.command)).toEqual(['C-FIND-RQ']);
  const rsp = sent(a, 'acceptor');
  expect(rsp.map((m) => m.command)).toEqual(Array(studies + 1).fill('C-FIND-RSP'));
  expect(rsp.map((m) => m.status)).toEqual([...Array(studies).fill('0xFF00'), '0x0000']);
  expect(rsp.every((m) => m.respondsTo === rq[0].messageId)).toBe(true);
}

/** C-MOVE of one study to STORESCP: pending responses counting down, final success, one sub-association of C-STOREs. */
export function expectMove(all: readonly AssociationFacts[], ctx: FlowContext, moved: readonly FixtureInstance[]): void {
  const a = mainAssociation(all, ctx);
  expectReleased(a, ctx);
  const rq = sent(a, 'requestor');
  expect(rq.map((m) => [m.command, m.moveDestination])).toEqual([['C-MOVE-RQ', STORE_AE]]);
  const moveId = rq[0].messageId;
  const rsp = sent(a, 'acceptor');
  expect(rsp.every((m) => m.command === 'C-MOVE-RSP' && m.respondsTo === moveId)).toBe(true);
  const pending = rsp.slice(0, -1);
  const final = rsp.at(-1)!;
  expect(pending.every((m) => m.status === '0xFF00')).toBe(true);
  expect(pending.length).toBeGreaterThanOrEqual(1);
  // Each pending response: remaining + completed + failed + warning = the number of sub-operations.
  for (const m of pending) expect((m.remaining ?? 0) + (m.completed ?? 0) + (m.failed ?? 0) + (m.warning ?? 0)).toBe(moved.length);
  const remaining = pending.map((m) => m.remaining ?? -1);
  expect([...remaining].sort((x, y) => y - x)).toEqual(remaining);
  expect([final.status, final.completed, final.failed, final.warning]).toEqual(['0x0000', moved.length, 0, 0]);

  const subs = subAssociations(all, ctx);
  expect(subs.length, `${ctx.decoder}: sub-associations to STORESCP`).toBe(1);
  const sub = subs[0];
  expect([sub.callingAe, sub.calledAe]).toEqual([QR_AE, STORE_AE]);
  expectReleased(sub, ctx);
  const stores = sent(sub, 'requestor');
  expect(stores.map((m) => m.command)).toEqual(moved.map(() => 'C-STORE-RQ'));
  expect(stores.map((m) => [m.moveOriginatorAe, m.moveOriginatorId])).toEqual(moved.map(() => [SCU_AE, moveId]));
  expect(stores.map((m) => m.affectedSopInstance).sort()).toEqual(moved.map((x) => x.sopInstanceUid).sort());
  const storeRsp = sent(sub, 'acceptor');
  expect(storeRsp.map((m) => [m.command, m.status])).toEqual(moved.map(() => ['C-STORE-RSP', '0x0000']));
  expect(storeRsp.map((m) => m.respondsTo)).toEqual(stores.map((m) => m.messageId));
}

/** C-MOVE to an AE dcmqrscp's HostTable lacks: one final response 0xA801, no sub-operations, no sub-association. */
export function expectMoveUnknownDestination(all: readonly AssociationFacts[], ctx: FlowContext, dest: string): void {
  const a = mainAssociation(all, ctx);
  expectReleased(a, ctx);
  const rq = sent(a, 'requestor');
  expect(rq.map((m) => [m.command, m.moveDestination])).toEqual([['C-MOVE-RQ', dest]]);
  const rsp = sent(a, 'acceptor');
  expect(rsp.map((m) => [m.command, m.respondsTo, m.status, m.remaining, m.completed, m.failed, m.warning])).toEqual([
    ['C-MOVE-RSP', rq[0].messageId, '0xA801', null, 0, 0, 0],
  ]);
  expect(subAssociations(all, ctx)).toEqual([]);
}

/** C-GET: the C-STOREs come back on the same association, sent by the acceptor. */
export function expectGet(all: readonly AssociationFacts[], ctx: FlowContext, got: readonly FixtureInstance[]): void {
  const a = mainAssociation(all, ctx);
  expectReleased(a, ctx);
  const byReq = sent(a, 'requestor');
  const byAcc = sent(a, 'acceptor');
  expect(byReq.filter((m) => m.command === 'C-GET-RQ').length).toBe(1);
  const getId = byReq[0].messageId;
  const stores = byAcc.filter((m) => m.command === 'C-STORE-RQ');
  expect(stores.map((m) => m.affectedSopInstance).sort()).toEqual(got.map((x) => x.sopInstanceUid).sort());
  expect(stores.every((m) => m.moveOriginatorAe === null)).toBe(true);
  const storeRsp = byReq.filter((m) => m.command === 'C-STORE-RSP');
  expect(storeRsp.map((m) => [m.respondsTo, m.status])).toEqual(stores.map((m) => [m.messageId, '0x0000']));
  const rsp = byAcc.filter((m) => m.command === 'C-GET-RSP');
  expect(rsp.every((m) => m.respondsTo === getId)).toBe(true);
  expect(rsp.slice(0, -1).every((m) => m.status === '0xFF00')).toBe(true);
  const final = rsp.at(-1)!;
  expect([final.status, final.completed, final.failed, final.warning]).toEqual(['0x0000', got.length, 0, 0]);
  expect(subAssociations(all, ctx)).toEqual([]);
}

/** storescu sends every file on one association, message ids 1…n, each answered with success. */
export function expectStore(all: readonly AssociationFacts[], ctx: FlowContext, files: readonly FixtureInstance[]): void {
  const a = mainAssociation(all, ctx);
  expectReleased(a, ctx);
  const rq = sent(a, 'requestor');
  expect(rq.map((m) => [m.command, m.messageId, m.affectedSopInstance])).toEqual(
    files.map((f, i) => ['C-STORE-RQ', i + 1, f.sopInstanceUid]),
  );
  const rsp = sent(a, 'acceptor');
  expect(rsp.map((m) => [m.command, m.respondsTo, m.status, m.affectedSopInstance])).toEqual(
    files.map((f, i) => ['C-STORE-RSP', i + 1, '0x0000', f.sopInstanceUid]),
  );
}
