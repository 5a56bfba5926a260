/**
 * Helpers for the relay tests: plain loopback TCP peers (an upstream server
 * that records what it got, a client), a capture that keeps every wire
 * event, a DICOM dialog (a C-STORE association as steps per side) played
 * over real sockets, and a "silent" upstream whose accept queue is full, so
 * that a connection attempt to it gets no answer at all.
 */
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Side, WireEvent } from '../../../shared/capture/wire-event.ts';
import { ConnectionCounter } from '../../../server/sources/tap.ts';
import type { ProxyCapture } from '../../../server/proxy/relay.ts';
import { cstoreWireEvents } from '../../bench/cstore-stream.ts';

export const sha256 = (chunks: readonly Uint8Array[] | Uint8Array): string => {
  const h = createHash('sha256');
  for (const c of chunks instanceof Uint8Array ? [chunks] : chunks) h.update(c);
  return h.digest('hex');
};

/** Keeps every wire event (the simplest capture). */
export class ArrayCapture implements ProxyCapture {
  readonly events: WireEvent[] = [];
  private readonly counter = new ConnectionCounter();
  nextConnection(): number {
    return this.counter.next();
  }
  readonly sink = (e: WireEvent): void => {
    this.events.push(e);
  };
  /** The bytes one side sent on one connection, as captured. */
  bytes(conn: number, from: Side): Uint8Array[] {
    return this.events.flatMap((e) => (e.kind === 'data' && e.conn === conn && e.from === from ? [e.bytes] : []));
  }
  of(conn: number): WireEvent[] {
    return this.events.filter((e) => e.conn === conn);
  }
}

/** Resolves when `cond()` holds (polled), rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One accepted connection of a TestServer, with what it received. */
export interface Peer {
  socket: net.Socket;
  received: Buffer[];
  ended: boolean;
  error: NodeJS.ErrnoException | null;
  closed: boolean;
  /** The socket's local port (kept: a closed socket forgets it). */
  localPort: number;
  /** The peer sent its FIN, reset or the socket closed: what a client sees of a connection ending. */
  readonly gone: boolean;
}

function watch(socket: net.Socket): Peer {
  const p: Peer = {
    socket,
    received: [],
    ended: false,
    error: null,
    closed: false,
    localPort: socket.localPort ?? 0,
    get gone() {
      return this.ended || this.closed || this.error !== null;
    },
  };
  socket.on('data', (b: Buffer) => p.received.push(b));
  socket.on('end', () => (p.ended = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (p.error = e));
  socket.on('close', () => (p.closed = true));
  return p;
}

/** An upstream server on 127.0.0.1 (half-open allowed) keeping each connection. */
export class TestServer {
  readonly peers: Peer[] = [];
  onPeer: ((p: Peer) => void) | null = null;
  private constructor(readonly server: net.Server) {}
  static async start(): Promise<TestServer> {
    let self: TestServer | null = null;
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      const p = watch(s);
      self!.peers.push(p);
      self!.onPeer?.(p);
    });
    self = new TestServer(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const p of this.peers) p.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A client connection (half-open allowed) with what it received. */
export async function connect(port: number): Promise<Peer> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const p = watch(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  p.localPort = socket.localPort ?? 0;
  return p;
}

export const total = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.length, 0);

/** Deterministic pseudo-random bytes. */
export function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** A DICOM association as steps: each side sends its step once it got all of the other side's bytes before it. */
export interface DialogStep {
  from: Side;
  bytes: Uint8Array;
}

/** A C-STORE association (A-ASSOCIATE, N C-STOREs, A-RELEASE) as dialog steps. */
export function cstoreDialog(instances: number, dataSetBytes: number): DialogStep[] {
  const steps: DialogStep[] = [];
  for (const e of cstoreWireEvents({ instances, dataSetBytes, maxPdu: 16384, readBytes: 1 << 30 })) {
    if (e.kind !== 'data') continue;
    const last = steps.at(-1);
    if (last && last.from === e.from) last.bytes = Buffer.concat([last.bytes, e.bytes]);
    else steps.push({ from: e.from, bytes: e.bytes });
  }
  return steps;
}

/** Plays `side`'s part of the dialog on `peer`, then half-closes; resolves when it has sent everything and got the other side's bytes. */
export async function play(peer: Peer, side: Side, steps: readonly DialogStep[], timeoutMs = 10_000): Promise<void> {
  let expected = 0;
  for (const step of steps) {
    if (step.from === side) {
      await until(() => total(peer.received) >= expected, timeoutMs, `${side} to receive ${expected} bytes`);
      peer.socket.write(step.bytes);
    } else {
      expected += step.bytes.length;
    }
  }
  await until(() => total(peer.received) >= expected, timeoutMs, `${side} to receive ${expected} bytes`);
  peer.socket.end();
}

/**
 * An address on 127.0.0.1 that does not answer: a listener in a child process
 * whose event loop is blocked (it never accepts) and whose accept queue is
 * filled first, so the kernel drops further SYNs.
 */
export async function silentUpstream(): Promise<{ port: number; stop: () => void }> {
  const code = `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(String(s.address().port)+'\\n');setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000),50);});`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, 150));
  // Fill the accept queue (backlog 1 holds 2 on Linux) until a connect gets no answer.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    fillers.push(s);
    const answered = await Promise.race([new Promise<boolean>((r) => s.once('connect', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
    if (!answered) break;
  }
  return {
    port,
    stop: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}
