/**
 * The live server over real sockets: snapshot then live over a WebSocket
 * client, the Origin and Host checks, the access token, message details, the
 * operations API and the PACS settings API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { studyUid } from '../../../server/endpoints/pacs/synthetic-studies.ts';
import { cEcho } from '../../../server/endpoints/scu/echo.ts';
import { LIVE_PROTOCOL_VERSION, type LiveDelta, type LiveServerMessage } from '../../../shared/events/live-messages.ts';
import { unpackSnapshot } from '../../../shared/events/live-snapshot.ts';
import { LiveClient, startLiveFixture, type LiveFixture } from './live-fixture.ts';
import { commandOf } from '../../../shared/dimse/message-words.ts';

let fx: LiveFixture | null = null;
const clients: LiveClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fx?.stop();
  fx = null;
});

async function connect(url: string, headers: Record<string, string> = {}): Promise<LiveClient> {
  const c = await LiveClient.connect(url, headers);
  clients.push(c);
  return c;
}

const echoTo = (f: LiveFixture, calling: string) => cEcho({ host: '127.0.0.1', port: f.pacs.port, callingAeTitle: calling, calledAeTitle: f.pacs.ae }, f.hub);
const deltas = (ms: LiveServerMessage[]) => ms.filter((m): m is Extract<LiveServerMessage, { type: 'delta' }> => m.type === 'delta');
const commands = (ds: LiveDelta[]) => ds.flatMap((d) => (d.type === 'message' ? [commandOf(d.message)] : []));

describe('live WebSocket stream', () => {
  it('sends a late client the session so far, then every delta in order', async () => {
    fx = await startLiveFixture();
    expect((await echoTo(fx, 'EARLY')).ok).toBe(true);
    const late = await connect(`ws://127.0.0.1:${fx.live.port}/api/live`);
    await late.until((m) => m.length >= 1);
    const snap = late.messages[0];
    if (snap.type !== 'snapshot') throw new Error(`first message is ${snap.type}`);
    expect(snap.version).toBe(LIVE_PROTOCOL_VERSION);
    expect(snap.seq).toBe(fx.hub.sequence);
    const summary = unpackSnapshot(snap.summary);
    expect(summary.messages).toEqual(fx.hub.summary().messages);
    expect(summary.messages.map((m) => commandOf(m))).toEqual(['C-ECHO-RQ', 'C-ECHO-RSP']);
    // PDUs only on request: counted, not sent.
    expect(summary.pdus).toEqual([]);
    expect(snap.summary.pduCount).toBe(fx.hub.summary().pdus.length);
    expect(snap.summary.associations[0]).toMatchObject({ outcome: 'released', requestor: { ae: 'EARLY' }, acceptor: { ae: 'LIVEPACS' } });
    expect(snap.endpoints[0]).toMatchObject({ role: 'pacs', ae: 'LIVEPACS', port: fx.pacs.port });

    expect((await echoTo(fx, 'LATER')).ok).toBe(true);
    await late.until((m) => commands(deltas(m).map((d) => d.delta)).includes('C-ECHO-RSP'));
    await late.until((m) => deltas(m).some((d) => d.delta.type === 'association' && d.delta.association.outcome === 'released'));
    const live = deltas(late.messages);
    // Numbered from the snapshot's seq on, without gaps or repeats.
    expect(live.map((d) => d.seq)).toEqual(live.map((_, i) => snap.seq + 1 + i));
    const msgs = live.flatMap((d) => (d.delta.type === 'message' ? [d.delta] : []));
    expect(msgs.map((d) => [d.index, commandOf(d.message)])).toEqual([
      [2, 'C-ECHO-RQ'],
      [3, 'C-ECHO-RSP'],
    ]);
    const assoc = live.flatMap((d) => (d.delta.type === 'association' ? [d.delta.association] : []));
    expect(assoc.at(-1)).toMatchObject({ requestor: { ae: 'LATER' }, outcome: 'released' });
    expect(assoc.every((a) => a.id !== snap.summary.associations[0].id)).toBe(true);

    // A client that connects now sees both associations in its snapshot.
    const again = await connect(`ws://127.0.0.1:${fx.live.port}/api/live`);
    await again.until((m) => m.length >= 1);
    const snap2 = again.messages[0];
    if (snap2.type !== 'snapshot') throw new Error('no snapshot');
    expect(snap2.seq).toBe(live.at(-1)!.seq);
    expect(unpackSnapshot(snap2.summary).messages).toHaveLength(4);
  });

  it('sends the PDUs once asked, lined up with the deltas before and after them', async () => {
    fx = await startLiveFixture();
    expect((await echoTo(fx, 'BEFORE')).ok).toBe(true);
    const c = await connect(`ws://127.0.0.1:${fx.live.port}/api/live`);
    await c.until((m) => m.length >= 1);
    const snap = c.messages[0];
    if (snap.type !== 'snapshot') throw new Error('no snapshot');
    // Garbage is ignored; the request is answered while another association's deltas stream.
    c.ws.send('not json');
    c.ws.send(JSON.stringify({ type: 'dance' }));
    const during = echoTo(fx, 'DURING');
    await new Promise((r) => setTimeout(r, 5));
    c.ws.send(JSON.stringify({ type: 'pdus' }));
    c.ws.send(JSON.stringify({ type: 'pdus' })); // once per connection: the second is ignored
    expect((await during).ok).toBe(true);
    expect((await echoTo(fx, 'AFTER')).ok).toBe(true);
    const total = fx.hub.summary().pdus.length;
    await c.until((m) => m.some((x) => x.type === 'pdus') && deltas(m).some((d) => d.seq === fx!.hub.sequence));
    const replies = c.messages.filter((m): m is Extract<LiveServerMessage, { type: 'pdus' }> => m.type === 'pdus');
    expect(replies).toHaveLength(1);
    const reply = replies[0];
    const list = reply.pdus;
    // What a browser does: the list as of reply.seq, then the 'pdu' deltas numbered after it.
    const pduDeltas = deltas(c.messages).flatMap((d) => (d.delta.type === 'pdu' ? [{ seq: d.seq, ...d.delta }] : []));
    expect(pduDeltas.filter((d) => d.seq <= reply.seq).every((d) => d.index < list.length)).toBe(true);
    const later = pduDeltas.filter((d) => d.seq > reply.seq);
    expect(later.map((d) => d.index)).toEqual(later.map((_, i) => list.length + i));
    expect([...list, ...later.map((d) => d.pdu)]).toEqual(fx.hub.summary().pdus);
    expect(list.length + later.length).toBe(total);
    expect(c.ws.readyState).toBe(1);
  });

  it('tells clients when the PACS settings change', async () => {
    fx = await startLiveFixture();
    const c = await connect(`ws://127.0.0.1:${fx.live.port}/api/live`, { origin: `http://127.0.0.1:${fx.live.port}` });
    await c.until((m) => m.length >= 1);
    const r = await fetch(`${fx.base}/api/pacs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ moveMode: 'async' }) });
    expect(r.status).toBe(200);
    await c.until((m) => m.some((x) => x.type === 'endpoints'));
    const ep = c.messages.find((x) => x.type === 'endpoints');
    expect(ep).toMatchObject({ type: 'endpoints', endpoints: [{ role: 'pacs', moveMode: 'async' }] });
  });
});

describe('security', () => {
  it('refuses a foreign Origin on the WebSocket and on state-changing requests', async () => {
    fx = await startLiveFixture();
    const own = `http://localhost:${fx.live.port}`;
    await expect(LiveClient.connect(`ws://127.0.0.1:${fx.live.port}/api/live`, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(LiveClient.connect(`ws://127.0.0.1:${fx.live.port}/api/live`, { origin: `http://127.0.0.1:${fx.live.port + 1}` })).rejects.toThrow('HTTP 403');
    expect((await connect(`ws://127.0.0.1:${fx.live.port}/api/live`, { origin: own })).ws.readyState).toBe(1);

    const put = (origin: string) => fetch(`${fx!.base}/api/pacs`, { method: 'PUT', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ aePolicy: 'called' }) });
    const foreign = await put('http://evil.example');
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toMatch(/origin http:\/\/evil\.example is not this server/);
    expect(fx.pacs.aePolicy).toBe('any');
    const post = await fetch(`${fx.base}/api/operations`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' });
    expect(post.status).toBe(403);
    expect((await put(own)).status).toBe(200);
    expect(fx.pacs.aePolicy).toBe('called');
  });

  it('answers only loopback Host names on a loopback bind (DNS rebinding)', async () => {
    fx = await startLiveFixture();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: fx!.live.port, path: '/api/status', headers: { host: `rebind.example:${fx!.live.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${fx.base}/api/status`)).status).toBe(200);
  });

  it('requires the access token on every /api request and the WebSocket when one is set', async () => {
    fx = await startLiveFixture({ token: 'tok-123' });
    expect(fx.live.url).toMatch(/\?token=tok-123$/);
    const none = await fetch(`${fx.base}/api/status`);
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatch(/access token required/);
    expect((await fetch(`${fx.base}/api/status?token=wrong`)).status).toBe(401);
    expect((await fetch(`${fx.base}/api/status?token=tok-123`)).status).toBe(200);
    expect((await fetch(`${fx.base}/api/pacs`, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
    await expect(LiveClient.connect(`ws://127.0.0.1:${fx.live.port}/api/live`)).rejects.toThrow('HTTP 401');
    const c = await connect(`ws://127.0.0.1:${fx.live.port}/api/live?token=tok-123`);
    await c.until((m) => m[0]?.type === 'snapshot');
  });
});

describe('HTTP API', () => {
  it('runs operations and serves message details', async () => {
    fx = await startLiveFixture();
    const post = (body: unknown) => fetch(`${fx!.base}/api/operations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const target = { host: '127.0.0.1', port: fx.pacs.port, callingAeTitle: 'UI', calledAeTitle: 'LIVEPACS' };
    const echo = await post({ op: 'echo', ...target });
    expect(echo.status).toBe(201);
    const { id } = (await echo.json()) as { id: string };
    expect(await fx.live.operations.settled(id)).toMatchObject({ id, op: 'echo', state: 'done', result: { ok: true, outcome: 'success' } });
    const view = await (await fetch(`${fx.base}/api/operations/${id}`)).json();
    expect(view).toMatchObject({ state: 'done', result: { outcome: 'success', status: 0 } });

    const find = await post({ op: 'find', ...target, level: 'STUDY', keys: { PatientName: '', StudyInstanceUID: '' } });
    const fid = ((await find.json()) as { id: string }).id;
    const found = await fx.live.operations.settled(fid);
    expect(found?.result?.outcome).toBe('success');
    expect(found?.matches?.length).toBeGreaterThan(0);
    expect(found?.matches?.[0]).toHaveProperty('StudyInstanceUID');

    const detail = await fetch(`${fx.base}/api/messages/0`);
    expect(detail.status).toBe(200);
    const msg = (await detail.json()) as { commandElements: { keyword: string }[] };
    expect(msg.commandElements.map((e) => e.keyword)).toContain('CommandField');
    expect((await fetch(`${fx.base}/api/messages/99999`)).status).toBe(404);
    expect((await fetch(`${fx.base}/api/operations/nope`)).status).toBe(404);
    expect((await fetch(`${fx.base}/api/operations/nope/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it('explains bad input with a 4xx and {error}', async () => {
    fx = await startLiveFixture();
    const post = (body: string, type = 'application/json') => fetch(`${fx!.base}/api/operations`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases: [Response, number, RegExp][] = [
      [await post('{'), 400, /not JSON/],
      [await post('{}', 'text/plain'), 415, /application\/json/],
      [await post(JSON.stringify({ op: 'dance' })), 400, /"op" must be one of/],
      [await post(JSON.stringify({ op: 'echo', host: '127.0.0.1', port: 70000, callingAeTitle: 'A', calledAeTitle: 'B' })), 400, /"port" must be an integer/],
      [await post(JSON.stringify({ op: 'find', host: '127.0.0.1', port: 104, callingAeTitle: 'A', calledAeTitle: 'B', keys: { NoSuchKeyword: 'x' } })), 400, /not a keyword/],
      [await post(JSON.stringify({ op: 'move', host: '127.0.0.1', port: 104, callingAeTitle: 'A', calledAeTitle: 'B' })), 400, /"destination" is required/],
      [await fetch(`${fx.base}/api/pacs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ moveMode: 'sometimes', aePolicy: 'known' }) }), 400, /move mode must be sync or async/],
      [await fetch(`${fx.base}/api/pacs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destinations: { X: 'nohost' } }) }), 400, /./],
      [await fetch(`${fx.base}/api/nothing`), 404, /no API/],
      [await fetch(`${fx.base}/api/pacs`, { method: 'DELETE' }), 405, /not allowed/],
    ];
    for (const [res, status, re] of cases) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(re);
    }
    expect(fx.pacs.aePolicy).toBe('any'); // the bad PUT changed nothing

    const ok = await fetch(`${fx.base}/api/pacs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destinations: { VIEWER: '127.0.0.1:4242' } }) });
    expect(await ok.json()).toMatchObject({ ae: 'LIVEPACS', destinations: { VIEWER: '127.0.0.1:4242' } });
    expect([...fx.pacs.destinations.keys()]).toEqual(['VIEWER']);
  });
});

describe('the UI files', () => {
  it('serves web/dist, falls back to index.html for routes, and stays inside the folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pacscope-webroot-'));
    try {
      await mkdir(join(root, 'assets'));
      await writeFile(join(root, 'index.html'), '<!doctype html><title>ui</title>');
      await writeFile(join(root, 'assets', 'app-1.js'), 'console.log(1)');
      fx = await startLiveFixture({ webRoot: root });
      const index = await fetch(`${fx.base}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await index.text()).toContain('<title>ui</title>');
      const js = await fetch(`${fx.base}/assets/app-1.js`);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(await (await fetch(`${fx.base}/sessions/3`)).text()).toContain('<title>ui</title>');
      expect((await fetch(`${fx.base}/assets/missing.js`)).status).toBe(404);
      // Dot segments are resolved within the site; encoded slashes cannot climb out of the folder.
      expect(await (await fetch(`${fx.base}/%2e%2e/%2e%2e/etc/passwd`)).text()).not.toContain('root:');
      expect(await (await fetch(`${fx.base}/..%2f..%2fetc%2fpasswd`)).text()).not.toContain('root:');
      expect(await (await fetch(`${fx.base}/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd`)).text()).not.toContain('root:');
      expect((await fetch(`${fx.base}/`, { method: 'POST' })).status).toBe(405);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('says how to build the UI when web/dist is missing', async () => {
    fx = await startLiveFixture();
    const r = await fetch(`${fx.base}/`);
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/build-web\.mjs/);
  });
});

describe('cancel', () => {
  it('cancels a running C-GET with C-CANCEL', async () => {
    fx = await startLiveFixture();
    fx.pacs.setSubOperationDelay(300);
    const r = await fetch(`${fx.base}/api/operations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op: 'get', host: '127.0.0.1', port: fx.pacs.port, callingAeTitle: 'UI', calledAeTitle: 'LIVEPACS', level: 'STUDY', keys: { StudyInstanceUID: studyUid(1) } }),
    });
    const { id } = (await r.json()) as { id: string };
    await new Promise((res) => setTimeout(res, 500));
    expect((await fetch(`${fx.base}/api/operations/${id}/cancel`, { method: 'POST' })).status).toBe(202);
    const done = await fx.live.operations.settled(id);
    expect(done?.result?.outcome).toBe('cancel');
    expect(fx.hub.summary().messages.map((m) => commandOf(m))).toContain('C-CANCEL-RQ');
  });
});
