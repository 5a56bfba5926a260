/**
 * Findings of the diagnosis rules (docs/architecture.md, "The layers"): what went
 * wrong, on which side, the setting that fixes it, and the associations,
 * DIMSE messages and PDUs of the derived model that prove it. Pure data: the
 * same findings come out of a live session, a replayed recording or an
 * imported pcap, in the browser and in `pacscope summary`.
 */

/** error: it failed; warning: it probably did not do what was meant; info: worth knowing, nothing failed. */
export type Severity = 'error' | 'warning' | 'info';

export interface Evidence {
  /** Association ids ("a3") of `summary.associations`. */
  associations: string[];
  /** Indices in `summary.messages`. */
  messages: number[];
  /** Indices in `summary.pdus` (A-ASSOCIATE-RJ, A-ABORT, an oversized P-DATA-TF…). */
  pdus?: number[];
}

export interface Finding {
  /** Stable rule id, dotted, e.g. "association.rejected.called-ae" (registry.ts lists them all). */
  rule: string;
  severity: Severity;
  /** One line, for a list. */
  title: string;
  /** What happened and why, in words; DICOM strings are quoted as data. */
  text: string;
  /** The fix in concrete terms: which setting, on which side. */
  fix: string;
  evidence: Evidence;
  /** Seconds from the start of the source (as `summary` times): when it happened, or was found missing. */
  time: number;
}

export interface DiagnoseOptions {
  /**
   * "Now", in seconds of the summary's clock: the end of the capture for a
   * file, the current time for a live session. Default: the summary's last
   * event time.
   */
  now?: number;
  /**
   * How long to wait for something that should come (a response, the
   * sub-association of a C-MOVE) before saying it did not. Default 30 s.
   */
  windowSeconds?: number;
  /**
   * True when nothing more can arrive (a file): what was not seen by the end
   * is reported even inside the window, with the time the capture ran on.
   * Default: true unless `now` is given (a live caller passes its clock).
   */
  complete?: boolean;
}
