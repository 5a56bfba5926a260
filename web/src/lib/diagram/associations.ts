/**
 * Which associations the diagram draws, and how they relate. Pure.
 *
 * - Dedupe: the same TCP connection can appear twice in the model when both of
 *   its ends are tapped in one process (the PACS's client socket and the store
 *   SCP's server socket both feed the hub). Two associations with the same
 *   requestor host:port and acceptor host:port whose time spans overlap are one
 *   connection: the one with more DIMSE messages is kept (the first on a tie)
 *   and the other's messages and PDUs are hidden.
 * - Parents: the model's own links (`parent`, `parentRequest`, set by
 *   shared/model/correlator.ts). A summary written before the correlator
 *   existed (no `parentEvidence` field on its associations) gets the old
 *   heuristic instead (see `guessParents`).
 */
import type { Summary, SummaryAssociation, SummaryMessage } from '../../../../shared/model/summary-types.ts';

export interface AssociationPlan {
  /** The associations drawn, in model order. */
  kept: SummaryAssociation[];
  /** Hidden duplicate id → the id of the association drawn for the same connection. */
  duplicateOf: Map<string, string>;
  /** Child association id → parent association id and the C-MOVE message index. */
  parents: Map<string, { association: string; messageIndex: number | null }>;
}

function overlaps(a: SummaryAssociation, b: SummaryAssociation): boolean {
  const aEnd = a.end ?? Number.POSITIVE_INFINITY;
  const bEnd = b.end ?? Number.POSITIVE_INFINITY;
  return a.start <= bEnd && b.start <= aEnd;
}

function connectionKey(a: SummaryAssociation): string {
  return `${a.requestor.host}:${a.requestor.port}>${a.acceptor.host}:${a.acceptor.port}`;
}

/** Hidden duplicate id → kept id, for connections seen twice. */
export function findDuplicates(summary: Summary): Map<string, string> {
  const messageCount = new Map<string, number>();
  for (const m of summary.messages) messageCount.set(m.association, (messageCount.get(m.association) ?? 0) + 1);
  const byKey = new Map<string, SummaryAssociation[]>();
  const duplicateOf = new Map<string, string>();
  for (const a of summary.associations) {
    const key = connectionKey(a);
    const seen = byKey.get(key) ?? [];
    const twin = seen.find((b) => !duplicateOf.has(b.id) && overlaps(a, b));
    if (twin) {
      const keepNew = (messageCount.get(a.id) ?? 0) > (messageCount.get(twin.id) ?? 0);
      if (keepNew) {
        duplicateOf.set(twin.id, a.id);
        for (const [dup, kept] of duplicateOf) if (kept === twin.id) duplicateOf.set(dup, a.id);
      } else {
        duplicateOf.set(a.id, twin.id);
      }
    }
    seen.push(a);
    byKey.set(key, seen);
  }
  return duplicateOf;
}

interface MoveRequest {
  index: number;
  message: SummaryMessage;
  association: SummaryAssociation;
  /** Time of the final response, or null while the move runs. */
  finished: number | null;
}

function collectMoves(summary: Summary, byId: Map<string, SummaryAssociation>): MoveRequest[] {
  const moves: MoveRequest[] = [];
  const open = new Map<string, MoveRequest>();
  summary.messages.forEach((m, index) => {
    const association = byId.get(m.association);
    if (!association) return;
    if (m.command === 'C-MOVE-RQ' && m.messageId !== null) {
      const move: MoveRequest = { index, message: m, association, finished: null };
      moves.push(move);
      open.set(`${m.association}#${m.messageId}`, move);
    } else if (m.command === 'C-MOVE-RSP' && m.respondsTo !== null && m.statusCategory !== 'pending') {
      const move = open.get(`${m.association}#${m.respondsTo}`);
      if (move && move.finished === null) move.finished = m.time;
    }
  });
  for (const move of moves) if (move.finished === null && move.association.end !== null) move.finished = move.association.end;
  return moves;
}

/** True when the summary's associations carry the correlator's links (written by a pacscope that has one). */
function hasModelLinks(summary: Summary): boolean {
  return summary.associations.some((a) => a.parentEvidence !== undefined);
}

/**
 * The C-MOVE that caused each sub-association, from the model: a parent that
 * is a hidden duplicate is drawn as its kept twin.
 */
export function findParents(summary: Summary, kept: SummaryAssociation[], duplicateOf: Map<string, string> = new Map()): AssociationPlan['parents'] {
  if (!hasModelLinks(summary)) return guessParents(summary, kept);
  const drawn = new Set(kept.map((a) => a.id));
  const parents: AssociationPlan['parents'] = new Map();
  for (const child of kept) {
    if (!child.parent) continue;
    const association = duplicateOf.get(child.parent.association) ?? child.parent.association;
    if (!drawn.has(association) || association === child.id) continue;
    parents.set(child.id, { association, messageIndex: child.parentRequest ?? null });
  }
  return parents;
}

/**
 * For summaries without the model's links (older files): a candidate move is a
 * C-MOVE-RQ of another association whose called AE is this association's
 * calling AE and whose move destination is this association's called AE. If
 * the association's C-STORE-RQs carry a Move Originator AE / Message ID, they
 * must match the move's calling AE and message ID, and the latest such move
 * that started before it wins (this also catches asynchronous moves, whose
 * stores come after the final response). Without an originator, the
 * association must have started while the move was running.
 */
function guessParents(summary: Summary, kept: SummaryAssociation[]): AssociationPlan['parents'] {
  const byId = new Map(kept.map((a) => [a.id, a]));
  const moves = collectMoves(summary, byId);
  const parents: AssociationPlan['parents'] = new Map();
  if (moves.length === 0) {
    for (const a of kept) if (a.parent && byId.has(a.parent.association)) parents.set(a.id, { association: a.parent.association, messageIndex: null });
    return parents;
  }
  const originators = new Map<string, { ae: string | null; messageId: number | null }>();
  for (const m of summary.messages) {
    if (m.command === 'C-STORE-RQ' && m.moveOriginator && !originators.has(m.association)) originators.set(m.association, m.moveOriginator);
  }
  for (const child of kept) {
    if (child.parent && byId.has(child.parent.association)) {
      const move = moves.find((mv) => mv.association.id === child.parent!.association && mv.message.messageId === child.parent!.messageId);
      parents.set(child.id, { association: child.parent.association, messageIndex: move ? move.index : null });
      continue;
    }
    const originator = originators.get(child.id);
    let best: MoveRequest | null = null;
    for (const move of moves) {
      if (move.association.id === child.id) continue;
      if (move.association.acceptor.ae !== child.requestor.ae) continue;
      if (move.message.moveDestination !== child.acceptor.ae) continue;
      if (move.message.time > child.start + 1e-6) continue;
      if (originator && (originator.ae !== null || originator.messageId !== null)) {
        if (originator.ae !== null && originator.ae !== move.association.requestor.ae) continue;
        if (originator.messageId !== null && originator.messageId !== move.message.messageId) continue;
      } else if (move.finished !== null && child.start > move.finished + 1e-6) {
        continue;
      }
      if (!best || move.message.time >= best.message.time) best = move;
    }
    if (best) parents.set(child.id, { association: best.association.id, messageIndex: best.index });
  }
  return parents;
}

/** The associations to draw, their duplicates and their parents. */
export function planAssociations(summary: Summary): AssociationPlan {
  const duplicateOf = findDuplicates(summary);
  const kept = summary.associations.filter((a) => !duplicateOf.has(a.id));
  return { kept, duplicateOf, parents: findParents(summary, kept, duplicateOf) };
}
