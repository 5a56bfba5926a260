/**
 * The table of TCP connections in a capture, keyed by their two endpoints.
 * Numbers emitted connections 1, 2, 3 … in order of appearance, remembers
 * which acceptor ports turned out to be DICOM, and forgets closed connections
 * some time after they ended so that memory stays bounded on long captures.
 */
import type { Endpoint, WireEvent } from '../wire-event.ts';
import { ByteSlab } from './byte-slab.ts';
import { TcpConnection } from './tcp-connection.ts';
import type { ConnectionContext } from './tcp-connection.ts';
import { TcpFlag } from './tcp-segment.ts';
import type { TcpSegment } from './tcp-segment.ts';

/** A closed connection is kept this long (capture time) so that its late packets (final ACK, retransmitted FIN) are recognised: 2 × MSL of RFC 9293 §3.4.2 as commonly configured (60 s). */
const CLOSED_LINGER_MS = 120_000;

export interface TcpTrackerOptions {
  dicomPorts: readonly number[];
  /** Out-of-order bytes held per direction. */
  maxOutOfOrderBytes: number;
  /** Out-of-order bytes held by all connections together (default: 8 × maxOutOfOrderBytes). */
  maxHeldBytes?: number;
}

export class TcpTracker {
  private readonly connections = new Map<string, TcpConnection>();
  private readonly dicomPorts: Set<number>;
  private nextNumber = 1;
  private out: WireEvent[] = [];
  private closed: TcpConnection[] = [];
  private closedHead = 0;
  private last: TcpConnection | null = null;
  private readonly ctx: ConnectionContext;

  constructor(options: TcpTrackerOptions) {
    this.dicomPorts = new Set(options.dicomPorts);
    this.ctx = {
      emit: (event) => this.out.push(event),
      nextConn: () => this.nextNumber++,
      isDicomPort: (port) => this.dicomPorts.has(port),
      learnDicomPort: (port) => this.dicomPorts.add(port),
      maxOutOfOrderBytes: options.maxOutOfOrderBytes,
      held: { bytes: 0, max: options.maxHeldBytes ?? 8 * options.maxOutOfOrderBytes },
      slab: new ByteSlab(),
    };
  }

  /** Connections currently remembered (for tests of the memory bound). */
  get size(): number {
    return this.connections.size;
  }

  /** Out-of-order bytes held by all connections now (for tests of the memory bound). */
  get heldBytes(): number {
    return this.ctx.held.bytes;
  }

  segment(seg: TcpSegment, time: number, out: WireEvent[]): void {
    this.out = out;
    // Consecutive packets mostly belong to the same connection: skip building its key then.
    const last = this.last;
    if (last !== null && (seg.flags & TcpFlag.SYN) === 0 && this.connections.get(last.key) === last) {
      const fromFirst = last.isFrom(seg.srcHost, seg.srcPort, seg.dstHost, seg.dstPort);
      if (fromFirst !== null) {
        const wasClosed = last.phase === 'closed';
        last.packet(seg, fromFirst, time);
        if (!wasClosed && last.phase === 'closed') this.closed.push(last);
        this.evict(time);
        return;
      }
    }
    const src = `${seg.srcHost}#${seg.srcPort}`;
    const dst = `${seg.dstHost}#${seg.dstPort}`;
    const key = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
    let c = this.connections.get(key);
    if (c !== undefined && (seg.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && !c.isSameSyn(src === c.firstKey, seg.seq)) {
      // A new connection on the same ports (RFC 9293 §3.4.1): the old one is over as far as the capture can tell.
      c.finish();
      c = undefined;
    }
    if (c === undefined) {
      const srcEp: Endpoint = { host: seg.srcHost, port: seg.srcPort };
      const dstEp: Endpoint = { host: seg.dstHost, port: seg.dstPort };
      c = new TcpConnection(key, src, srcEp, dstEp, this.ctx, seg, time);
      this.connections.set(key, c);
    }
    this.last = c;
    const wasClosed = c.phase === 'closed';
    c.packet(seg, src === c.firstKey, time);
    if (!wasClosed && c.phase === 'closed') this.closed.push(c);
    this.evict(time);
  }

  /** End of the capture: flush every connection (holes → gaps); open connections stay open. */
  end(out: WireEvent[]): void {
    this.out = out;
    for (const c of this.connections.values()) c.finish();
  }

  private evict(now: number): void {
    const closed = this.closed;
    while (this.closedHead < closed.length && now - closed[this.closedHead].closedAt > CLOSED_LINGER_MS) {
      const c = closed[this.closedHead++];
      if (this.connections.get(c.key) === c) this.connections.delete(c.key);
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > closed.length) {
      this.closed = closed.slice(this.closedHead);
      this.closedHead = 0;
    }
  }
}
