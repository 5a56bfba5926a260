/**
 * The relay with plain loopback sockets: bytes unchanged both ways (big
 * random payloads, checksums at each receiver and in the capture),
 * half-close in both directions, resets passed on, an upstream that refuses
 * or does not answer, and a client that sends half a PDU and stalls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Proxy } from '../../../server/proxy/proxy.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import type { WireClose, WireOpen, WireRefused } from '../../../shared/capture/wire-event.ts';
import { ArrayCapture, TestServer, connect, cstoreDialog, play, randomBytes, sha256, silentUpstream, total, until } from './helpers.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(options: { connectTimeoutMs?: number } = {}) {
  const upstream = await TestServer.start();
  const capture = new ArrayCapture();
  const proxy = new Proxy({ capture, connectTimeoutMs: options.connectTimeoutMs });
  const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${upstream.port}`);
  const port = Number(route.listen.split(':').at(-1));
  cleanup.push(() => upstream.close(), () => proxy.close());
  return { upstream, capture, proxy, port };
}

describe('relay', () => {
  it('relays big random payloads both ways at once, unchanged, and captures every byte', async () => {
    const { upstream, capture, proxy, port } = await setup();
    const up = randomBytes(24 * 1024 * 1024, 7);
    const down = randomBytes(16 * 1024 * 1024, 11);
    upstream.onPeer = (p) => p.socket.end(down);
    const client = await connect(port);
    client.socket.end(up);
    await until(() => client.ended && upstream.peers[0]?.ended, 20_000, 'both directions to end');
    expect(sha256(upstream.peers[0].received)).toBe(sha256(up));
    expect(sha256(client.received)).toBe(sha256(down));
    await until(() => proxy.active === 0);
    // One connection in the capture: client → upstream, every byte of each direction, both FINs.
    const open = capture.events[0] as WireOpen;
    expect(open).toMatchObject({ kind: 'open', conn: 1, acceptor: { host: '127.0.0.1', port: upstream.port } });
    expect(open.requestor.port).toBe(client.localPort);
    expect(sha256(capture.bytes(1, 'requestor'))).toBe(sha256(up));
    expect(sha256(capture.bytes(1, 'acceptor'))).toBe(sha256(down));
    const closes = capture.events.filter((e): e is WireClose => e.kind === 'close');
    expect(closes.map((c) => [c.from, c.how]).sort()).toEqual([['acceptor', 'fin'], ['requestor', 'fin']]);
    const info = proxy.list()[0];
    expect(info.counters).toMatchObject({ connections: 1, active: 0, bytesToUpstream: up.length, bytesToClient: down.length, refused: 0, resets: 0 });
  }, 30_000);

  it('passes a half-close from the client on and keeps the other direction flowing', async () => {
    const { upstream, capture, port } = await setup();
    const client = await connect(port);
    client.socket.end('question');
    await until(() => upstream.peers[0]?.ended === true, 5000, 'upstream to see the FIN');
    expect(Buffer.concat(upstream.peers[0].received).toString()).toBe('question');
    // The client half-closed; the upstream still answers, in pieces, then closes.
    upstream.peers[0].socket.write('ans');
    await until(() => total(client.received) === 3);
    upstream.peers[0].socket.end('wer');
    await until(() => client.ended, 5000, 'client to see the FIN');
    expect(Buffer.concat(client.received).toString()).toBe('answer');
    const kinds = capture.of(1).map((e) => (e.kind === 'close' ? `close:${e.from}` : e.kind));
    expect(kinds.indexOf('close:requestor')).toBeLessThan(kinds.lastIndexOf('data'));
    expect(kinds.at(-1)).toBe('close:acceptor');
  });

  it('passes a half-close from the upstream on and keeps the other direction flowing', async () => {
    const { upstream, port } = await setup();
    upstream.onPeer = (p) => p.socket.end('bye');
    const client = await connect(port);
    await until(() => client.ended, 5000, 'client to see the FIN');
    expect(Buffer.concat(client.received).toString()).toBe('bye');
    client.socket.write('still talking');
    await until(() => total(upstream.peers[0].received) === 13);
    client.socket.end();
    await until(() => upstream.peers[0].ended);
    expect(Buffer.concat(upstream.peers[0].received).toString()).toBe('still talking');
  });

  it('passes a reset from the client on to the upstream, and records it', async () => {
    const { upstream, capture, proxy, port } = await setup();
    const client = await connect(port);
    client.socket.write('x');
    await until(() => total(upstream.peers[0]?.received ?? []) === 1);
    client.socket.resetAndDestroy();
    await until(() => upstream.peers[0].closed, 5000, 'upstream to close');
    expect(upstream.peers[0].error?.code).toBe('ECONNRESET');
    await until(() => proxy.active === 0);
    expect(capture.events.at(-1)).toMatchObject({ kind: 'close', from: 'requestor', how: 'reset' });
    expect(proxy.list()[0].counters.resets).toBe(1);
  });

  it('passes a reset from the upstream on to the client, and records it', async () => {
    const { upstream, capture, port } = await setup();
    upstream.onPeer = (p) => p.socket.write('hello', () => setTimeout(() => p.socket.resetAndDestroy(), 50));
    const client = await connect(port);
    await until(() => client.closed, 5000, 'client to close');
    expect(Buffer.concat(client.received).toString()).toBe('hello');
    expect(client.error?.code).toBe('ECONNRESET');
    expect(capture.events.at(-1)).toMatchObject({ kind: 'close', from: 'acceptor', how: 'reset' });
  });

  it('an upstream that refuses: the client sees the connection close, the capture says "upstream … refused"', async () => {
    const dead = await TestServer.start();
    const deadPort = dead.port;
    await dead.close();
    const capture = new ArrayCapture();
    const proxy = new Proxy({ capture });
    cleanup.push(() => proxy.close());
    const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${deadPort}`);
    const client = await connect(Number(route.listen.split(':')[1]));
    client.socket.write('A-ASSOCIATE-RQ would go here');
    await until(() => client.gone, 5000, 'client to see the connection end');
    expect(client.received).toEqual([]);
    const refused = capture.events.find((e): e is WireRefused => e.kind === 'refused')!;
    expect(refused.reason).toBe(`upstream 127.0.0.1:${deadPort} refused`);
    expect(refused.acceptor).toEqual({ host: '127.0.0.1', port: deadPort });
    expect(refused.requestor.port).toBe(client.localPort);
    expect(capture.events.some((e) => e.kind === 'open')).toBe(false);
    await until(() => proxy.active === 0);
    expect(proxy.list()[0]).toMatchObject({ counters: { refused: 1 }, lastFailure: `upstream 127.0.0.1:${deadPort} refused` });
  });

  it('an upstream that refuses, seen live through a CaptureHub: the association is "refused" with the reason', async () => {
    const dead = await TestServer.start();
    const deadPort = dead.port;
    await dead.close();
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'relay test' } });
    const proxy = new Proxy({ capture: hub });
    cleanup.push(() => hub.close(), () => proxy.close());
    const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${deadPort}`);
    const client = await connect(Number(route.listen.split(':')[1]));
    await until(() => client.gone);
    const a = hub.summary().associations[0];
    expect(a).toMatchObject({ outcome: 'refused', acceptor: { port: deadPort }, closeReason: `upstream 127.0.0.1:${deadPort} refused` });
  });

  it('an upstream that does not answer: the client is closed after the connect timeout, with the reason', async () => {
    const silent = await silentUpstream();
    cleanup.push(() => silent.stop());
    const capture = new ArrayCapture();
    const proxy = new Proxy({ capture, connectTimeoutMs: 400 });
    cleanup.push(() => proxy.close());
    const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${silent.port}`);
    const started = Date.now();
    const client = await connect(Number(route.listen.split(':')[1]));
    await until(() => client.gone, 5000, 'client to see the connection end');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const refused = capture.events.find((e): e is WireRefused => e.kind === 'refused')!;
    expect(refused.reason).toBe(`upstream 127.0.0.1:${silent.port} did not answer within 0.4 s`);
  });

  it('a client that sends half a PDU and stalls holds up no other connection', async () => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'relay test' } });
    const upstream = await TestServer.start();
    const proxy = new Proxy({ capture: hub });
    cleanup.push(() => upstream.close(), () => hub.close(), () => proxy.close());
    const port = Number((await proxy.add(`127.0.0.1:0=127.0.0.1:${upstream.port}`)).listen.split(':')[1]);
    const steps = cstoreDialog(20, 300_000);
    // The staller: the first 4 bytes of its A-ASSOCIATE-RQ's 6-byte header, then nothing.
    const staller = await connect(port);
    staller.socket.write(steps[0].bytes.subarray(0, 4));
    await until(() => upstream.peers.length === 1 && total(upstream.peers[0].received) === 4);
    // A whole C-STORE association meanwhile, played on both sides.
    upstream.onPeer = (p) => void play(p, 'acceptor', steps);
    const client = await connect(port);
    const started = Date.now();
    await play(client, 'requestor', steps);
    await until(() => client.ended && proxy.active === 1, 5000, 'the second connection to end');
    expect(Date.now() - started).toBeLessThan(5000);
    const s = hub.summary();
    const done = s.associations.find((a) => a.requestor.port === client.localPort)!;
    expect(done.outcome).toBe('released');
    expect(s.messages.filter((m) => m.association === done.id && m.commandField === CommandField.CStoreRsp)).toHaveLength(20);
    const stalled = s.associations.find((a) => a.requestor.port === staller.localPort)!;
    expect(stalled.outcome).toBe('open');
    staller.socket.destroy();
  }, 20_000);
});
