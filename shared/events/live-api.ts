/**
 * The JSON bodies of the live HTTP API (docs/live-api.md), defined once for
 * the server (server/live/, server/endpoints/scu/) and the browser
 * (web/src/lib/transport/api.ts) — docs/architecture.md §7.
 */
import type { EndpointInfo } from './live-messages.ts';
import type { Summary } from '../model/summary-types.ts';
import type { ScenarioRunRecord } from './scenario-runs.ts';

/** How an SCU operation ended. */
export type Outcome = 'success' | 'warning' | 'failure' | 'cancel' | 'rejected' | 'aborted' | 'refused' | 'error';

export interface OperationResult {
  ok: boolean;
  outcome: Outcome;
  /** The final DIMSE status, when one arrived. */
  status?: number;
  statusText?: string;
  /** One line for people: why it was not a plain success. */
  reason?: string;
  /** The hub's connection number of the association. */
  connection?: number;
}

/** Sub-operation counters of C-MOVE and C-GET responses (PS3.7 §9.1.4, §9.1.3). */
export interface SubOperationCounters {
  remaining: number | null;
  completed: number;
  failed: number;
  warning: number;
}

/** Query/Retrieve information models of PS3.4 C.6.1 (Patient Root) and C.6.2 (Study Root). */
export type QueryModel = 'patient' | 'study';

/** Query/Retrieve levels of PS3.4 C.6.1.1 / C.6.2.1. */
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export type OperationKind = 'echo' | 'find' | 'move' | 'get' | 'store';

/** `POST /api/operations`. */
export interface OperationRequest {
  op: OperationKind;
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  model?: QueryModel;
  level?: QueryLevel;
  keys?: Record<string, string>;
  destination?: string;
  /** C-STORE: ids of files uploaded with `POST /api/uploads`, sent in this order on one association. */
  uploads?: string[];
}

/** `POST /api/uploads` (the body is one file's bytes): a DICOM Part 10 file kept for a C-STORE operation. */
export interface UploadInfo {
  id: string;
  /** The name the browser gave, for people. */
  name: string;
  size: number;
  sopClassUid: string | null;
  sopInstanceUid: string | null;
}

/** C-STORE progress and outcome per instance (`OperationState.store`). */
export interface StoreProgress {
  total: number;
  sent: number;
  failed: { name: string; reason: string }[];
  skipped: { name: string; reason: string }[];
}

/** `GET /api/operations/:id`. */
export interface OperationState {
  id: string;
  op: OperationKind;
  state: 'running' | 'done';
  /** The operation's association id in the live session, once it opened (its sub-associations are linked to it). */
  associations: string[];
  result?: OperationResult;
  matches?: Record<string, unknown>[];
  pending?: number;
  counters?: SubOperationCounters;
  store?: StoreProgress;
}

/** `GET /api/status`. */
export interface StatusInfo {
  product: string;
  version: string;
  started: string;
  endpoints: EndpointInfo[];
  /** `serve`: a live session (its endpoints, operations, scenarios); `open`: `pacscope open FILE`, recorded sessions only. */
  mode: 'serve' | 'open';
  /** What this server offers beside its sessions: the built-in PACS (/api/pacs), proxy routes (/api/routes), uploads for C-STORE, live captures (/api/captures). */
  features: { pacs: boolean; routes: boolean; uploads: boolean; sessions: boolean; captures?: boolean };
}

/** `GET /api/pacs`, and what `PUT /api/pacs` accepts (any of moveMode, aePolicy, destinations). */
export interface PacsSettings {
  ae: string;
  host: string;
  port: number;
  /** async: as Orthanc 1.10 with SynchronousCMove false (pendings and the final "completed N" at once, C-STOREs after). */
  moveMode: 'sync' | 'async';
  aePolicy: 'any' | 'called' | 'known';
  /** AE title → "host:port". */
  destinations: Record<string, string>;
}

/** GET /api/pdus/:index/bytes: the PDU's bytes (header included) as hex, at most 64 KiB of them. */
export interface PduBytesInfo {
  index: number;
  /** Stream offset of the PDU in its direction. */
  offset: number;
  /** The PDU's whole length (header included). */
  length: number;
  /** True when `hex` holds only the first bytes (a big P-DATA-TF). */
  truncated: boolean;
  /** Lowercase hex, two digits a byte. */
  hex: string;
}

/** One file of the sessions folder (`GET /api/sessions`): a recording, a pcap or a pcapng. */
export interface SessionInfo {
  /** File name in the sessions folder (the id in /api/sessions/:name). */
  name: string;
  size: number;
  /** ISO time of the last change. */
  modified: string;
  format: 'recording' | 'pcap' | 'pcapng';
  /** True for the recording this server is writing now. */
  live: boolean;
}

/**
 * `GET /api/sessions/:name`: the file's Summary, and the teaching scenario
 * runs its recording carries (scenario-runs.ts; empty for a pcap, a pcapng
 * or a recording without any), so the browser narrates the opened session.
 */
export interface SessionSummary extends Summary {
  scenarioRuns: ScenarioRunRecord[];
  /** Which part of the session this is: a session is served in pages of bounded size (docs/live-api.md, "Sessions in pages"). The server always sends it. */
  page?: SessionPageInfo;
}

/**
 * One page of an opened session (`GET /api/sessions/:name/pages/:k`): whole
 * associations in the order they opened, with their messages, PDUs and
 * errors, at most SESSION_PAGE_BUDGET of each; an association too big for one
 * page is spread over pages of its own (`partial`). Message and PDU indices
 * (and the details URLs) are the page's own.
 */
export interface SessionPageInfo {
  /** 0-based. */
  index: number;
  /** Pages in the session (≥ 1). */
  count: number;
  /** Ids of the page's first and last associations (null: a session without any). */
  firstAssociation: string | null;
  lastAssociation: string | null;
  /** The page holds only part of its first or last association's messages and PDUs (the rest is on the page before or after). */
  partial: boolean;
  /** The whole session. */
  totals: { associations: number; messages: number; pdus: number; errors: number };
}

/** The most a session page holds (shared/events/live-api.ts `SessionPageInfo`). */
export const SESSION_PAGE_BUDGET = Object.freeze({ associations: 1000, messages: 10_000, pdus: 30_000, errors: 2000 });

/** `GET /api/sessions`. */
export interface SessionList {
  /** The folder listed; null when this server has none. */
  dir: string | null;
  sessions: SessionInfo[];
}

/** `POST /api/scenarios/:name/run` body (every field optional). */
export interface ScenarioRunRequest {
  /** Pause before each C-MOVE/C-GET sub-operation, ms (0–10000). */
  delayMs?: number;
}

/** `GET /api/scenarios/runs/:id`: a teaching scenario run through the live hub. */
export interface ScenarioRunState {
  id: string;
  name: string;
  state: 'running' | 'done';
  /** When it started, ms since the Unix epoch. */
  startTime: number;
  /** The run's association ids in the live session, as they open. */
  associations: string[];
  /** Why the scenario could not be staged, or null. */
  error: string | null;
}

/** `GET /api/scenarios/runs`: the runs of the live session so far, oldest first (a reloaded page narrates them again). */
export type ScenarioRunList = ScenarioRunState[];

/** `POST /api/doctor`: the connectivity doctor on a peer (server/doctor/). */
export interface DoctorRequest {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  /** Move destination of the retrieve step; default: the store SCP of `pacscope serve`. */
  destination?: string;
}

/** The doctor's steps, in the order they run. */
export type DoctorStepId = 'connect' | 'echo' | 'called-ae' | 'contexts' | 'find' | 'instance' | 'move' | 'get';

/** One SOP class of the presentation context probe: what the A-ASSOCIATE-AC answered (PS3.8 Table 9-18). */
export interface DoctorContextProbe {
  sopClass: string;
  name: string;
  kind: 'verification' | 'query-retrieve' | 'storage';
  /** Transfer syntax UIDs accepted, in the order proposed. */
  accepted: string[];
  /** Why none was accepted (the results of its contexts), or null when one was. */
  rejected: string | null;
}

export interface DoctorStep {
  id: DoctorStepId;
  title: string;
  /** true: works; false: fails; null: skipped or not applicable (the detail says why). */
  ok: boolean | null;
  /** What was seen; the first line is the headline. */
  detail: string;
  /** What to change, and where, when it fails. */
  fix?: string;
  /** Ids of the associations in the capture (summary.associations[].id) that prove it. */
  associations: string[];
  /** The contexts step: per SOP class. */
  contexts?: DoctorContextProbe[];
  /** The final DIMSE status of the step's operation ("0xA801"), when there was one. */
  status?: string;
  /** C-MOVE / C-GET: the final response's counters. */
  counters?: SubOperationCounters;
}

export interface DoctorReport {
  target: DoctorRequest;
  /** The called AE title the later steps used (a variant when the given one was rejected). */
  calledAeTitleUsed: string;
  steps: DoctorStep[];
  summary: { works: string[]; fails: string[]; fixes: string[] };
  /** True when the run was cancelled before its last step. */
  cancelled: boolean;
}

/** `GET /api/doctor/:id`. */
export interface DoctorState {
  id: string;
  state: 'running' | 'done';
  /** The steps finished so far. */
  steps: DoctorStep[];
  report?: DoctorReport;
  /** Every association the run opened so far (its probes): the findings panel keeps their findings apart from the user's. */
  associations?: string[];
}

/** Counters of one proxy route (server/proxy/). */
export interface ProxyRouteCounters {
  /** Clients accepted. */
  connections: number;
  /** Being connected or relayed now. */
  active: number;
  /** The upstream refused or did not answer. */
  refused: number;
  /** Ended by a reset (either side). */
  resets: number;
  /** Ended by another socket error. */
  errors: number;
  bytesToUpstream: number;
  bytesToClient: number;
}

/** A proxy route (`GET /api/routes`, and what `POST /api/routes` answers). */
export interface ProxyRouteInfo {
  /** The address listened on, port as bound ("127.0.0.1:4243"): the route's key. */
  listen: string;
  upstream: string;
  /** "LISTEN=UPSTREAM" as given (the listen port may be 0 there). */
  spec: string;
  counters: ProxyRouteCounters;
  /** The last failure of a connection ("upstream 127.0.0.1:11119 refused"), or null. */
  lastFailure: string | null;
}

/** `POST /api/routes`: `{route: "LISTEN=UPSTREAM"}` (e.g. "127.0.0.1:4243=127.0.0.1:4242"). */
export interface ProxyRouteRequest {
  route: string;
}

/**
 * A live passive capture (`pacscope serve --capture IF`, `GET /api/captures`;
 * server/sources/live-capture.ts): dumpcap on an interface, its packets
 * reassembled and decoded as they come. dumpcap counts its drops only when
 * it stops (its Interface Statistics Block), so `dropped` is null while it
 * runs; `gaps` is the live sign of loss: bytes missing from the TCP streams.
 */
export interface CaptureInfo {
  /** "c1", "c2", … in the order started: the key of DELETE /api/captures/:id. */
  id: string;
  interface: string;
  /** The BPF filter as the user gave it (pacscope adds its own probe clause on loopback). */
  filter: string;
  state: 'starting' | 'capturing' | 'stopped' | 'failed';
  /** ISO times. */
  started: string;
  stopped: string | null;
  /** Packets dumpcap captured so far (its own counter, updated about twice a second). */
  packets: number;
  /** pcapng bytes read from dumpcap. */
  bytes: number;
  /** DICOM connections seen (each carries at most one association). */
  connections: number;
  /** Connection attempts refused (SYN answered by RST). */
  refused: number;
  /** Places where bytes of a DICOM stream were missing (TCP holes the capture could not fill), and how many bytes. */
  gaps: number;
  gapBytes: number;
  /** Packets dropped, as dumpcap counted them when it stopped; null while it runs or when it could not tell. */
  dropped: number | null;
  /** Packets the interface received, as dumpcap counted them when it stopped; null before. */
  received: number | null;
  /** Why it failed or stopped by itself (one line saying what to do), or null. */
  error: string | null;
}

/** `POST /api/captures`: start a capture. */
export interface CaptureRequest {
  interface: string;
  /** BPF (default "tcp"). */
  filter?: string;
}
