/**
 * Findings of the diagnosis rules (docs/architecture.md, "The layers"): what went
 * wrong, on which side, the setting that fixes it, and the associations,
 * DIMSE messages and PDUs of the derived model that prove it. Pure data: the
 * same findings come out of a live session, a replayed recording or an
 * imported pcap, in the browser and in `pacscope summary`.
 */
import type { ListeningEndpoint } from './identify.ts';

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
  /**
   * Whose traffic it is about: the user's, or pacscope's own probing — the
   * connectivity doctor's associations, a teaching scenario's actors
   * (DiagnoseOptions.probes). Set by diagnose(); absent in findings of
   * older pacscope versions (read it as "user").
   */
  origin?: FindingOrigin;
}

/** Whose traffic a finding is about. */
export type FindingOrigin = 'user' | 'doctor' | 'scenario';

/** Associations pacscope opened itself to probe or to teach (their sub-associations count with them). */
export interface ProbeRun {
  kind: 'doctor' | 'scenario';
  /** For people: "doctor d1 on 127.0.0.1:11112", a scenario's title. */
  label: string;
  associations: readonly string[];
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
  /**
   * pacscope's own listening endpoints (its PACS, its store SCP): every
   * association to them is in the capture, so one that never came is a
   * fact, and their product is pacscope.
   */
  listening?: readonly ListeningEndpoint[];
  /** pacscope's own probing (the doctor, scenario actors): their findings get that origin and stay apart from the user's. */
  probes?: readonly ProbeRun[];
}
