/**
 * The one decoder (docs/architecture.md §2): every source's wire events go
 * through here and come out as derived events. One ConnectionDecoder per TCP
 * connection; association ids "a1", "a2", … in order of appearance.
 *
 * A connection's decoder is let go once its association has ended (a few KB
 * each: a file of hundreds of thousands of short connections must not keep
 * them all, issue 14); its connection number and association id are
 * remembered, the most recent MAX_ENDED of them, so that a late event is
 * reported as the ended decoder would have.
 */
import type { WireEvent } from '../capture/wire-event.ts';
import type { AssociationId, DerivedEvent } from '../events/derived-event.ts';
import { ConnectionDecoder, type ConnectionDecoderOptions } from './connection-decoder.ts';

const MAX_ENDED = 65_536;

export class SessionDecoder {
  private readonly connections = new Map<number, ConnectionDecoder>();
  /** Connections whose association ended, oldest first. */
  private readonly ended = new Map<number, AssociationId>();
  private count = 0;
  private lastTime = 0;

  constructor(private readonly options: ConnectionDecoderOptions = {}) {}

  push(event: WireEvent): DerivedEvent[] {
    try {
      return this.dispatch(event);
    } catch (e) {
      // Principle 5: nothing escapes the core. A throw here is a bug in a
      // layer below; keep it visible as data and carry on.
      return [{ type: 'decode.error', association: null, time: event.time, from: null, offset: null, reason: `internal decoder error: ${(e as Error)?.message ?? String(e)}` }];
    }
  }

  /** The source is over: connections still open are flushed and stay "open". */
  finish(): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    for (const decoder of this.connections.values()) {
      try {
        out.push(...decoder.finish(this.lastTime));
      } catch (e) {
        out.push({ type: 'decode.error', association: decoder.association, time: this.lastTime, from: null, offset: null, reason: `internal decoder error: ${(e as Error)?.message ?? String(e)}` });
      }
    }
    return out;
  }

  private dispatch(event: WireEvent): DerivedEvent[] {
    if (event.time > this.lastTime) this.lastTime = event.time;
    if (event.kind === 'open') {
      const existing = this.connections.get(event.conn)?.association ?? this.ended.get(event.conn);
      if (existing !== undefined) {
        return [{ type: 'decode.error', association: existing, time: event.time, from: null, offset: null, reason: `connection ${event.conn} opened twice` }];
      }
      const association = this.nextId();
      this.connections.set(event.conn, new ConnectionDecoder(association, event, this.options));
      return [{ type: 'connection.open', association, conn: event.conn, time: event.time, requestor: event.requestor, acceptor: event.acceptor, midStream: event.midStream === true }];
    }
    if (event.kind === 'refused') {
      const association = this.nextId();
      return [
        { type: 'connection.refused', association, conn: event.conn, time: event.time, requestor: event.requestor, acceptor: event.acceptor, reason: event.reason },
        { type: 'association.end', association, time: event.time, outcome: 'refused', reason: event.reason },
      ];
    }
    const decoder = this.connections.get(event.conn);
    if (!decoder) {
      const from = 'from' in event ? event.from : null;
      const ended = this.ended.get(event.conn);
      // As ConnectionDecoder answers once ended: a late close is nothing, anything else an error.
      if (ended !== undefined) return event.kind === 'close' ? [] : [{ type: 'decode.error', association: ended, time: event.time, from, offset: null, reason: `${event.kind} after the connection ended` }];
      return [{ type: 'decode.error', association: null, time: event.time, from, offset: null, reason: `${event.kind} on unknown connection ${event.conn}` }];
    }
    const out = decoder.push(event);
    if (decoder.isEnded) {
      this.connections.delete(event.conn);
      this.ended.set(event.conn, decoder.association);
      if (this.ended.size > MAX_ENDED) this.ended.delete(this.ended.keys().next().value!);
    }
    return out;
  }

  private nextId(): string {
    this.count += 1;
    return `a${this.count}`;
  }
}
