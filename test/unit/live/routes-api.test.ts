/**
 * Proxy routes edited while the server runs (issue 5 §1, GET/POST/DELETE
 * /api/routes): a route added over HTTP relays a C-ECHO to the built-in PACS,
 * counted on the route and seen once in the live hub; bad routes are refused
 * with the reason; removing it stops the listener; Origin is checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from '../../../server/dimse/library.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { startPacs, type RunningPacs } from '../../../server/endpoints/pacs/pacs.ts';
import { startLiveServer, type RunningLiveServer } from '../../../server/live/http-server.ts';
import { Proxy } from '../../../server/proxy/proxy.ts';
import { cEcho } from '../../../server/endpoints/scu/echo.ts';
import type { ProxyRouteInfo } from '../../../shared/events/live-api.ts';

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function start(): Promise<{ hub: CaptureHub; pacs: RunningPacs; live: RunningLiveServer; base: string }> {
  dimse.log.setLevel('silent');
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-routes-'));
  const hub = await CaptureHub.open({ source: { kind: 'test', description: 'routes api' } });
  const pacs = await startPacs({ ae: 'ROUTEPACS', host: '127.0.0.1', port: 0, dataDir: join(dir, 'pacs'), destinations: new Map(), moveMode: 'sync', aePolicy: 'any', knownCallers: [], subOperationDelayMs: 0 }, hub);
  const proxy = new Proxy({ capture: hub });
  const live = await startLiveServer({ host: '127.0.0.1', port: 0, hub, pacs, endpoints: () => [], getDir: join(dir, 'get'), token: null, webRoot: join(dir, 'no-ui'), proxy });
  stop = async () => {
    await proxy.close();
    await live.close();
    await pacs.close();
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { hub, pacs, live, base: `http://127.0.0.1:${live.port}` };
}

describe('/api/routes', () => {
  it('adds a route that relays and is captured once, lists its counters, removes it', async () => {
    const { hub, pacs, base } = await start();
    const post = (body: unknown, origin = base) => fetch(`${base}/api/routes`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });
    const added = await post({ route: `127.0.0.1:0=127.0.0.1:${pacs.port}` });
    expect(added.status).toBe(201);
    const route = (await added.json()) as ProxyRouteInfo;
    expect(route.upstream).toBe(`127.0.0.1:${pacs.port}`);
    const listenPort = Number(route.listen.split(':').at(-1));
    expect(listenPort).toBeGreaterThan(0);

    const echo = await cEcho({ host: '127.0.0.1', port: listenPort, callingAeTitle: 'VIAPROXY', calledAeTitle: 'ROUTEPACS' }, hub);
    expect(echo.outcome).toBe('success');
    const end = Date.now() + 5000;
    while (hub.summary().associations.some((a) => a.outcome === 'open') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    // One association, though three taps saw it (SCU, proxy, PACS).
    expect(hub.summary().associations.map((a) => [a.requestor.ae, a.acceptor.ae, a.outcome])).toEqual([['VIAPROXY', 'ROUTEPACS', 'released']]);
    const list = (await (await fetch(`${base}/api/routes`)).json()) as ProxyRouteInfo[];
    expect(list).toHaveLength(1);
    expect(list[0].counters).toMatchObject({ connections: 1, refused: 0 });
    expect(list[0].counters.bytesToUpstream).toBeGreaterThan(0);

    expect((await post({ route: 'nonsense' })).status).toBe(400);
    expect((await post({ route: `10.1.2.3:4243=127.0.0.1:${pacs.port}` })).status).toBe(400);
    expect((await post({ route: `${route.listen}=127.0.0.1:${pacs.port}` })).status).toBeGreaterThanOrEqual(400);
    expect((await post({ route: `127.0.0.1:0=127.0.0.1:${pacs.port}` }, 'http://evil.example')).status).toBe(403);

    const del = await fetch(`${base}/api/routes/${encodeURIComponent(route.listen)}`, { method: 'DELETE', headers: { origin: base } });
    expect(del.status).toBe(204);
    expect(await (await fetch(`${base}/api/routes`)).json()).toEqual([]);
    expect((await fetch(`${base}/api/routes/${encodeURIComponent(route.listen)}`, { method: 'DELETE', headers: { origin: base } })).status).toBe(404);
    const refused = await cEcho({ host: '127.0.0.1', port: listenPort, callingAeTitle: 'VIAPROXY', calledAeTitle: 'ROUTEPACS', timeoutMs: 3000 }, hub);
    expect(refused.outcome).toBe('refused');
  });
});
