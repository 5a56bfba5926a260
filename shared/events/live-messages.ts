/**
 * The messages of the live WebSocket stream (`/api/live`), server → browser,
 * defined once for both sides (DESIGN.md principle 7). Snapshot then live: on
 * connect the server sends the whole derived model so far, then one delta per
 * change, numbered, so a browser that opens late or reconnects sees the whole
 * session and then the new events. Summaries only: bytes and full message
 * details are fetched over HTTP on demand.
 */
import type { Summary, SummaryAssociation, SummaryError, SummaryMessage, SummaryPdu } from '../model/summary-types.ts';

/** Raised on any incompatible change of these shapes. */
export const LIVE_PROTOCOL_VERSION = 1;

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

export type LiveServerMessage =
  | { type: 'snapshot'; version: number; seq: number; summary: Summary; endpoints: EndpointInfo[] }
  | { type: 'delta'; seq: number; delta: LiveDelta }
  | { type: 'endpoints'; endpoints: EndpointInfo[] };
