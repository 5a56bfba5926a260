/**
 * Random live sessions as the server streams them (deltas in wire order),
 * for testing what the browser builds from deltas: associations opening
 * with their endpoints only, then named by their A-ASSOCIATE-RQ, released,
 * aborted, rejected or refused; C-ECHO, C-FIND, C-MOVE with pending
 * responses and a C-STORE sub-association (Move Originator, the
 * correlator's parent link set after it opened), C-CANCEL; several at once
 * on shared lifelines; connections seen twice; clocks that sometimes tie or
 * step back. Seeded, so a failure can be replayed.
 */
import type { LiveDelta } from '../../../shared/events/live-messages.ts';
import type { StatusCategory } from '../../../shared/dimse/types.ts';
import type { SummaryAssociation, SummaryMessage, SummaryPdu } from '../../../shared/model/summary-types.ts';
import { commandFieldOf } from '../../../shared/dimse/command-fields.ts';

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AES = [
  { ae: 'SCU', host: '10.0.0.1', port: 104 },
  { ae: 'PACS', host: '10.0.0.2', port: 11112 },
  { ae: 'STORESCP', host: '10.0.0.3', port: 11113 },
  { ae: 'VIEWER', host: '10.0.0.4', port: 4242 },
] as const;

export interface ScriptOptions {
  /** Associations (top-level operations) to run. */
  operations: number;
  /** Sub-associations never linked to their C-MOVE (a capture where the correlator had no evidence). */
  legacyLinks?: boolean;
  /** The operations to draw from (default: all, moves twice as often). */
  kinds?: readonly OperationKind[];
}

export type OperationKind = 'echo' | 'find' | 'move' | 'twin';

type Step = () => void;

/** A random session as the deltas a server would send. */
export function liveScript(seed: number, o: ScriptOptions): LiveDelta[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const deltas: LiveDelta[] = [];
  const associations = new Map<string, SummaryAssociation>();
  let messages = 0;
  let pdus = 0;
  let time = 0;
  let ids = 0;
  let ports = 40000;
  const tick = () => {
    const r = rnd();
    // Mostly forward; sometimes the same instant, rarely a step back (two taps' clocks).
    time = Math.max(0, time + (r < 0.15 ? 0 : r < 0.18 ? -0.002 : 0.001 + rnd() * 0.01));
    return Math.round(time * 1e6) / 1e6;
  };
  const put = (a: SummaryAssociation) => {
    associations.set(a.id, a);
    deltas.push({ type: 'association', association: a });
  };
  const update = (id: string, change: Partial<SummaryAssociation>) => put({ ...associations.get(id)!, ...change });
  const pdu = (association: string, from: 'requestor' | 'acceptor', type: string) => {
    const p: SummaryPdu = { association, time: tick(), from, offset: pdus * 10, length: 10 + Math.floor(rnd() * 100), type };
    if (type === 'P-DATA-TF') p.pdvs = [{ presentationContextId: 1, isCommand: true, isLast: true, length: 80 }];
    deltas.push({ type: 'pdu', index: pdus++, pdu: p });
  };
  const message = (association: string, side: 'requestor' | 'acceptor', fields: Partial<Omit<SummaryMessage, 'commandField'>> & { command: string }) => {
    pdu(association, side, 'P-DATA-TF');
    const a = associations.get(association)!;
    const { command, ...rest } = fields;
    const m: SummaryMessage = {
      association, time: tick(), from: side === 'requestor' ? a.requestor.ae : a.acceptor.ae, to: side === 'requestor' ? a.acceptor.ae : a.requestor.ae,
      side, presentationContextId: 1, commandField: commandFieldOf(command)!, messageId: null, respondsTo: null, affectedSopClass: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstance: null,
      requestedSopClass: null, requestedSopInstance: null, eventTypeId: null, actionTypeId: null,
      priority: null, status: null, statusCategory: null, remaining: null, completed: null, failed: null, warning: null,
      moveDestination: null, moveOriginator: null, errorComment: null, offendingElements: null, identifier: null, commandSetDataElements: null, nonConformance: null, request: null, cause: null,
      ...rest,
    };
    deltas.push({ type: 'message', index: messages++, message: m });
    return messages - 1;
  };
  const status = (code: string, category: StatusCategory) => ({ status: Number.parseInt(code.slice(2), 16), statusCategory: category });

  /** Opens an association; returns its id, or null when it never gets going (refused, rejected). */
  const open = (from: (typeof AES)[number], to: (typeof AES)[number], twinOf?: SummaryAssociation): string | null => {
    const id = `a${++ids}`;
    const requestor = twinOf ? { ...twinOf.requestor, ae: null } : { ae: null, host: from.host, port: ports++ };
    const acceptor = twinOf ? { ...twinOf.acceptor, ae: null } : { ae: null, host: to.host, port: to.port };
    const base: SummaryAssociation = {
      id, requestor, acceptor, outcome: 'open', midStream: false, reject: null, abort: null, closeReason: null, presentationContexts: [], roles: [],
      maxPdu: { requestor: null, acceptor: null }, implementation: { requestor: { classUid: null, versionName: null }, acceptor: { classUid: null, versionName: null } },
      userIdentity: null, asyncOperationsWindow: { requestor: null, acceptor: null }, start: tick(), end: null, closedFirst: null, cause: null, tls: null,
    };
    const r = rnd();
    if (r < 0.04) {
      put({ ...base, outcome: 'refused', end: base.start, closeReason: 'ECONNREFUSED' });
      return null;
    }
    put(base);
    pdu(id, 'requestor', 'A-ASSOCIATE-RQ');
    // Mostly named by the RQ; sometimes mid-stream (no AE titles ever).
    if (rnd() < 0.9) update(id, { requestor: { ...requestor, ae: from.ae }, acceptor: { ...acceptor, ae: to.ae } });
    if (r < 0.08) {
      pdu(id, 'acceptor', 'A-ASSOCIATE-RJ');
      update(id, { outcome: 'rejected', end: tick(), reject: { result: 1, source: 1, reason: 7, text: 'called-AE-title-not-recognized' } });
      return null;
    }
    pdu(id, 'acceptor', 'A-ASSOCIATE-AC');
    return id;
  };
  const close = (id: string) => {
    if (rnd() < 0.1) {
      pdu(id, 'acceptor', 'A-ABORT');
      update(id, { outcome: 'aborted', end: tick(), abort: { source: 2, reason: 0, text: 'reason-not-specified', by: 'acceptor' } });
      return;
    }
    pdu(id, 'requestor', 'A-RELEASE-RQ');
    pdu(id, 'acceptor', 'A-RELEASE-RP');
    update(id, { outcome: 'released', end: tick() });
  };

  /** The steps of one operation, to be interleaved with the others. */
  function operation(): Step[] {
    const steps: Step[] = [];
    const kind = pick(o.kinds ?? (['echo', 'find', 'move', 'move', 'twin'] as const));
    const scu = pick([AES[0], AES[3]]);
    let id: string | null = null;
    steps.push(() => void (id = open(scu, AES[1])));
    const when = (f: (id: string) => void): Step => () => void (id !== null && f(id));
    if (kind === 'echo' || kind === 'twin') {
      steps.push(when((a) => message(a, 'requestor', { command: 'C-ECHO-RQ', messageId: 1 })));
      steps.push(when((a) => message(a, 'acceptor', { command: 'C-ECHO-RSP', respondsTo: 1, ...status('0x0000', 'success') })));
      if (kind === 'twin') {
        // The same connection tapped at its other end: a second association with the same endpoints, overlapping.
        steps.push(when((a) => {
          const twin = open(scu, AES[1], associations.get(a));
          if (twin) message(twin, 'requestor', { command: 'C-ECHO-RQ', messageId: 1 });
          if (twin && rnd() < 0.5) message(twin, 'acceptor', { command: 'C-ECHO-RSP', respondsTo: 1, ...status('0x0000', 'success') });
          if (twin) close(twin);
        }));
      }
    } else if (kind === 'find') {
      steps.push(when((a) => message(a, 'requestor', { command: 'C-FIND-RQ', messageId: 7, identifier: { QueryRetrieveLevel: 'STUDY' } })));
      const matches = Math.floor(rnd() * 4);
      for (let i = 0; i < matches; i++) steps.push(when((a) => message(a, 'acceptor', { command: 'C-FIND-RSP', respondsTo: 7, ...status('0xFF00', 'pending'), identifier: { PatientName: `P${i}` } })));
      if (rnd() < 0.3) steps.push(when((a) => message(a, 'requestor', { command: 'C-CANCEL-RQ', respondsTo: 7 })));
      steps.push(when((a) => message(a, 'acceptor', { command: 'C-FIND-RSP', respondsTo: 7, ...status('0x0000', 'success') })));
    } else {
      let rq = -1;
      let sub: string | null = null;
      const stores = 1 + Math.floor(rnd() * 5);
      steps.push(when((a) => (rq = message(a, 'requestor', { command: 'C-MOVE-RQ', messageId: 3, moveDestination: 'STORESCP', identifier: { QueryRetrieveLevel: 'STUDY' } }))));
      steps.push(when(() => (sub = open(AES[1], AES[2]))));
      if (!o.legacyLinks) steps.push(when((a) => sub && rnd() < 0.8 && update(sub, { cause: { relation: 'c-move', association: a, message: rq, evidence: 'move-originator' } })));
      for (let i = 1; i <= stores; i++) {
        steps.push(() => sub && message(sub, 'requestor', { command: 'C-STORE-RQ', messageId: i, affectedSopInstance: `1.2.3.${i}`, moveOriginator: { ae: scu.ae, messageId: 3 }, identifier: { Modality: 'CT' } }));
        steps.push(() => sub && message(sub, 'acceptor', { command: 'C-STORE-RSP', respondsTo: i, affectedSopInstance: `1.2.3.${i}`, ...status('0x0000', 'success') }));
        steps.push(when((a) => message(a, 'acceptor', { command: 'C-MOVE-RSP', respondsTo: 3, ...status('0xFF00', 'pending'), remaining: stores - i, completed: i, failed: 0, warning: 0 })));
      }
      steps.push(() => sub && close(sub));
      steps.push(when((a) => message(a, 'acceptor', { command: 'C-MOVE-RSP', respondsTo: 3, ...status('0x0000', 'success'), completed: stores, failed: 0, warning: 0 })));
    }
    steps.push(when((a) => close(a)));
    return steps;
  }

  // Operations start one after the other and run interleaved, a few at a time.
  const running: Step[][] = [];
  let started = 0;
  while (started < o.operations || running.length) {
    if (started < o.operations && (running.length === 0 || rnd() < 0.25)) {
      running.push(operation());
      started++;
    }
    const at = Math.floor(rnd() * running.length);
    running[at].shift()!();
    if (running[at].length === 0) running.splice(at, 1);
  }
  return deltas;
}
