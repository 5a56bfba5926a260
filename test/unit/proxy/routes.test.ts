/**
 * The Proxy's routes: added and removed while it runs, listed with their
 * counters, bad input refused with a clear message; and one connection in
 * the CaptureHub when this process also taps a leg (own SCU → proxy → own SCP).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Proxy } from '../../../server/proxy/proxy.ts';
import { parseRoute } from '../../../server/proxy/route-spec.ts';
import { CaptureHub } from '../../../server/capture/hub.ts';
import { tapConnect, tapSocket } from '../../../server/sources/tap.ts';
import { ArrayCapture, TestServer, connect, cstoreDialog, play, total, until, type Peer } from './helpers.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const portOf = (listen: string) => Number(listen.split(':').at(-1));

describe('route specs', () => {
  it('parses LISTEN=UPSTREAM with the shorthands, and says what is wrong', () => {
    expect(parseRoute('127.0.0.1:4243=127.0.0.1:4242')).toEqual({ listen: { host: '127.0.0.1', port: 4243 }, upstream: { host: '127.0.0.1', port: 4242 } });
    expect(parseRoute(':4243=pacs.local:104')).toEqual({ listen: { host: '127.0.0.1', port: 4243 }, upstream: { host: 'pacs.local', port: 104 } });
    expect(parseRoute('4243=[::1]:104')).toEqual({ listen: { host: '127.0.0.1', port: 4243 }, upstream: { host: '::1', port: 104 } });
    expect(() => parseRoute('127.0.0.1:4243')).toThrow(/expected LISTEN=UPSTREAM/);
    expect(() => parseRoute('127.0.0.1:4243=127.0.0.1')).toThrow(/upstream address: expected HOST:PORT/);
    expect(() => parseRoute('127.0.0.1:4243=127.0.0.1:70000')).toThrow(/out of range/);
    expect(() => parseRoute('127.0.0.1:4243=127.0.0.1:0')).toThrow(/cannot be 0/);
  });
});

describe('Proxy routes', () => {
  it('adds and removes routes while running; a removed route accepts no more, its connections run to their end', async () => {
    const a = await TestServer.start();
    const b = await TestServer.start();
    const proxy = new Proxy({ capture: new ArrayCapture() });
    cleanup.push(() => a.close(), () => b.close(), () => proxy.close());
    const ra = await proxy.add(`127.0.0.1:0=127.0.0.1:${a.port}`);
    expect(proxy.list()).toEqual([expect.objectContaining({ listen: ra.listen, upstream: `127.0.0.1:${a.port}` })]);

    const first = await connect(portOf(ra.listen));
    first.socket.write('one');
    await until(() => total(a.peers[0]?.received ?? []) === 3);
    // A second route, added while the first relays.
    const rb = await proxy.add(`127.0.0.1:0=127.0.0.1:${b.port}`);
    const second = await connect(portOf(rb.listen));
    second.socket.end('two');
    await until(() => b.peers[0]?.ended === true);
    expect(proxy.list().map((r) => r.listen)).toEqual([ra.listen, rb.listen]);

    // Remove route A: the connection on it goes on; a new one is refused by the OS.
    expect(await proxy.remove(ra.listen)).toBe(true);
    expect(proxy.list().map((r) => r.listen)).toEqual([rb.listen]);
    await expect(connect(portOf(ra.listen))).rejects.toThrow(/ECONNREFUSED/);
    first.socket.write('more');
    await until(() => total(a.peers[0].received) === 7);
    a.peers[0].socket.write('reply');
    await until(() => total(first.received) === 5);
    expect(await proxy.remove(ra.listen)).toBe(false);

    // The counters of route B.
    expect(proxy.list()[0].counters).toMatchObject({ connections: 1, bytesToUpstream: 3 });
    // Re-adding the removed address works at once.
    const again = await proxy.add(ra.listen + '=127.0.0.1:' + b.port);
    expect(again.listen).toBe(ra.listen);
    // Remove with closeConnections: the connections on it are closed now.
    const third = await connect(portOf(again.listen));
    await until(() => b.peers.length === 2);
    await proxy.remove(again.listen, { closeConnections: true });
    await until(() => third.gone && b.peers[1].gone, 5000, 'both sides to be closed');
    // proxy.close() also ends the connection left on the removed route A.
    await proxy.close();
    await until(() => first.gone && a.peers[0].gone, 5000, 'the drained connection to be closed');
  });

  it('refuses what it cannot do, with the reason', async () => {
    const proxy = new Proxy({ capture: new ArrayCapture() });
    cleanup.push(() => proxy.close());
    await expect(proxy.add('0.0.0.0:0=127.0.0.1:104')).rejects.toThrow(/refusing to listen on 0\.0\.0\.0: not a loopback address; add --public/);
    const r = await proxy.add('127.0.0.1:0=127.0.0.1:104');
    await expect(proxy.add(`${r.listen}=127.0.0.1:105`)).rejects.toThrow(`a route already listens on ${r.listen}`);
    const blocker = net.createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    cleanup.push(() => new Promise<void>((res) => blocker.close(() => res())));
    const taken = (blocker.address() as net.AddressInfo).port;
    await expect(proxy.add(`127.0.0.1:${taken}=127.0.0.1:104`)).rejects.toThrow(`cannot listen on 127.0.0.1:${taken}: address in use`);
    await expect(proxy.add('nonsense')).rejects.toThrow(/LISTEN=UPSTREAM/);
    await proxy.close();
    await expect(proxy.add('127.0.0.1:0=127.0.0.1:104')).rejects.toThrow(/stopped/);
  });

  it.each([
    ['own SCU → proxy → own SCP, all tapped into one hub: one association, not three', true],
    ['another process → proxy → own SCP: one association, the proxy\'s (client → upstream)', false],
  ])('%s', async (_name, ownScu) => {
    const hub = await CaptureHub.open({ source: { kind: 'test', description: 'mirror test' } });
    const steps = cstoreDialog(2, 40_000);
    // An "own SCP": every accepted socket is tapped into the hub, like the built-in PACS.
    const scp = net.createServer({ allowHalfOpen: true }, (s) => {
      tapSocket(s, { conn: hub.nextConnection(), localSide: 'acceptor', sink: hub.sink });
      const peer: Peer = { socket: s, received: [], ended: false, error: null, closed: false, localPort: s.localPort ?? 0, gone: false };
      s.on('data', (b: Buffer) => peer.received.push(b));
      void play(peer, 'acceptor', steps);
    });
    await new Promise<void>((res) => scp.listen(0, '127.0.0.1', res));
    const proxy = new Proxy({ capture: hub });
    cleanup.push(() => new Promise<void>((res) => scp.close(() => res())), () => hub.close(), () => proxy.close());
    const route = await proxy.add(`127.0.0.1:0=127.0.0.1:${(scp.address() as net.AddressInfo).port}`);
    const runs = 8;
    for (let i = 0; i < runs; i++) {
      if (ownScu) {
        // An "own SCU": a tapped client socket.
        const s = await tapConnect({ host: '127.0.0.1', port: portOf(route.listen), conn: hub.nextConnection(), sink: hub.sink });
        const peer: Peer = { socket: s, received: [], ended: false, error: null, closed: false, localPort: s.localPort ?? 0, gone: false };
        s.on('data', (b: Buffer) => peer.received.push(b));
        await play(peer, 'requestor', steps);
      } else {
        await play(await connect(portOf(route.listen)), 'requestor', steps);
      }
    }
    await until(() => proxy.active === 0, 5000, 'the relays to end');
    const summary = hub.summary();
    expect(summary.associations.map((a) => a.outcome)).toEqual(Array(runs).fill('released'));
    expect(summary.messages.filter((m) => m.commandField === CommandField.CStoreRq)).toHaveLength(2 * runs);
    expect(summary.errors).toEqual([]);
    // Without an own SCU the proxy's view is kept: requestor = the client, acceptor = the upstream (the SCP).
    if (!ownScu) expect(new Set(summary.associations.map((a) => a.acceptor.port))).toEqual(new Set([(scp.address() as net.AddressInfo).port]));
  });
});
