/**
 * The proxy's routes while `pacscope serve` runs (docs/live-api.md): list
 * them with their counters, add one, remove one. Proxied traffic goes
 * through the serve's capture hub, so it draws live like the rest.
 *
 *   GET    /api/routes              ProxyRouteInfo[]
 *   POST   /api/routes              {route: "LISTEN=UPSTREAM"} → 201 ProxyRouteInfo
 *   DELETE /api/routes/:listen      204 (its open connections are closed)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Proxy } from '../proxy/proxy.ts';
import { HttpError, readJsonObject, sendJson, stringField } from './http-json.ts';

export async function routesApi(req: IncomingMessage, res: ServerResponse, proxy: Proxy, parts: string[]): Promise<void> {
  const method = req.method ?? 'GET';
  if (parts.length === 0 && (method === 'GET' || method === 'HEAD')) return sendJson(res, 200, proxy.list());
  if (parts.length === 0 && method === 'POST') {
    const spec = stringField(await readJsonObject(req), 'route', true).trim();
    try {
      return sendJson(res, 201, await proxy.add(spec));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new HttpError(409, `address in use: ${spec.split('=')[0]}`);
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') throw new HttpError(400, `cannot listen on ${spec.split('=')[0]}: ${err.code}`);
      throw new HttpError(400, err.message);
    }
  }
  if (parts.length === 1 && method === 'DELETE') {
    if (!(await proxy.remove(parts[0], { closeConnections: true }))) throw new HttpError(404, `no route listening on ${parts[0]}`);
    res.writeHead(204).end();
    return;
  }
  throw new HttpError(405, `${method} is not allowed on /api/routes${parts.length ? `/${parts.join('/')}` : ''}`);
}
