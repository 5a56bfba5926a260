/**
 * The derived model as `pacscope summary --json` prints it (documented in
 * docs/summary-json.md). This is a stable, versioned output: a field added,
 * renamed or removed raises SUMMARY_VERSION, and summary-migrations.ts gets
 * the step from the version before (summaries of every earlier version stay
 * readable). The model carries facts: commands and statuses are numbers
 * (PS3.7 Annex E, Annex C), their names and meanings are made at the edges
 * (docs/architecture.md §8).
 */
import type { StatusCategory } from '../dimse/types.ts';
import type { WireTls } from '../capture/wire-event.ts';

export const SUMMARY_VERSION = 2;

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
  closedFirst: 'requestor' | 'acceptor' | null;
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
   * Why this association was opened, when another one asked for it: the
   * C-MOVE whose sub-operations it carries (PS3.4 C.4.2), the N-ACTION whose
   * storage commitment result it reports (PS3.4 J.3.3). Null when nothing
   * caused it. Set by a linker (shared/model/linkers/), possibly after the
   * association opened, and revised when stronger evidence arrives.
   */
  cause: AssociationCause | null;
  /**
   * DICOM over TLS on this connection (PS3.15 Annex B), or null when nothing
   * of TLS showed: each leg's handshake facts (one per TCP leg pacscope saw
   * or took part in; a failed one after an established one when an alert
   * ended it), and the first bytes of each direction when they look like TLS
   * where DICOM was expected (a ClientHello to a plain port, a TLS answer to
   * a plain A-ASSOCIATE-RQ). pacscope does not decrypt captured TLS.
   */
  tls: SummaryTls | null;
}

/** The TLS facts of one connection (docs/summary-json.md, `tls`). */
export interface SummaryTls {
  legs: TlsLeg[];
  /** Hex, up to 16 bytes of each direction's start; null when they did not look like TLS. */
  firstBytes: { requestor: string; acceptor: string } | null;
}

/** One TCP leg's TLS facts: the recorded `tls` wire event (shared/capture/wire-event.ts), its time in seconds from the source's start. */
export type TlsLeg = Omit<WireTls, 'kind' | 'conn' | 'time'> & { time: number };

/** An association opened because of a request on another one. */
export interface AssociationCause {
  /** Which link (a linker's relation, shared/model/linkers/): `c-move`, `storage-commitment`. */
  relation: string;
  /** The association of the request. */
  association: string;
  /** Index in `messages` of the request (the C-MOVE-RQ, the N-ACTION-RQ). */
  message: number;
  /** What the link rests on (the linker's evidence kinds). */
  evidence: LinkEvidence;
}

/**
 * What a link rests on:
 * - `move-originator`: the C-STORE-RQs carry Move Originator AE Title
 *   (0000,1030) and Message ID (0000,1031) naming that C-MOVE (PS3.7 §9.1.1.1,
 *   Table 9.3-1);
 * - `ae-title-and-time`: only AE titles and timing: its calling AE is the AE
 *   the C-MOVE was sent to, its called AE the Move Destination, and it was
 *   requested while that C-MOVE ran or shortly after its final response; for
 *   `storage-commitment`, its AE titles are those of the N-ACTION's
 *   association reversed, it proposes the Push Model and comes while that
 *   request awaits its report (linkers/storage-commitment.ts);
 * - `time-only`: a TCP connection refused (it never carried AE titles) while
 *   that C-MOVE ran, or shortly after its final response: the move SCP's
 *   attempt to reach the Move Destination; or shortly after an N-ACTION
 *   awaiting its report: the storage commitment SCP's attempt to reach the SCU;
 * - `transaction-uid`: the same Transaction UID (0008,1195) in the
 *   N-ACTION-RQ and the N-EVENT-REPORT-RQ (PS3.4 J.3.2, J.3.3).
 */
export type LinkEvidence = 'move-originator' | 'ae-title-and-time' | 'time-only' | 'transaction-uid';

/** A message that serves or acts on an earlier request (not its response: see `request`). */
export interface MessageCause {
  /**
   * Which link: `c-get` (a C-STORE sub-operation of a C-GET on the same
   * association, PS3.7 §9.1.3), `c-cancel` (the C-FIND/C-GET/C-MOVE-RQ a
   * C-CANCEL-RQ cancels, PS3.7 §9.3.2.3 ff.), `storage-commitment` (the
   * N-ACTION-RQ an N-EVENT-REPORT answers, on this or another association),
   * `mpps` (the N-CREATE-RQ of the Modality Performed Procedure Step an
   * N-SET-RQ updates, PS3.4 F.7.2).
   */
  relation: string;
  /** Index in `messages` of that request. */
  message: number;
}

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
  /** Command Field (0000,0100), PS3.7 Annex E: 0x0021 C-MOVE-RQ, 0x8021 C-MOVE-RSP… */
  commandField: number;
  messageId: number | null;
  respondsTo: number | null;
  affectedSopClass: string | null;
  affectedSopInstance: string | null;
  /** N-GET/N-SET/N-ACTION/N-DELETE-RQ: the SOP class and instance acted on (0000,0003), (0000,1001). */
  requestedSopClass: string | null;
  requestedSopInstance: string | null;
  /** N-EVENT-REPORT: Event Type ID (0000,1002); N-ACTION: Action Type ID (0000,1008) — PS3.4 defines their meaning per SOP class. */
  eventTypeId: number | null;
  actionTypeId: number | null;
  priority: number | null;
  /** Status (0000,0900) of a response, PS3.7 Annex C; null for a request. */
  status: number | null;
  /** What the status means for this service (PS3.4 tables, PS3.7 Annex C): success, pending, cancel, warning, failure. */
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
   * Null when there were none.
   */
  commandSetDataElements: Record<string, unknown> | null;
  /** What the sender got wrong in this message's command set, each with the section it breaks; null when nothing. */
  nonConformance: { reason: string; section: string }[] | null;
  /**
   * Responses: index in `messages` of the request answered (same association,
   * other side, Message ID Being Responded To); null for requests and when the
   * request was not seen.
   */
  request: number | null;
  /**
   * The request this message serves or acts on (see MessageCause); null
   * otherwise. A response has its request's cause too. The C-STOREs of a
   * C-MOVE are linked through their association's `cause`.
   */
  cause: MessageCause | null;
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
