/**
 * The relay's reusable read slabs: a slab is never read into while any
 * chunk of it is held (by its write or by a capture that borrowed it), it is
 * reused once all let go, and a relay over real sockets reads the accepted
 * client into slabs on this Node (the fast way, not the 'data' fallback)
 * while a capture that releases its borrowed bytes late still sees exactly
 * the bytes that were sent.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { MIN_READ, SLAB_BYTES, SlabPool, SlabReader, type Lease } from '../../../server/proxy/read-slabs.ts';
import { RelayConnection, type ProxyCapture } from '../../../server/proxy/relay.ts';
import { TestServer, connect, randomBytes, sha256, until } from './helpers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** What a socket's read does: fills the region it was given with `n` bytes of `fill`. */
function read(reader: SlabReader, n: number, fill: number) {
  const region = reader.region();
  region.fill(fill, 0, n);
  return reader.took(n);
}

describe('read slabs', () => {
  it('reads go on in the same slab until less than MIN_READ is left, then into another', () => {
    const pool = new SlabPool();
    const reader = new SlabReader(pool);
    const a = read(reader, 1000, 1);
    const b = read(reader, 2000, 2);
    expect(b.slab).toBe(a.slab);
    expect(b.bytes.byteOffset).toBe(a.bytes.byteOffset + 1000);
    read(reader, SLAB_BYTES - 3000 - MIN_READ + 1, 3);
    a.slab.hold(); // a write of it in flight
    const c = read(reader, 10, 4);
    expect(c.slab).not.toBe(a.slab);
    expect(c.bytes.byteOffset).toBe(0);
    expect(pool.allocated).toBe(2);
    // Nobody holds either any more: however much is read now, no third slab is needed.
    a.slab.release();
    for (let i = 0; i < 10; i++) read(reader, SLAB_BYTES - MIN_READ + 1, 5);
    expect(pool.allocated).toBe(2);
  });

  it('a slab that a chunk holds is not read into again; once released it is', () => {
    const pool = new SlabPool();
    const reader = new SlabReader(pool);
    const held = read(reader, SLAB_BYTES - MIN_READ + 1, 7);
    held.slab.hold();
    const copy = Buffer.from(held.bytes);
    // The reader leaves the slab (too little left) and reads a lot more: never into the held one.
    for (let i = 0; i < 20; i++) {
      const r = read(reader, SLAB_BYTES, 9);
      expect(r.slab).not.toBe(held.slab);
      r.slab.hold();
      r.slab.release(); // written at once
    }
    expect(held.bytes.equals(copy)).toBe(true);
    held.slab.release();
    expect(pool.take()).toBe(held.slab);
  });

  it('the reader lets go of its slab on close; a second close changes nothing', () => {
    const pool = new SlabPool();
    const reader = new SlabReader(pool);
    const { slab } = read(reader, 100, 1);
    slab.hold(); // a write in flight
    reader.close();
    reader.close();
    expect(pool.take()).not.toBe(slab);
    slab.release();
    expect(pool.take()).toBe(slab);
  });
});

/** Borrows every data event; gives each back a little later (some much later), checking it did not change meanwhile. */
class LateCapture implements ProxyCapture {
  private n = 0;
  readonly received: Buffer[] = [];
  changedWhileBorrowed = 0;
  outstanding = 0;
  nextConnection(): number {
    return ++this.n;
  }
  readonly sink = (_e: WireEvent): void => undefined;
  readonly lend = (e: WireEvent & { kind: 'data' }, lease: Lease): void => {
    const copy = Buffer.from(e.bytes);
    this.received.push(copy);
    this.outstanding += 1;
    const giveBack = () => {
      if (!Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length).equals(copy)) this.changedWhileBorrowed += 1;
      this.outstanding -= 1;
      lease.release();
    };
    if (this.received.length % 7 === 0) setTimeout(giveBack, 20);
    else setImmediate(giveBack);
  };
}

describe('relay reading into slabs', () => {
  it('reads the accepted client into slabs, reuses them, and a late-releasing capture sees every byte unchanged', async () => {
    const upstream = await TestServer.start();
    const capture = new LateCapture();
    const pool = new SlabPool();
    const relays: RelayConnection[] = [];
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      relays.push(new RelayConnection(client, { upstream: { host: '127.0.0.1', port: upstream.port }, connectTimeoutMs: 5000, capture, now: Date.now, slabs: pool }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => upstream.close(), () => new Promise<void>((r) => server.close(() => r())));
    const up = randomBytes(64 * 1024 * 1024, 3);
    const client = await connect((server.address() as net.AddressInfo).port);
    client.socket.end(up);
    upstream.onPeer = (p) => p.socket.end();
    await until(() => upstream.peers[0]?.ended === true && client.ended, 30_000, 'the transfer to end');
    await Promise.all(relays.map((r) => r.done));
    await until(() => capture.outstanding === 0, 5000, 'the capture to give everything back');
    expect(relays[0].clientReads).toBe('slabs');
    expect(sha256(upstream.peers[0].received)).toBe(sha256(up));
    expect(sha256(capture.received)).toBe(sha256(up));
    expect(capture.changedWhileBorrowed).toBe(0);
    // 64 MiB went through the slabs: most of them were reused, not allocated anew.
    expect(pool.allocated * SLAB_BYTES).toBeLessThan(up.length / 4);
  }, 60_000);
});
