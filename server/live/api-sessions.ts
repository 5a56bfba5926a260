/**
 * The sessions API (docs/live-api.md): the recordings and captures of the
 * sessions folder, and an opened one's summary and details.
 *
 *   GET /api/sessions                             SessionList
 *   POST /api/sessions?name=FILE                  the body (a recording, pcap or pcapng) saved in the folder → 201 SessionInfo
 *   GET /api/sessions/:name                       SessionSummary of the file's first page (decoded on the server)
 *   GET /api/sessions/:name/pages/:k              SessionSummary of page k (0-based)
 *   GET /api/sessions/:name[/pages/:k]/messages/:i           DimseMessage (of that page)
 *   GET /api/sessions/:name[/pages/:k]/pdus/:i/bytes         PduBytesInfo (of that page)
 *
 * A page's summary can be tens of MB of JSON: it is written in pieces, never
 * as one string (json-stream.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionList } from '../../shared/events/live-api.ts';
import type { SessionLibrary } from './sessions.ts';
import { HttpError, sendJson } from './http-json.ts';
import { sendMessageDetail, sendPduBytes } from './api-details.ts';
import { sendJsonStream } from './json-stream.ts';

/** `parts`: the path after /api/sessions, decoded. */
export async function sessionsApi(req: IncomingMessage, res: ServerResponse, url: URL, library: SessionLibrary, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'POST' && parts.length === 0) return sendJson(res, 201, await library.save(req, url.searchParams.get('name') ?? ''));
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
  if (parts.length === 0) {
    const body: SessionList = { dir: library.dir, sessions: await library.list() };
    return sendJson(res, 200, body);
  }
  const [name, ...rest] = parts;
  const session = await library.open(name);
  let k = 0;
  if (rest[0] === 'pages') {
    if (rest.length < 2 || !/^\d+$/.test(rest[1])) throw new HttpError(404, `no API /api/sessions/${parts.join('/')}`);
    k = Number(rest[1]);
    rest.splice(0, 2);
  }
  const page = await session.page(k);
  const [kind, index, bytes] = rest;
  if (rest.length === 0) return sendJsonStream(res, 200, page.summary);
  if (kind === 'messages' && rest.length === 2) return sendMessageDetail(res, page, index);
  if (kind === 'pdus' && bytes === 'bytes' && rest.length === 3) return sendPduBytes(res, page, index);
  throw new HttpError(404, `no API /api/sessions/${parts.join('/')}`);
}
