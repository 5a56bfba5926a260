/**
 * Which C-MOVE caused an association. A C-MOVE SCP performs each
 * sub-operation as a C-STORE on an association *it* opens to the Move
 * Destination (PS3.7 §9.1.4, PS3.4 C.4.2); nothing in the A-ASSOCIATE-RQ says
 * why it was opened, so the link is inferred from evidence, strongest first:
 *
 * 1. The C-STORE-RQs of the sub-association carry Move Originator Application
 *    Entity Title (0000,1030) = the calling AE of the C-MOVE's association and
 *    Move Originator Message ID (0000,1031) = the C-MOVE-RQ's Message ID
 *    (PS3.7 §9.1.1.1, Table 9.3-1). The first C-STORE-RQ carrying them
 *    decides, for good: a Message ID that names no C-MOVE unlinks rather than
 *    guesses, so the sub-associations of concurrent moves are never crossed.
 *    Among moves that match (DCMTK's movescu uses Message ID 1 every time),
 *    the one whose AE titles and timing also fit wins, then the latest.
 * 2. AE titles and timing, decided when the A-ASSOCIATE-RQ arrives: its
 *    calling AE is the AE the C-MOVE was sent to (the PACS) and its called AE
 *    the Move Destination, and it is requested after the C-MOVE-RQ and before
 *    the final C-MOVE-RSP — or at most ASYNC_MOVE_WINDOW_MS after it, since an
 *    asynchronous SCP (Orthanc with `SynchronousCMove: false`) answers first
 *    and opens the sub-association later. The latest such C-MOVE wins.
 *
 * 3. Timing alone, for a TCP connection that was refused (PS3.8 §9.1.1: no
 *    A-ASSOCIATE-RQ was ever sent, so it has no AE titles): the latest C-MOVE
 *    still running when it was refused, else the latest that ended at most
 *    ASYNC_MOVE_WINDOW_MS before. A move SCP whose destination is down shows
 *    exactly this, and the refused connection is what explains the failed
 *    sub-operations of that C-MOVE.
 *
 * Ports and hosts are never compared: the sub-association is an outgoing
 * connection of the PACS (another port than the one it listens on), and a
 * proxy changes hosts and ports anyway. "After" means earlier in the event
 * stream, so a live session and its recording give the same links. Pure.
 */
import type { WireTime } from '../../capture/wire-event.ts';
import { CommandField } from '../../dimse/command-fields.ts';
import type { LinkEvidence } from '../summary-types.ts';
import type { AssociationLinkChange, Linker, MessageFacts, MessageLinkResult } from './linker.ts';

/**
 * How long after the final C-MOVE-RSP an association may still be its
 * sub-association on AE titles and timing alone. Orthanc's asynchronous
 * C-MOVE opens it within milliseconds on a quiet machine; a busy job queue may
 * take longer, and then only the Move Originator fields link it.
 */
export const ASYNC_MOVE_WINDOW_MS = 30_000;

/** An association's link to the C-MOVE that caused it. */
interface ParentLink {
  association: string;
  messageId: number;
  /** Index of the C-MOVE-RQ in the message stream. */
  request: number;
  evidence: LinkEvidence;
}

/** A link that changed, with its new value (null: no longer linked). */
interface ParentChange {
  association: string;
  link: ParentLink | null;
}

/** The summary's form of a change: `cause` with relation `c-move`. */
function asCause(change: ParentChange | null): AssociationLinkChange[] {
  if (!change) return [];
  const l = change.link;
  return [{ association: change.association, cause: l ? { relation: 'c-move', association: l.association, message: l.request, evidence: l.evidence } : null }];
}

interface MoveRequest {
  association: string;
  index: number;
  messageId: number;
  time: WireTime;
  /** AE titles of the side that sent the C-MOVE-RQ (the move SCU) and of the side it was sent to (the move SCP). */
  scu: string | null;
  scp: string | null;
  destination: string | null;
  /** Time of the final C-MOVE-RSP, or of the end of its association without one; null while it runs. */
  ended: WireTime | null;
}

interface AssociationState {
  callingAe: string | null;
  calledAe: string | null;
  /** Time of the A-ASSOCIATE-RQ (of the connection when it was never seen). */
  requestedAt: WireTime;
  link: ParentLink | null;
  /** A C-STORE-RQ with Move Originator fields has decided the link. */
  confirmed: boolean;
}

const trimmed = (ae: string | null): string | null => (ae === null ? null : ae.trim());
/** 2 = equal, 1 = unknown on one side, 0 = different. */
const agreement = (a: string | null, b: string | null): number => (a === null || b === null ? 1 : a === b ? 2 : 0);
const sameLink = (a: ParentLink | null, b: ParentLink | null): boolean =>
  a === b || (a !== null && b !== null && a.association === b.association && a.request === b.request && a.evidence === b.evidence);

export class MoveLinker implements Linker {
  readonly relations = [{ relation: 'c-move', label: 'sub-association of', section: 'PS3.4 C.4.2.2.1' }] as const;

  /** Every C-MOVE-RQ seen, in stream order, by Message ID (the originator evidence needs them all). */
  private readonly movesById = new Map<number, MoveRequest[]>();
  /** C-MOVE-RQs that may still open a sub-association (running, or ended less than the window ago), by move SCP and destination. */
  private readonly recentByRoute = new Map<string, MoveRequest[]>();
  private readonly movesByIndex = new Map<number, MoveRequest>();
  /** C-MOVE-RQs without a final response yet, by association. */
  private readonly runningByAssociation = new Map<string, MoveRequest[]>();
  private readonly associations = new Map<string, AssociationState>();

  connection(association: string, time: WireTime, refused: boolean): AssociationLinkChange[] {
    if (refused) return asCause(this.refused(association, time));
    this.opened(association, time);
    return [];
  }

  associate(association: string, callingAe: string, calledAe: string, time: WireTime): AssociationLinkChange[] {
    return asCause(this.requested(association, callingAe, calledAe, time));
  }

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    if (m.commandField === CommandField.CMoveRq && m.messageId !== null) {
      this.moveRequested(f.association, f.side, f.index, m.messageId, m.moveDestination, f.time);
    } else if (f.completed !== null && m.commandField === CommandField.CMoveRsp) {
      this.moveCompleted(f.completed, f.time);
    } else if (m.commandField === CommandField.CStoreRq && f.side === 'requestor' && m.moveOriginator) {
      const change = this.stored(f.association, m.moveOriginator, f.time);
      return change ? { associations: asCause(change) } : null;
    }
    return null;
  }

  end(association: string, time: WireTime): void {
    this.ended(association, time);
  }

  /** A connection opened (a candidate sub-association, or a C-MOVE's own association). */
  private opened(association: string, time: WireTime): void {
    this.associations.set(association, { callingAe: null, calledAe: null, requestedAt: time, link: null, confirmed: false });
  }

  /** Its A-ASSOCIATE-RQ: AE titles are known, the AE-and-timing evidence can be weighed. */
  private requested(association: string, callingAe: string, calledAe: string, time: WireTime): ParentChange | null {
    const a = this.associations.get(association);
    if (!a) return null;
    a.callingAe = trimmed(callingAe);
    a.calledAe = trimmed(calledAe);
    a.requestedAt = time;
    if (a.confirmed) return null;
    return this.setLink(association, a, this.byAeAndTime(association, a));
  }

  /** A C-MOVE-RQ, message `index` of the stream, sent by `side` of `association`. */
  private moveRequested(association: string, side: 'requestor' | 'acceptor', index: number, messageId: number, destination: string | null, time: WireTime): void {
    const a = this.associations.get(association);
    const [scu, scp] = side === 'requestor' ? [a?.callingAe ?? null, a?.calledAe ?? null] : [a?.calledAe ?? null, a?.callingAe ?? null];
    const move: MoveRequest = { association, index, messageId, time, scu, scp, destination: trimmed(destination), ended: null };
    push(this.movesById, messageId, move);
    if (scp !== null && move.destination !== null) push(this.recentByRoute, route(scp, move.destination), move);
    push(this.runningByAssociation, association, move);
    this.movesByIndex.set(index, move);
  }

  /** The final C-MOVE-RSP of the C-MOVE-RQ at `index`. */
  private moveCompleted(index: number, time: WireTime): void {
    const move = this.movesByIndex.get(index);
    if (!move || move.ended !== null) return;
    move.ended = time;
    const running = this.runningByAssociation.get(move.association) ?? [];
    const at = running.indexOf(move);
    if (at >= 0) running.splice(at, 1);
  }

  /** A C-STORE-RQ sent by the requestor of `association` with Move Originator fields. */
  private stored(association: string, originator: { ae: string | null; messageId: number | null }, time: WireTime): ParentChange | null {
    const a = this.associations.get(association);
    if (!a || a.confirmed) return null;
    const ae = trimmed(originator.ae);
    if ((ae === null || ae === '') && originator.messageId === null) return null;
    a.confirmed = true;
    return this.setLink(association, a, this.byOriginator(association, a, ae || null, originator.messageId, time));
  }

  /** A TCP connection refused (no AE titles): linked by timing alone (rule 3 above). */
  private refused(association: string, time: WireTime): ParentChange | null {
    let best: MoveRequest | null = null;
    for (const running of this.runningByAssociation.values()) {
      for (const move of running) if (move.association !== association && move.time <= time && (!best || move.time >= best.time)) best = move;
    }
    if (!best) {
      for (const moves of this.movesById.values()) {
        for (const move of moves) {
          if (move.ended === null || move.time > time || time - move.ended > ASYNC_MOVE_WINDOW_MS) continue;
          if (!best || move.ended > (best.ended ?? 0)) best = move;
        }
      }
    }
    return best ? { association, link: link(best, 'time-only') } : null;
  }

  /** The association ended: C-MOVEs on it without a final response end now. */
  private ended(association: string, time: WireTime): void {
    for (const move of this.runningByAssociation.get(association) ?? []) if (move.ended === null) move.ended = time;
    this.runningByAssociation.delete(association);
    this.associations.delete(association);
  }

  private setLink(association: string, a: AssociationState, link: ParentLink | null): ParentChange | null {
    if (sameLink(a.link, link)) return null;
    a.link = link;
    return { association, link };
  }

  private running(move: MoveRequest, at: WireTime): boolean {
    return move.ended === null || at - move.ended <= ASYNC_MOVE_WINDOW_MS;
  }

  private byAeAndTime(association: string, a: AssociationState): ParentLink | null {
    if (a.callingAe === null || a.calledAe === null) return null;
    const recent = this.recentByRoute.get(route(a.callingAe, a.calledAe));
    if (!recent) return null;
    // Moves that ended more than the window ago can never be guessed again: drop them.
    let n = 0;
    for (const move of recent) if (this.running(move, a.requestedAt) || move.time > a.requestedAt) recent[n++] = move;
    recent.length = n;
    for (let i = recent.length - 1; i >= 0; i--) {
      const move = recent[i];
      if (move.association !== association && move.time <= a.requestedAt) return link(move, 'ae-title-and-time');
    }
    return null;
  }

  private byOriginator(association: string, a: AssociationState, ae: string | null, messageId: number | null, time: WireTime): ParentLink | null {
    const candidates = messageId !== null ? (this.movesById.get(messageId) ?? []) : [...this.movesById.values()].flat().sort((x, y) => x.index - y.index);
    let best: MoveRequest | null = null;
    let bestScore: number[] = [];
    // Latest first: on equal evidence the latest move wins, and a move that fits in every respect ends the search.
    for (let i = candidates.length - 1; i >= 0; i--) {
      const move = candidates[i];
      if (move.association === association || move.time > time) continue;
      const originatorAe = agreement(ae, move.scu);
      if (originatorAe === 0) continue;
      const score = [originatorAe, agreement(a.calledAe, move.destination), agreement(a.callingAe, move.scp), this.running(move, a.requestedAt) ? 1 : 0];
      if (!best || isBetter(score, bestScore)) {
        best = move;
        bestScore = score;
        if (isBetter(score, PERFECT_BUT_ONE)) break;
      }
    }
    return best ? link(best, 'move-originator') : null;
  }
}

/** Below every score an originator, destination, PACS AE and timing that all agree give ([2, 2, 2, 1]). */
const PERFECT_BUT_ONE = [2, 2, 2, 0];

const route = (scp: string, destination: string): string => `${scp}\u0000${destination}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function link(move: MoveRequest, evidence: LinkEvidence): ParentLink {
  return { association: move.association, messageId: move.messageId, request: move.index, evidence };
}

function isBetter(score: number[], than: number[]): boolean {
  for (let i = 0; i < score.length; i++) if (score[i] !== than[i]) return score[i] > than[i];
  return false;
}
