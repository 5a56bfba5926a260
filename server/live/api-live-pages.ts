/**
 * The pages of the live session (docs/live-api.md, "The live window"): the
 * hub keeps the last one or two in memory (the window the WebSocket stream
 * sends); the earlier ones are read back from the recording here, and the
 * details of any message of any page are served, as for an opened session.
 *
 *   GET /api/live/pages/:k                      SessionSummary of closed page k (404 for the page being filled, 410 with --no-record)
 *   GET /api/live/pages/:k/messages/:i          DimseMessage: message i of page k (i counted from the page's first message)
 *   GET /api/live/pages/:k/pdus/:i/bytes        PduBytesInfo: PDU i of page k
 *
 * Indices of the window's snapshot are those of its first page: the UI asks
 * for `/api/live/pages/<window.page>/messages/<i>`, which stays right even
 * after the window has moved on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptureHub } from '../capture/hub.ts';
import { LivePageError } from '../capture/recorded-page.ts';
import { HttpError } from './http-json.ts';
import { liveDetails, sendMessageDetail, sendPduBytes } from './api-details.ts';
import { sendJsonStream } from './json-stream.ts';

/** `parts`: the path after /api/live, decoded. */
export async function livePagesApi(req: IncomingMessage, res: ServerResponse, hub: CaptureHub, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  const [pages, k, kind, index, bytes] = parts;
  if (pages !== 'pages' || k === undefined || !/^\d+$/.test(k)) throw new HttpError(404, `no API /api/live/${parts.join('/')}`);
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on /api/live/${parts.join('/')}`);
  const page = Number(k);
  if (parts.length === 2) {
    try {
      return await sendJsonStream(res, 200, (await hub.pages.page(page)).summary);
    } catch (e) {
      if (e instanceof LivePageError) throw new HttpError(e.status, e.message);
      throw e;
    }
  }
  const first = hub.window.firstOf(page);
  if (first === null) throw new HttpError(404, `no page ${page} in the live session (it has ${hub.window.pages.length + 1})`);
  if (kind === 'messages' && parts.length === 4) return sendMessageDetail(res, liveDetails(hub, first), index);
  if (kind === 'pdus' && bytes === 'bytes' && parts.length === 5) return sendPduBytes(res, liveDetails(hub, first), index);
  throw new HttpError(404, `no API /api/live/${parts.join('/')}`);
}
