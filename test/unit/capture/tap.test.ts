/** The socket tap on real loopback sockets: bytes both ways, FIN, RST, refused. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionCounter, tapConnect, tapSocket } from '../../../server/sources/tap.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { shape, stream } from './import-helpers.ts';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server on 127.0.0.1 whose accepted sockets are tapped as acceptor (conn numbers from a shared counter). */
async function listen(onSocket: (s: net.Socket) => void, serverEvents: WireEvent[], counter: ConnectionCounter): Promise<number> {
  const server = net.createServer((s) => {
    tapSocket(s, { conn: counter.next(), localSide: 'acceptor', sink: (e) => serverEvents.push(e) });
    onSocket(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('capture tap', () => {
  it('client and server taps see the same bytes both ways, then a FIN from each side', async () => {
    const serverEvents: WireEvent[] = [];
    const clientEvents: WireEvent[] = [];
    const counter = new ConnectionCounter();
    const port = await listen((s) => {
      // Answer synchronously inside our own data handler, as dcmjs-dimse does: the tap still sees the question first.
      s.on('data', (d) => {
        s.write(Buffer.from(`echo:${d.toString()}`));
        if (d.toString().includes('bye')) s.end('!');
      });
    }, serverEvents, counter);
    const socket = await tapConnect({ host: '127.0.0.1', port, conn: counter.next(), sink: (e) => clientEvents.push(e) });
    socket.on('data', () => {}); // the application reads; the tap itself never changes the flow mode
    const reused = Buffer.from('hello');
    socket.write(reused);
    reused.fill(0x78); // the caller reuses its buffer: the tap kept a copy
    await until(() => clientEvents.some((e) => e.kind === 'data' && e.from === 'acceptor'));
    socket.write('bye', 'utf8');
    await until(() => clientEvents.some((e) => e.kind === 'close' && e.from === 'acceptor'));
    await until(() => serverEvents.filter((e) => e.kind === 'close').length === 2 && clientEvents.filter((e) => e.kind === 'close').length === 2);

    expect(clientEvents[0]).toMatchObject({ kind: 'open', conn: 1, requestor: { host: '127.0.0.1' }, acceptor: { host: '127.0.0.1', port } });
    expect(serverEvents[0]).toMatchObject({ kind: 'open', conn: 2, acceptor: { host: '127.0.0.1', port } });
    expect((serverEvents[0] as { requestor: unknown }).requestor).toEqual((clientEvents[0] as { requestor: unknown }).requestor);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(text(stream(clientEvents, 1, 'requestor'))).toBe('hellobye');
    expect(text(stream(serverEvents, 2, 'requestor'))).toBe('hellobye');
    expect(text(stream(clientEvents, 1, 'acceptor'))).toBe('echo:helloecho:bye!');
    expect(text(stream(serverEvents, 2, 'acceptor'))).toBe('echo:helloecho:bye!');
    // On the server, each question is seen before its answer.
    const serverOrder = shape(serverEvents).filter((s) => s.startsWith('data')).map((s) => s.split(' ')[2]);
    expect(serverOrder.slice(0, 2)).toEqual(['requestor', 'acceptor']);
    expect(shape(serverEvents).filter((s) => s.startsWith('close'))).toEqual(['close 2 acceptor fin', 'close 2 requestor fin']);
    expect(shape(clientEvents).filter((s) => s.startsWith('close'))).toEqual(['close 1 acceptor fin', 'close 1 requestor fin']);
    expect(clientEvents.every((e) => e.kind !== 'data' || e.bytes.constructor === Uint8Array)).toBe(true);
    // Times are ms since the epoch, non-decreasing.
    for (let i = 1; i < clientEvents.length; i++) expect(clientEvents[i].time).toBeGreaterThanOrEqual(clientEvents[i - 1].time);
  });

  it('a reset: resetAndDestroy on one side is a reset from that side on both', async () => {
    const serverEvents: WireEvent[] = [];
    const clientEvents: WireEvent[] = [];
    const counter = new ConnectionCounter();
    const port = await listen((s) => s.on('data', () => s.resetAndDestroy()), serverEvents, counter);
    const socket = await tapConnect({ host: '127.0.0.1', port, conn: counter.next(), sink: (e) => clientEvents.push(e) });
    socket.on('error', () => {});
    socket.write('x');
    await until(() => clientEvents.some((e) => e.kind === 'close'));
    await until(() => serverEvents.some((e) => e.kind === 'close'));
    expect(clientEvents.filter((e) => e.kind === 'close')).toEqual([{ kind: 'close', conn: 1, time: expect.any(Number), from: 'acceptor', how: 'reset', reason: expect.stringContaining('ECONNRESET') }]);
    expect(serverEvents.filter((e) => e.kind === 'close')).toEqual([{ kind: 'close', conn: 2, time: expect.any(Number), from: 'acceptor', how: 'reset', reason: 'reset by this side' }]);
  });

  it('a closed port: refused event and a rejected promise', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const events: WireEvent[] = [];
    await expect(tapConnect({ host: '127.0.0.1', port, conn: 7, sink: (e) => events.push(e) })).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toEqual([{ kind: 'refused', conn: 7, time: expect.any(Number), requestor: expect.any(Object), acceptor: { host: '127.0.0.1', port }, reason: 'connection refused (ECONNREFUSED)' }]);
  });

  it('a socket tapped while connecting (as a library opens it) to a closed port: one refused event, nothing else', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const events: WireEvent[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    tapSocket(socket, { conn: 3, localSide: 'requestor', sink: (e) => events.push(e), target: { host: '127.0.0.1', port } });
    await new Promise((r) => socket.once('close', r));
    expect(events).toEqual([{ kind: 'refused', conn: 3, time: expect.any(Number), requestor: expect.any(Object), acceptor: { host: '127.0.0.1', port }, reason: 'connection refused (ECONNREFUSED)' }]);
  });
});
