/**
 * Details on demand from the live capture hub or a page of an opened session
 * (sessions.ts): a message's full decode and a PDU's bytes as hex.
 *
 *   GET …/messages/:i      the DimseMessage behind summary.messages[i]
 *   GET …/pdus/:i/bytes    PduBytesInfo (at most 64 KiB of the PDU)
 *
 * The live session's details (liveDetails) come from the hub's window, or
 * from its page read back from the recording for a message the window no
 * longer holds (server/capture/recorded-page.ts): any message the UI shows
 * can be inspected.
 */
import type { ServerResponse } from 'node:http';
import type { CaptureHub, PduBytes } from '../capture/hub.ts';
import type { DimseMessage } from '../../shared/dimse/types.ts';
import type { PduBytesInfo } from '../../shared/events/live-api.ts';
import { LivePageError } from '../capture/recorded-page.ts';
import { HttpError, sendJson } from './http-json.ts';

/** What answers details: a page of an opened session (session-page.ts), or the live session (`liveDetails`). */
export interface DetailSource {
  messageDetail(index: number): DimseMessage | null | Promise<DimseMessage | null>;
  pduBytes(index: number): PduBytes | Promise<PduBytes>;
}

function indexOf(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new HttpError(404, `no ${what} ${text}`);
  return Number(text);
}

/** A page read back that cannot be: its status and why. */
async function orHttpError<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof LivePageError) throw new HttpError(e.status, e.message);
    throw e;
  }
}

/**
 * The live session's details, indices counted from message `base.message`
 * and PDU `base.pdu` of the session (the first of a live page; 0: the
 * session's own indices).
 */
export function liveDetails(hub: CaptureHub, base: { message: number; pdu: number } = { message: 0, pdu: 0 }): DetailSource {
  return {
    messageDetail: async (i) => hub.messageDetail(base.message + i) ?? orHttpError(hub.pages.messageDetail(base.message + i)),
    pduBytes: async (i) => {
      const held = hub.pduBytes(base.pdu + i);
      const found = held.ok ? held : ((await orHttpError(hub.pages.pduBytes(base.pdu + i, 64 * 1024))) ?? held);
      return found.ok ? { ...found, index: i } : found;
    },
  };
}

export async function sendMessageDetail(res: ServerResponse, source: DetailSource, indexText: string): Promise<void> {
  const detail = await source.messageDetail(indexOf(indexText, 'message'));
  if (!detail) throw new HttpError(404, `no message ${indexText}`);
  sendJson(res, 200, detail);
}

export async function sendPduBytes(res: ServerResponse, source: DetailSource, indexText: string): Promise<void> {
  const found = await source.pduBytes(indexOf(indexText, 'PDU'));
  if (!found.ok) throw new HttpError(found.status, found.reason);
  const { bytes } = found;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  const body: PduBytesInfo = { index: found.index, offset: found.offset, length: found.length, truncated: found.truncated, hex };
  sendJson(res, 200, body);
}
