/**
 * The AE map's model as data (ae-graph.ts builds it, ae-words.ts words it,
 * ae-layout.ts places it): nodes are application entities, edges the
 * associations between them and the C-MOVE destinations' routes.
 */
import type { AssociationOutcome } from '../../../../shared/model/summary-types.ts';

export type AeRole = 'scu' | 'scp' | 'move-scp' | 'move-destination' | 'requested-destination';

/**
 * How a node's AE title is known: `wire` sent in an A-ASSOCIATE-RQ (or a
 * known endpoint of this server), `move` inferred from a C-MOVE-RQ, `sub`
 * from the calling AE of its sub-associations, `address` from the only title
 * called at its address, `requested` only named by a C-MOVE-RQ (never seen
 * on the wire), `none`: no title, the node is its address.
 */
export type AeNaming = 'wire' | 'move' | 'sub' | 'address' | 'requested' | 'none';

export interface AeNode {
  id: string;
  /** AE title; null when nothing names one. */
  ae: string | null;
  named: AeNaming;
  /** null for a requested destination (no address known). */
  host: string | null;
  /** Ports it accepted associations on, in order of first use. */
  listening: number[];
  /** Ports where a connection to it was refused (nothing listened), in order. */
  refusedAt: number[];
  /** Ports it connected from (ephemeral), in order of first use. */
  ephemeral: number[];
  roles: AeRole[];
  /** 0 requestors (SCUs), 1 SCPs (and move SCPs), 2 move destinations. */
  column: 0 | 1 | 2;
  /** Associations at either end, in model order. */
  associations: string[];
  /** Order of first appearance. */
  first: number;
}

/**
 * What an edge's associations came to. A C-MOVE that opened nothing:
 * `never-reached`, `cancelled` (its final response was Cancel, PS3.4
 * C.4.2.3.1), `waiting` (it still runs).
 */
export type EdgeOutcome = AssociationOutcome | 'never-reached' | 'cancelled' | 'waiting';

export interface AeEdge {
  id: string;
  kind: 'association' | 'move-destination';
  from: string;
  to: string;
  /** The associations it stands for, in model order (move-destination: the C-MOVE's association first). */
  associations: string[];
  /** Association edges: how many ended how; move-destination edges: the sub-associations'. */
  counts: Partial<Record<AssociationOutcome, number>>;
  /** The worst outcome (colour). */
  outcome: EdgeOutcome;
  /** Move-destination edges: indices in summary.messages of the C-MOVE-RQs. */
  moves: number[];
  /** The label, line by line, in people's words. */
  lines: string[];
}

export interface AeGraph {
  nodes: AeNode[];
  edges: AeEdge[];
}

