/**
 * The snapshot of the live stream (live-messages.ts) from a Summary and
 * back: the PDUs left out and counted, the messages in their compact form
 * (wire-message.ts). Both ends use these, so the shape stays one.
 */
import type { Summary, SummaryMessage } from '../model/summary-types.ts';
import { LIVE_PROTOCOL_VERSION, type EndpointInfo, type LiveWindowInfo, type SnapshotSummary } from './live-messages.ts';
import { fromWireMessage, toWireMessage, type WireMessage, type WireMessageList } from './wire-message.ts';

export function packSnapshot(summary: Summary): SnapshotSummary {
  const { pdus, messages, ...rest } = summary;
  return { ...rest, messages: messages.map(toWireMessage), pduCount: pdus.length };
}

/** The window of a session held whole (every page in memory): what a hub without a window, or a test, sends. */
export function wholeWindow(summary: Summary): LiveWindowInfo {
  const totals = { associations: summary.associations.length, messages: summary.messages.length, pdus: summary.pdus.length, errors: summary.errors.length };
  return { page: 0, pages: 1, first: { message: 0, pdu: 0, error: 0 }, totals, budget: { ...totals }, recorded: false };
}

/**
 * The whole snapshot message as JSON text, its messages' text from
 * `messages`: kept by the server for the hub's list, which only grows, so
 * each message is stringified once however many browsers connect.
 */
export function snapshotJson(seq: number, summary: Summary, endpoints: EndpointInfo[], messages: WireMessageList, window: LiveWindowInfo = wholeWindow(summary)): string {
  const { messages: list, pdus, ...rest } = summary;
  // The messages' place, first in the summary: no text taken from the traffic comes before it.
  const placeholder = '\u0000messages\u0000';
  const mark = JSON.stringify(placeholder);
  const text = JSON.stringify({ type: 'snapshot', version: LIVE_PROTOCOL_VERSION, seq, summary: { messages: placeholder, ...rest, pduCount: pdus.length }, endpoints, window });
  const at = text.indexOf(mark);
  return `${text.slice(0, at)}${messages.update(list).json()}${text.slice(at + mark.length)}`;
}

/**
 * The Summary of a snapshot, without its PDUs (an empty list until they are asked for), its messages whole again.
 * A server of live protocol 3 or before (the UI bench's "before") sent whole messages: taken as they are.
 */
export function unpackSnapshot(snapshot: SnapshotSummary): Summary {
  const { pduCount: _count, messages, ...rest } = snapshot;
  const whole = (m: WireMessage | SummaryMessage): SummaryMessage => (Array.isArray(m) ? fromWireMessage(m) : m);
  return { ...rest, messages: (messages as (WireMessage | SummaryMessage)[]).map(whole), pdus: [] };
}
