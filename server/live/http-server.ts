/**
 * The HTTP server of `pacscope serve` (issue 4, docs/live-api.md): the built
 * UI, the live WebSocket stream, message details on demand, the operations
 * API and the built-in PACS's settings, behind the checks of security.ts.
 *
 *   const live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs, endpoints, getDir, token: null, webRoot });
 *   live.url        http://127.0.0.1:PORT/
 *   await live.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CaptureHub } from '../capture/hub.ts';
import type { RunningPacs } from '../endpoints/pacs/pacs.ts';
import type { EndpointInfo } from '../../shared/events/live-messages.ts';
import type { StatusInfo } from '../../shared/events/live-api.ts';
import { VERSION } from '../version.ts';
import { hostProblem, originProblem, tokenProblem, type AccessPolicy } from './security.ts';
import { HttpError, readJsonObject, sendError, sendJson } from './http-json.ts';
import { LiveOperations } from './api-operations.ts';
import { pacsSettings, updatePacs } from './api-pacs.ts';
import { serveStatic } from './static.ts';
import { liveDetails, sendMessageDetail, sendPduBytes } from './api-details.ts';
import { livePagesApi } from './api-live-pages.ts';
import { sessionsApi } from './api-sessions.ts';
import type { SessionLibrary } from './sessions.ts';
import type { UploadStore } from './uploads.ts';
import { ScenarioRuns, scenariosApi } from './api-scenarios.ts';
import { DoctorRuns } from './api-doctor.ts';
import { routesApi } from './api-routes.ts';
import type { Proxy } from '../proxy/proxy.ts';
import { LiveStream } from './ws.ts';
import { capturesApi } from './api-captures.ts';
import type { CaptureRegistry } from '../sources/capture-registry.ts';

export interface LiveServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  hub: CaptureHub;
  /** The built-in PACS whose settings /api/pacs shows and edits; null: none (404). */
  pacs: RunningPacs | null;
  /** The DICOM endpoints this process runs, as they are now. */
  endpoints: () => EndpointInfo[];
  /** Where C-GET operations write their instances. */
  getDir: string;
  /** The sessions folder (GET /api/sessions…); null: none. */
  sessions?: SessionLibrary | null;
  /** Files uploaded for C-STORE operations (POST /api/uploads); null: none. */
  uploads?: UploadStore | null;
  /** Required on every /api request when set (non-loopback binds). */
  token: string | null;
  /** The store SCP the doctor (POST /api/doctor) moves to by default; null or absent: none. */
  doctorStoreScp?: { ae: string; host: string; port: number } | null;
  /** The built UI (web/dist). */
  webRoot: string;
  /** The proxy whose routes /api/routes lists and edits; null or absent: none (404). */
  proxy?: Proxy | null;
  /** The live captures /api/captures lists, starts and stops; null or absent: none (404). */
  captures?: CaptureRegistry | null;
  /** `open`: `pacscope open FILE` (nothing live runs here; the UI hides what acts on a live session). Default `serve`. */
  mode?: 'serve' | 'open';
  /** The session of the sessions folder the page shows when its address names none (`pacscope open FILE`: FILE). */
  home?: string;
}

export interface RunningLiveServer {
  readonly host: string;
  readonly port: number;
  /** The page's address (with ?token= when one is required). */
  readonly url: string;
  readonly stream: LiveStream;
  readonly operations: LiveOperations;
  readonly scenarios: ScenarioRuns;
  close(): Promise<void>;
}

export async function startLiveServer(o: LiveServerOptions): Promise<RunningLiveServer> {
  const policy: AccessPolicy = { host: o.host, port: o.port, token: o.token };
  const stream = new LiveStream(o.hub, o.endpoints);
  const operations = new LiveOperations(o.hub, o.getDir, o.uploads ?? null);
  const scenarios = new ScenarioRuns(o.hub);
  const doctor = new DoctorRuns(o.hub, () => o.doctorStoreScp ?? null);
  const started = new Date().toISOString();

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent); // after "api"
    } catch {
      throw new HttpError(400, `bad path ${url.pathname}`);
    }
    const method = req.method ?? 'GET';
    if (parts[0] === 'scenarios') return scenariosApi(req, res, scenarios, parts.slice(1));
    if (parts[0] === 'routes') {
      if (!o.proxy) throw new HttpError(404, 'no proxy runs here');
      return routesApi(req, res, o.proxy, parts.slice(1));
    }
    if (parts[0] === 'captures') {
      if (!o.captures) throw new HttpError(404, 'no live capture runs here');
      return capturesApi(req, res, o.captures, parts.slice(1));
    }
    if (parts[0] === 'live' && parts.length > 1) return livePagesApi(req, res, o.hub, parts.slice(1));
    if (parts[0] === 'sessions') {
      if (!o.sessions) throw new HttpError(404, 'this server has no sessions folder');
      return sessionsApi(req, res, url, o.sessions, parts.slice(1));
    }
    const route = `${method} /${parts.map((p, i) => (i === 1 && parts[0] !== 'live' ? ':id' : p)).join('/')}`;
    switch (route) {
      case 'GET /status':
        return sendJson(res, 200, {
          product: 'pacscope',
          version: VERSION,
          started,
          endpoints: o.endpoints(),
          mode: o.mode ?? 'serve',
          features: { pacs: o.pacs !== null, routes: !!o.proxy, uploads: !!o.uploads, sessions: !!o.sessions, captures: !!o.captures },
        } satisfies StatusInfo);
      case 'GET /messages/:id':
        return sendMessageDetail(res, liveDetails(o.hub), parts[1]);
      case 'GET /pdus/:id/bytes':
        return sendPduBytes(res, liveDetails(o.hub), parts[1]);
      case 'POST /uploads':
        if (!o.uploads) throw new HttpError(404, 'this server takes no uploads');
        return sendJson(res, 201, await o.uploads.receive(req, url.searchParams.get('name') ?? ''));
      case 'POST /operations':
        return sendJson(res, 201, { id: operations.start(await readJsonObject(req)).id });
      case 'GET /operations/:id': {
        const op = operations.get(parts[1]);
        if (!op) throw new HttpError(404, `no operation ${parts[1]}`);
        return sendJson(res, 200, op);
      }
      case 'POST /operations/:id/cancel':
        if (!operations.cancel(parts[1])) throw new HttpError(404, `no operation ${parts[1]}`);
        return sendJson(res, 202, { id: parts[1], cancel: 'requested' });
      case 'POST /doctor':
        return sendJson(res, 201, { id: doctor.start(await readJsonObject(req)).id });
      case 'GET /doctor':
        return sendJson(res, 200, doctor.list());
      case 'GET /doctor/:id': {
        const run = doctor.get(parts[1]);
        if (!run) throw new HttpError(404, `no doctor run ${parts[1]}`);
        return sendJson(res, 200, run);
      }
      case 'GET /pacs':
        if (!o.pacs) throw new HttpError(404, 'no built-in PACS runs here');
        return sendJson(res, 200, pacsSettings(o.pacs));
      case 'PUT /pacs': {
        if (!o.pacs) throw new HttpError(404, 'no built-in PACS runs here');
        const view = updatePacs(o.pacs, await readJsonObject(req));
        stream.endpointsChanged();
        return sendJson(res, 200, view);
      }
      case 'GET /live':
        throw new HttpError(426, '/api/live is a WebSocket: connect with Upgrade: websocket');
      default: {
        const known = ['/status', '/messages/:id', '/pdus/:id/bytes', '/uploads', '/operations', '/operations/:id', '/operations/:id/cancel', '/pacs', '/live', '/doctor', '/doctor/:id'];
        const path = route.slice(route.indexOf(' ') + 1);
        if (known.includes(path)) throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
        throw new HttpError(404, `no API ${url.pathname}`);
      }
    }
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hostBad = hostProblem(req, policy);
    if (hostBad) return sendError(res, 421, hostBad);
    if (!url.pathname.startsWith('/api/') && url.pathname !== '/api') {
      // The bare address of `pacscope open FILE` (typed, or a bookmark) shows FILE, as the address it printed does.
      if (o.home && url.pathname === '/' && !url.searchParams.has('session') && (req.method === 'GET' || req.method === 'HEAD')) {
        url.searchParams.set('session', o.home);
        res.writeHead(302, { Location: `/${url.search}` }).end();
        return;
      }
      if (await serveStatic(o.webRoot, url.pathname, req, res)) return;
      return sendError(res, 405, `${req.method} is not allowed here`);
    }
    const tokenBad = tokenProblem(req, url, policy);
    if (tokenBad) return sendError(res, 401, tokenBad);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const originBad = originProblem(req, policy);
      if (originBad) return sendError(res, 403, originBad);
    }
    await api(req, res, url);
  };

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof HttpError) sendError(res, e.status, e.message);
      else sendError(res, 500, e instanceof Error ? e.message : String(e));
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string, reason: string) => {
      const body = JSON.stringify({ error: reason });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => socket.destroy());
    if (url.pathname !== '/api/live') return refuse(404, 'Not Found', `no WebSocket at ${url.pathname}`);
    const bad = hostProblem(req, policy) ?? originProblem(req, policy);
    if (bad) return refuse(403, 'Forbidden', bad);
    const tokenBad = tokenProblem(req, url, policy);
    if (tokenBad) return refuse(401, 'Unauthorized', tokenBad);
    stream.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  policy.port = typeof address === 'object' && address ? address.port : o.port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shownHost}:${policy.port}/${o.token ? `?token=${encodeURIComponent(o.token)}` : ''}`;

  return {
    host: o.host,
    port: policy.port,
    url,
    stream,
    operations,
    scenarios,
    close: async () => {
      stream.close();
      await operations.close();
      await scenarios.close();
      await doctor.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
