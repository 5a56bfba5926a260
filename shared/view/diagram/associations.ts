/**
 * Which associations the diagram draws, and how they relate. Pure.
 *
 * - Dedupe: the same TCP connection can appear twice in the model when both of
 *   its ends are tapped in one process (the PACS's client socket and the store
 *   SCP's server socket both feed the hub). Two associations with the same
 *   requestor host:port and acceptor host:port whose time spans overlap are one
 *   connection: the one with more DIMSE messages is kept (the first on a tie)
 *   and the other's messages and PDUs are hidden.
 * - Parents: the model's own links (an association's `cause` of relation
 *   `c-move`, found by shared/model/linkers/c-move.ts; summaries of older
 *   versions are migrated when read, shared/model/summary-migrations.ts).
 */
import type { Summary, SummaryAssociation } from '../../model/summary-types.ts';

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

/**
 * The request that caused each association opened because of it, from the
 * model's `cause` (shared/model/linkers/): a C-MOVE's sub-association, the
 * association a storage commitment SCP opens back to report. Drawn nested
 * under that request; a parent that is a hidden duplicate is drawn as its
 * kept twin.
 */
export function findParents(kept: SummaryAssociation[], duplicateOf: Map<string, string> = new Map()): AssociationPlan['parents'] {
  const drawn = new Set(kept.map((a) => a.id));
  const parents: AssociationPlan['parents'] = new Map();
  for (const child of kept) {
    if (!child.cause) continue;
    const association = duplicateOf.get(child.cause.association) ?? child.cause.association;
    if (!drawn.has(association) || association === child.id) continue;
    parents.set(child.id, { association, messageIndex: child.cause.message });
  }
  return parents;
}

/** The associations to draw, their duplicates and their parents. */
export function planAssociations(summary: Summary): AssociationPlan {
  const duplicateOf = findDuplicates(summary);
  const kept = summary.associations.filter((a) => !duplicateOf.has(a.id));
  return { kept, duplicateOf, parents: findParents(kept, duplicateOf) };
}
