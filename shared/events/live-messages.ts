/**
 * The messages of the live WebSocket stream (`/api/live`), server → browser,
 * defined once for both sides (docs/architecture.md §7). Snapshot then live: on
 * connect the server sends the whole derived model so far, then one delta per
 * change, numbered, so a browser that opens late or reconnects sees the whole
 * session and then the new events. Summaries only: bytes and full message
 * details are fetched over HTTP on demand.
 *
 * The snapshot leaves out the PDUs, which the default view does not draw
 * (28 % of the model's JSON for a C-MOVE): they come when the browser asks
 * for them (`LiveClientMessage`). Its messages come without their field
 * names and null fields (wire-message.ts), a third of their JSON; a delta
 * carries its message whole.
 *
 * A long session is not held whole (issue 14): the live session is cut into
 * pages as it goes, and the server keeps the last one or two in memory, the
 * window (`LiveWindowInfo`). The snapshot is of the window, its indices the
 * window's own; when the oldest page of the window is let go, the server
 * sends a new snapshot on the same connection. The pages before the window
 * are read back from the recording (`GET /api/live/pages/:k`).
 */
import type { Summary, SummaryAssociation, SummaryError, SummaryMessage, SummaryPdu } from '../model/summary-types.ts';
import type { WireMessage } from './wire-message.ts';

/** Raised on any incompatible change of these shapes (4: the snapshot's messages in their compact form, wire-message.ts). */
export const LIVE_PROTOCOL_VERSION = 4;

/** One change of the derived model. Messages, PDUs and errors are appended; an association is replaced whole. */
export type LiveDelta =
  | { type: 'association'; association: SummaryAssociation }
  | { type: 'pdu'; index: number; pdu: SummaryPdu }
  | { type: 'message'; index: number; message: SummaryMessage }
  | { type: 'error'; index: number; error: SummaryError };

/** A DICOM endpoint the server runs (for lifeline names and the panels). */
export interface EndpointInfo {
  role: 'pacs' | 'store-scp' | string;
  ae: string;
  host: string;
  port: number;
  [setting: string]: unknown;
}

/** The Summary as a snapshot carries it (live-snapshot.ts writes and reads it): without its PDUs, its messages compact. */
export interface SnapshotSummary extends Omit<Summary, 'pdus' | 'messages'> {
  messages: WireMessage[];
  /** How many PDUs the model holds; the PDUs themselves come when asked for (`{type:'pdus'}`). */
  pduCount: number;
}

/** Counts of a live session or of one of its pages. */
export interface LiveCounts {
  associations: number;
  messages: number;
  pdus: number;
  errors: number;
}

/**
 * Which part of the live session a snapshot holds. The session is cut into
 * pages as it goes (each at most `budget`: associations that did something
 * on it, messages, PDUs, errors); the window is page `page` to the last one,
 * the one being filled — one or two pages.
 */
export interface LiveWindowInfo {
  /** The first page in the window (0-based); the pages before it are read back from the recording. */
  page: number;
  /** Pages so far, the one being filled included (≥ 1). */
  pages: number;
  /** Index in the whole live session of the window's first message, PDU and error: what an index of the snapshot is counted from. */
  first: { message: number; pdu: number; error: number };
  /** The whole live session so far. */
  totals: LiveCounts;
  /** The most one page holds (`pacscope serve --live-window`). */
  budget: LiveCounts;
  /** The pages before the window can be read back (false when nothing is recorded, `--no-record`). */
  recorded: boolean;
}

export type LiveServerMessage =
  /**
   * The live end of a long window, sent on connect right before its snapshot (live-preview.ts): its messages from
   * `base` on, their indices counted from `base`. To draw while the snapshot comes; the snapshot replaces it.
   */
  | { type: 'preview'; version: number; seq: number; base: number; summary: SnapshotSummary; endpoints: EndpointInfo[]; window: LiveWindowInfo }
  /** The window of the live session; sent first, and again whenever the window moves on (everything before is replaced). */
  | { type: 'snapshot'; version: number; seq: number; summary: SnapshotSummary; endpoints: EndpointInfo[]; window: LiveWindowInfo }
  /** Every change; 'pdu' deltas too, which a browser that has not asked for the PDUs drops (it numbers them all the same). */
  | { type: 'delta'; seq: number; delta: LiveDelta }
  /** The answer to `{type:'pdus'}`: the PDUs of the model as of delta `seq`; the 'pdu' deltas after it follow them. */
  | { type: 'pdus'; seq: number; pdus: SummaryPdu[] }
  | { type: 'endpoints'; endpoints: EndpointInfo[] };

/**
 * Browser → server (the only one): "send me the PDUs" — once per snapshot
 * received, when the PDU level is shown or an arrow is inspected (its bytes
 * are found through the PDU that carries it). Anything else is ignored.
 */
export type LiveClientMessage = { type: 'pdus' };
