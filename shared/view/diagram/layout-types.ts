/**
 * The sequence diagram as geometry: the shapes the layout returns and the
 * web's components and the exports draw (lifelines, association bars, arrows,
 * links, cancels), and the constants they are measured in.
 */
import type { AssociationOutcome } from '../../model/summary-types.ts';
import type { EndpointInfo } from '../../events/live-messages.ts';
import type { Lifeline } from './lifelines.ts';
import type { DiagramFilter } from './filter.ts';

export interface LayoutOptions {
  pdus: boolean;
  realTime: boolean;
  endpoints?: EndpointInfo[];
  /** Draw only what passes this filter (filter.ts). */
  filter?: DiagramFilter;
}

export const GEOMETRY = { laneWidth: 300, left: 130, top: 100, rowHeight: 34, barWidth: 14, nestOffset: 10, bottom: 60 } as const;

export interface LaidLifeline extends Lifeline {
  x: number;
}

export interface Bar {
  id: string;
  parent: string | null;
  outcome: AssociationOutcome;
  /** Centre x of the bar on the requestor's and the acceptor's lifeline. */
  requestorX: number;
  acceptorX: number;
  y1: number;
  y2: number;
  title: string;
  /** How it ended, in words (reject reason, abort source, refused). */
  endLabel: string;
  failed: boolean;
}

/**
 * What happened to an association as a whole, drawn at DIMSE level without
 * the PDU toggle (PS3.8 §9.3 A-ASSOCIATE, A-RELEASE, A-ABORT; §9.1.1 the TCP
 * connection): `associate` the A-ASSOCIATE-RQ (and its AC when accepted),
 * `reject` the A-ASSOCIATE-RJ, `release` A-RELEASE-RQ/RP, `abort` A-ABORT,
 * `refused` a TCP connection refused (no association), `closed` the TCP
 * connection closed or reset without A-RELEASE or A-ABORT.
 */
export type LifecycleEvent = 'associate' | 'reject' | 'release' | 'abort' | 'refused' | 'closed';

/** What is selected in the diagram: a DIMSE message, a PDU, or a lifecycle event of an association (index in summary.associations). */
export type Selection = { kind: 'message' | 'pdu'; index: number } | { kind: 'lifecycle'; index: number; event: LifecycleEvent } | null;

export interface Arrow {
  kind: 'message' | 'pdu' | 'lifecycle';
  /** Index in summary.messages, summary.pdus, or (lifecycle) summary.associations. */
  index: number;
  /** Lifecycle arrows: which event of the association. */
  event?: LifecycleEvent;
  association: string;
  /** Which end of the association sent it. */
  side: 'requestor' | 'acceptor';
  x1: number;
  x2: number;
  y: number;
  time: number;
  label: string;
  /** What the arrow is, as its data-command says it: "C-MOVE-RQ", "A-ASSOCIATE-RJ", "P-DATA-TF". */
  command: string;
  /** A DIMSE message's Command Field (PS3.7 Annex E); null for PDUs and lifecycle arrows. */
  commandField: number | null;
  status: string | null;
  /** Meaning of a status in words (tooltip and inspector). */
  meaning: string | null;
  cls: string;
}

export interface Link {
  parent: string;
  child: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A C-CANCEL-RQ tied to the request it cancels, drawn as a bracket beside the requestor's bar. */
export interface CancelLink {
  association: string;
  x: number;
  /** y of the request and of the C-CANCEL-RQ. */
  y1: number;
  y2: number;
}

export interface Layout {
  lifelines: LaidLifeline[];
  cancels: CancelLink[];
  bars: Bar[];
  /** Sorted by y. */
  arrows: Arrow[];
  links: Link[];
  /** Real-time axis: where an idle stretch was cut short (y of the cut, "⋯ 34 s idle"). */
  breaks: { y: number; label: string }[];
  width: number;
  height: number;
  /** Hidden duplicate association id → drawn id. */
  duplicateOf: Map<string, string>;
  /** Drawn association id → lifeline keys of its requestor and acceptor. */
  ends: Map<string, { requestor: string; acceptor: string }>;
  /** DIMSE message arrows drawn, and messages in the model. */
  shownMessages: number;
  totalMessages: number;
}
