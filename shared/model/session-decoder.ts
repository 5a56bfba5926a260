/**
 * The one decoder (docs/architecture.md §2): every source's wire events go
 * through here and come out as derived events. One ConnectionDecoder per TCP
 * connection; association ids "a1", "a2", … in order of appearance.
 */
import type { WireEvent } from '../capture/wire-event.ts';
import type { DerivedEvent } from '../events/derived-event.ts';
import { ConnectionDecoder, type ConnectionDecoderOptions } from './connection-decoder.ts';

export class SessionDecoder {
  private readonly connections = new Map<number, ConnectionDecoder>();
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
      if (this.connections.has(event.conn)) {
        return [{ type: 'decode.error', association: this.connections.get(event.conn)!.association, time: event.time, from: null, offset: null, reason: `connection ${event.conn} opened twice` }];
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
      return [{ type: 'decode.error', association: null, time: event.time, from: 'from' in event ? event.from : null, offset: null, reason: `${event.kind} on unknown connection ${event.conn}` }];
    }
    return decoder.push(event);
  }

  private nextId(): string {
    this.count += 1;
    return `a${this.count}`;
  }
}
