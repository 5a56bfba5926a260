/**
 * The derived model as `pacscope summary --json` prints it (documented in
 * docs/summary-json.md). This is a stable, versioned output: add fields, never
 * rename or remove them without raising SUMMARY_VERSION.
 */
import type { StatusCategory } from '../dimse/types.ts';

export const SUMMARY_VERSION = 1;

export interface SummaryEndpoint {
  /** AE title from the A-ASSOCIATE-RQ (calling for the requestor, called for the acceptor); null if never seen. */
  ae: string | null;
  host: string;
  port: number;
}

export type AssociationOutcome = 'released' | 'rejected' | 'aborted' | 'closed' | 'refused' | 'open';

export interface SummaryPresentationContext {
  id: number;
  abstractSyntax: string | null;
  abstractSyntaxName: string | null;
  /** As proposed in the A-ASSOCIATE-RQ. */
  transferSyntaxes: string[];
  /** PS3.8 Table 9-18 result (0 = acceptance), null when never answered. */
  result: number | null;
  resultText: string | null;
  /** The transfer syntax accepted, null unless result is 0. */
  transferSyntax: string | null;
}

export interface SummaryRoleSelection {
  sopClassUid: string;
  /** As proposed by the requestor. */
  proposed: { scu: boolean; scp: boolean };
  /** As answered by the acceptor; null when it did not answer the item. */
  accepted: { scu: boolean; scp: boolean } | null;
}

export interface SummaryAssociation {
  id: string;
  requestor: SummaryEndpoint;
  acceptor: SummaryEndpoint;
  outcome: AssociationOutcome;
  /** True when the capture started after the association was set up: AE titles and contexts were not seen. */
  midStream: boolean;
  reject: { result: number; source: number; reason: number; text: string } | null;
  abort: { source: number; reason: number; text: string; by: 'requestor' | 'acceptor' } | null;
  /** Free text on how the connection ended (reset, refused reason), or null. */
  closeReason: string | null;
  /**
   * The side whose TCP close (FIN or reset) came first while the association
   * was still going (no A-RELEASE, A-ABORT or A-ASSOCIATE-RJ before it):
   * who vanished. Null when the association ended properly or is open;
   * absent in summaries of older versions.
   */
  closedFirst?: 'requestor' | 'acceptor' | null;
  presentationContexts: SummaryPresentationContext[];
  roles: SummaryRoleSelection[];
  /** Maximum length received announced by each side (0 = unlimited, null = not announced). */
  maxPdu: { requestor: number | null; acceptor: number | null };
  implementation: {
    requestor: { classUid: string | null; versionName: string | null };
    acceptor: { classUid: string | null; versionName: string | null };
  };
  userIdentity: { type: number; typeText: string; username: string | null; positiveResponseRequested: boolean; accepted: boolean | null } | null;
  asyncOperationsWindow: {
    requestor: { maxInvoked: number; maxPerformed: number } | null;
    acceptor: { maxInvoked: number; maxPerformed: number } | null;
  };
  /** Seconds from the start of the source. */
  start: number;
  end: number | null;
  /**
   * The C-MOVE that caused this association (a C-STORE sub-association, PS3.4
   * C.4.2): the association that carried the C-MOVE-RQ and its Message ID.
   * Null when none was found. Set by the correlator (correlator.ts), possibly
   * after the association opened, and revised when stronger evidence arrives.
   */
  parent: { association: string; messageId: number } | null;
  /** Index in `messages` of the C-MOVE-RQ named by `parent`; null when `parent` is. */
  parentRequest: number | null;
  /** What `parent` rests on; null when `parent` is. */
  parentEvidence: ParentEvidence | null;
}

/**
 * Why an association is linked to a C-MOVE:
 * - `move-originator`: its C-STORE-RQs carry Move Originator AE Title
 *   (0000,1030) and Message ID (0000,1031) naming that C-MOVE (PS3.7 §9.1.1.1,
 *   Table 9.3-1);
 * - `ae-title-and-time`: only AE titles and timing: its calling AE is the AE
 *   the C-MOVE was sent to, its called AE the Move Destination, and it was
 *   requested while that C-MOVE ran or shortly after its final response;
 * - `time-only`: a TCP connection refused (it never carried AE titles) while
 *   that C-MOVE ran, or shortly after its final response: the move SCP's
 *   attempt to reach the Move Destination.
 */
export type ParentEvidence = 'move-originator' | 'ae-title-and-time' | 'time-only';

export interface SummaryPdu {
  association: string;
  time: number;
  from: 'requestor' | 'acceptor';
  offset: number;
  length: number;
  type: string;
  /** P-DATA-TF only: one entry per PDV: context id, command or data set, last fragment, value length. */
  pdvs?: { presentationContextId: number; isCommand: boolean; isLast: boolean; length: number }[];
}

export interface SummaryMessage {
  association: string;
  time: number;
  from: string | null;
  to: string | null;
  /** Which side sent it. */
  side: 'requestor' | 'acceptor';
  presentationContextId: number;
  command: string;
  messageId: number | null;
  respondsTo: number | null;
  affectedSopClass: string | null;
  affectedSopInstance: string | null;
  priority: number | null;
  /** "0xFF00" */
  status: string | null;
  statusMeaning: string | null;
  statusCategory: StatusCategory | null;
  remaining: number | null;
  completed: number | null;
  failed: number | null;
  warning: number | null;
  moveDestination: string | null;
  moveOriginator: { ae: string | null; messageId: number | null } | null;
  errorComment: string | null;
  offendingElements: string[] | null;
  /** Keyword → value of the data set, without bulk data; null when the message has none. */
  identifier: Record<string, unknown> | null;
  /**
   * Keyword → value of elements outside group 0000 that the sender put into
   * the command set, where only command elements belong (PS3.7 §6.3.1): a
   * non-conformant peer's data (e.g. a Failed SOP Instance UID List).
   * Null when there were none; absent in summaries of older versions.
   */
  commandSetDataElements?: Record<string, unknown> | null;
  /** What the sender got wrong in this message's command set, each with the section it breaks; null when nothing (absent in older summaries). */
  nonConformance?: { reason: string; section: string }[] | null;
  /**
   * Responses: index in `messages` of the request answered (same association,
   * other side, Message ID Being Responded To); null for requests and when the
   * request was not seen.
   */
  request: number | null;
  /**
   * Index in `messages` of the request this message serves or acts on: the
   * C-GET-RQ for the C-STORE-RQ/RSP of its sub-operations (PS3.7 §9.1.3), the
   * C-FIND/C-GET/C-MOVE-RQ a C-CANCEL-RQ cancels (PS3.7 §9.3.2.3, §9.3.3.3,
   * §9.3.4.3); null otherwise. C-STOREs of a C-MOVE are linked through their
   * association's `parent`.
   */
  cause: number | null;
}

export interface SummaryError {
  association: string | null;
  side: 'requestor' | 'acceptor' | null;
  offset: number | null;
  time: number;
  reason: string;
}

export interface Summary {
  version: number;
  source: { path: string; format: string; start: string | null };
  associations: SummaryAssociation[];
  pdus: SummaryPdu[];
  messages: SummaryMessage[];
  errors: SummaryError[];
}
