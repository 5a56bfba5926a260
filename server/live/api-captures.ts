/**
 * The live captures of `pacscope serve` (docs/live-api.md): list them with
 * their counters, start one on an interface, stop one. Captured traffic goes
 * through the serve's capture hub, so it draws live like the rest.
 *
 *   GET    /api/captures               CaptureInfo[] (running first, then ended ones)
 *   GET    /api/captures/interfaces    {interfaces: string[] | null} (dumpcap -D)
 *   POST   /api/captures               {interface, filter?} → 201 CaptureInfo (400 with what to do)
 *   DELETE /api/captures/:id           200 CaptureInfo, final (dumpcap's drops); 404 when none runs
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptureRegistry } from '../sources/capture-registry.ts';
import { CaptureError, listInterfaces } from '../sources/dumpcap-problems.ts';
import { dumpcapCommand } from '../sources/dumpcap-process.ts';
import { HttpError, readJsonObject, sendJson, stringField } from './http-json.ts';

export async function capturesApi(req: IncomingMessage, res: ServerResponse, captures: CaptureRegistry, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  if (parts.length === 0 && reading) return sendJson(res, 200, captures.list());
  if (parts.length === 1 && parts[0] === 'interfaces' && reading) return sendJson(res, 200, { interfaces: await listInterfaces(dumpcapCommand()) });
  if (parts.length === 0 && method === 'POST') {
    const body = await readJsonObject(req);
    try {
      return sendJson(res, 201, await captures.start({ interface: stringField(body, 'interface', true), filter: stringField(body, 'filter') }));
    } catch (e) {
      if (e instanceof CaptureError) throw new HttpError(400, e.message);
      throw e;
    }
  }
  if (parts.length === 1 && method === 'DELETE') {
    const info = await captures.stop(parts[0]);
    if (!info) throw new HttpError(404, `no capture ${parts[0]} runs`);
    return sendJson(res, 200, info);
  }
  throw new HttpError(405, `${method} is not allowed on /api/captures${parts.length ? `/${parts.join('/')}` : ''}`);
}
