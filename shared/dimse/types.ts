/**
 * DIMSE messages as decoded from reassembled PDVs: PS3.7 §9 (C-services),
 * §10 (N-services), §6.3 (message structure), Annex C (status), Annex E
 * (command dictionary).
 */

/** Status category, PS3.7 Annex C. */
export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure' | 'unknown';

/** One element of a command set or data set, as shown by an inspector. */
export interface ElementSummary {
  /** "(0000,0100)" */
  tag: string;
  keyword: string;
  vr: string;
  /** Display value: numbers as numbers, strings trimmed, multi-values as arrays; bulk as null. */
  value: unknown;
  /** Stream-independent offset of the element inside its command set / data set. */
  offset: number;
  length: number;
}

/** What was learnt from a data set (identifier, C-STORE instance, N-service attribute list). */
export interface DataSetSummary {
  /** Total length of the data set on the wire (all fragments). */
  length: number;
  transferSyntax: string | null;
  /** Keyword → value for the top-level attributes decoded (sequences as arrays of such objects). Bulk attributes are absent. */
  attributes: Record<string, unknown>;
  /** Attributes measured and skipped: keyword (or tag) → length in bytes. */
  skipped: Record<string, number>;
  /** True when the decoder held only a prefix of the data set (over the size limit). */
  truncated: boolean;
  /** Why (part of) the data set could not be decoded, or null. */
  error: string | null;
}

/** A deviation from the standard in what a peer sent, tolerated by the decoder. */
export interface NonConformance {
  /** Offset relative to the command set's first byte. */
  offset: number;
  reason: string;
  /** The section it breaks, e.g. "PS3.7 §6.3.1". */
  section: string;
}

export interface DimseMessage {
  /** Stream offset of the first PDV of the command set. */
  offset: number;
  presentationContextId: number;
  /** Command Field (0000,0100), PS3.7 Annex E. */
  commandField: number;
  /** "C-MOVE-RQ", "N-CREATE-RSP", or "UNKNOWN-0x1234". */
  command: string;
  isResponse: boolean;
  messageId: number | null;
  /** Message ID Being Responded To (0000,0120). */
  respondsTo: number | null;
  affectedSopClass: string | null;
  affectedSopInstance: string | null;
  requestedSopClass: string | null;
  requestedSopInstance: string | null;
  /** 0 medium, 1 high, 2 low (0000,0700). */
  priority: number | null;
  moveDestination: string | null;
  moveOriginator: { ae: string | null; messageId: number | null } | null;
  /** Command Data Set Type (0000,0800): 0x0101 means no data set. */
  dataSetType: number | null;
  hasDataSet: boolean;
  status: number | null;
  statusMeaning: string | null;
  statusCategory: StatusCategory | null;
  remaining: number | null;
  completed: number | null;
  failed: number | null;
  warning: number | null;
  errorComment: string | null;
  errorId: number | null;
  /** Offending Element (0000,0901) as "(gggg,eeee)" tags. */
  offendingElements: string[] | null;
  eventTypeId: number | null;
  actionTypeId: number | null;
  /** Every element of the command set, in order (elements outside group 0000 a peer put there included). */
  commandElements: ElementSummary[];
  /**
   * Keyword → value of the elements outside group 0000 found in the command
   * set (a non-conformant peer's data, PS3.7 §6.3.1), or null when none.
   */
  commandSetDataElements: Record<string, unknown> | null;
  /** What the sender got wrong in the command set that decoding went past, with the section it breaks (empty when nothing). */
  nonConformance: NonConformance[];
  /** The data set following the command, when there is one and it arrived. */
  dataSet: DataSetSummary | null;
}
