/**
 * A linker finds one kind of link the wire does not state by itself (PS3.7
 * links a response to its request by Message ID; everything else is
 * inferred): the C-MOVE an association serves, the C-GET a C-STORE serves,
 * the request a C-CANCEL cancels, the N-ACTION a storage commitment
 * N-EVENT-REPORT answers. Each linker is one file of this folder and one line
 * of registry.ts; the correlator (../correlator.ts) runs them all over the
 * derived event stream, in order, and the summary carries what they find as
 * `cause` (SummaryMessage.cause, SummaryAssociation.cause) — the one relation
 * the diagram, the diagnosis and the JSON read.
 *
 * Sans-IO and incremental: a live session and a file of the same events give
 * the same links. Message indices count the `dimse` events, i.e. they are
 * indices in `summary.messages`.
 */
import type { Side, WireTime } from '../../capture/wire-event.ts';
import type { DimseMessage } from '../../dimse/types.ts';
import type { AssociationCause, MessageCause } from '../summary-types.ts';

/** One DIMSE message as a linker sees it. */
export interface MessageFacts {
  /** Index in summary.messages. */
  index: number;
  association: string;
  /** The side that sent it. */
  side: Side;
  time: WireTime;
  message: DimseMessage;
  /** A response: the request it answers (same association, Message ID Being Responded To), or null. */
  request: number | null;
  /** A final (not pending) response: the request it completes; null otherwise. */
  completed: number | null;
}

/** An association's link found, revised (a new cause) or dropped (null). */
export interface AssociationLinkChange {
  association: string;
  cause: AssociationCause | null;
}

/** What a linker found for one message. */
export interface MessageLinkResult {
  /** This message's cause; undefined: none from this linker. */
  cause?: MessageCause;
  /** Associations whose cause this message decided or revised. */
  associations?: AssociationLinkChange[];
}

/** How a relation reads, for the views (the inspector, the text summary). */
export interface RelationInfo {
  /** The id in `cause.relation`. */
  relation: string;
  /** "sub-operation of", as in "C-STORE-RQ, sub-operation of C-GET-RQ #3". */
  label: string;
  /** Where the standard defines the link. */
  section: string;
}

export interface Linker {
  /** The relations this linker makes. */
  readonly relations: readonly RelationInfo[];
  /** A TCP connection opened (`refused`: it never did, so no AE titles will come). */
  connection?(association: string, time: WireTime, refused: boolean): AssociationLinkChange[];
  /** The association's A-ASSOCIATE-RQ: its AE titles are known, and the abstract syntaxes it proposes (PS3.8 §9.3.2.2). */
  associate?(association: string, callingAe: string, calledAe: string, time: WireTime, abstractSyntaxes: readonly string[]): AssociationLinkChange[];
  /** A DIMSE message, after the response linking (`facts.request`, `facts.completed`). */
  message?(facts: MessageFacts): MessageLinkResult | null;
  /** The association (and its connection) is over. */
  end?(association: string, time: WireTime): void;
}
