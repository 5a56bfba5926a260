/**
 * The sessions API (docs/live-api.md): the recordings and captures of the
 * sessions folder, and an opened one's summary and details.
 *
 *   GET /api/sessions                             SessionList
 *   POST /api/sessions?name=FILE                  the body (a recording, pcap or pcapng) saved in the folder → 201 SessionInfo
 *   GET /api/sessions/:name                       Summary of the file (decoded on the server)
 *   GET /api/sessions/:name/messages/:i           DimseMessage
 *   GET /api/sessions/:name/pdus/:i/bytes         PduBytesInfo
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionList } from '../../shared/events/live-api.ts';
import type { SessionLibrary } from './sessions.ts';
import { HttpError, sendJson } from './http-json.ts';
import { sendMessageDetail, sendPduBytes } from './api-details.ts';

/** `parts`: the path after /api/sessions, decoded. */
export async function sessionsApi(req: IncomingMessage, res: ServerResponse, url: URL, library: SessionLibrary, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'POST' && parts.length === 0) return sendJson(res, 201, await library.save(req, url.searchParams.get('name') ?? ''));
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
  if (parts.length === 0) {
    const body: SessionList = { dir: library.dir, sessions: await library.list() };
    return sendJson(res, 200, body);
  }
  const [name, kind, index, bytes] = parts;
  const session = await library.open(name);
  if (parts.length === 1) return sendJson(res, 200, session.summary);
  if (kind === 'messages' && parts.length === 3) return sendMessageDetail(res, session.hub, index);
  if (kind === 'pdus' && bytes === 'bytes' && parts.length === 4) return sendPduBytes(res, session.hub, index);
  throw new HttpError(404, `no API /api/sessions/${parts.join('/')}`);
}
