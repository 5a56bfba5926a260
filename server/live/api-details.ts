/**
 * Details on demand from the live capture hub or a page of an opened session
 * (sessions.ts): a message's full decode and a PDU's bytes as hex.
 *
 *   GET …/messages/:i      the DimseMessage behind summary.messages[i]
 *   GET …/pdus/:i/bytes    PduBytesInfo (at most 64 KiB of the PDU)
 */
import type { ServerResponse } from 'node:http';
import type { CaptureHub } from '../capture/hub.ts';

/** What answers details: the live hub, or a page of an opened session (session-page.ts). */
export type DetailSource = Pick<CaptureHub, 'messageDetail' | 'pduBytes'>;
import type { PduBytesInfo } from '../../shared/events/live-api.ts';
import { HttpError, sendJson } from './http-json.ts';

function indexOf(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new HttpError(404, `no ${what} ${text}`);
  return Number(text);
}

export function sendMessageDetail(res: ServerResponse, hub: DetailSource, indexText: string): void {
  const detail = hub.messageDetail(indexOf(indexText, 'message'));
  if (!detail) throw new HttpError(404, `no message ${indexText}`);
  sendJson(res, 200, detail);
}

export function sendPduBytes(res: ServerResponse, hub: DetailSource, indexText: string): void {
  const found = hub.pduBytes(indexOf(indexText, 'PDU'));
  if (!found.ok) throw new HttpError(found.status, found.reason);
  const { bytes } = found;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  const body: PduBytesInfo = { index: found.index, offset: found.offset, length: found.length, truncated: found.truncated, hex };
  sendJson(res, 200, body);
}
