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
  /** Filled by the correlator (a later issue): the C-MOVE that caused this association. */
  parent: { association: string; messageId: number } | null;
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
