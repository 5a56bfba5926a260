/**
 * Redaction as a pure transform: wire events in, wire events out
 * (shared/capture/wire-event.ts), one file at a time, in order, with memory
 * bounded whatever its size. The output is again a stream of wire events, so
 * it is written as a recording or a pcapng like any other source, and it
 * decodes with the same decoder: same associations, same DIMSE messages
 * (commands, message IDs, statuses, counters), same links; names, IDs, dates,
 * UIDs and secrets replaced (see profile.ts and the README).
 *
 * With the network option, IP addresses and ports are mapped too, each
 * consistently and distinctly, so connections stay apart.
 *
 * Wire timestamps move by the same whole number of days as the dates in the
 * data sets (PS3.15 E.3.6): intervals stay exact to the microsecond, and the
 * day of the capture no longer tells the day of the study.
 */
import type { Endpoint, WireEvent, WireOpen, WireRefused } from '../capture/wire-event.ts';
import { ConnectionRedactor } from './connection-redactor.ts';
import { RedactContext, type RedactOptions } from './redact-options.ts';

export class Redactor {
  readonly ctx: RedactContext;
  private readonly connections = new Map<number, ConnectionRedactor>();
  private lastTime = 0;
  private readonly shiftMs: number;

  constructor(options: RedactOptions) {
    this.ctx = new RedactContext(options);
    this.shiftMs = this.ctx.dateShiftDays * 86_400_000;
  }

  push(event: WireEvent): WireEvent[] {
    if (event.time > this.lastTime) this.lastTime = event.time;
    try {
      return this.shifted(this.dispatch(event));
    } catch (e) {
      // A bug must not leak bytes: the event is dropped, and said so.
      this.ctx.problem('conn' in event ? event.conn : null, `internal redaction error: ${(e as Error)?.message ?? String(e)}; event left out`);
      return [];
    }
  }

  /** The source is over: connections still open give what they hold. */
  finish(): WireEvent[] {
    const out: WireEvent[] = [];
    for (const c of this.connections.values()) {
      try {
        out.push(...c.finish(this.lastTime));
      } catch (e) {
        this.ctx.problem(c.conn, `internal redaction error: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    this.connections.clear();
    return this.shifted(out);
  }

  private shifted(events: WireEvent[]): WireEvent[] {
    for (let i = 0; i < events.length; i++) events[i] = { ...events[i], time: events[i].time + this.shiftMs };
    return events;
  }

  private dispatch(event: WireEvent): WireEvent[] {
    switch (event.kind) {
      case 'open': {
        if (this.connections.has(event.conn)) {
          this.ctx.problem(event.conn, 'connection opened twice: the second open is left out');
          return [];
        }
        this.connections.set(event.conn, new ConnectionRedactor(event.conn, event, this.ctx));
        return [this.endpoints(event)];
      }
      case 'refused':
        return [this.endpoints(event)];
      default: {
        const c = this.connections.get(event.conn);
        if (c) {
          const out = c.push(event);
          if (c.ended) this.connections.delete(event.conn);
          return out;
        }
        // Bytes of a connection never opened cannot be framed, hence not redacted.
        if (event.kind === 'data') {
          this.ctx.problem(event.conn, `data on unknown connection ${event.conn}: left out`);
          return [{ kind: 'gap', conn: event.conn, time: event.time, from: event.from, length: event.bytes.length }];
        }
        return [event];
      }
    }
  }

  private endpoint(e: Endpoint): Endpoint {
    return { host: this.ctx.pseudonyms.host(e.host), port: this.ctx.pseudonyms.port(e.port) };
  }

  /** Open and refused events with their addresses mapped (network option), and a refusal's text cleared of them. */
  private endpoints<T extends WireOpen | WireRefused>(event: T): T {
    if (!this.ctx.network) return event;
    const mapped = { ...event, requestor: this.endpoint(event.requestor), acceptor: this.endpoint(event.acceptor) };
    if (mapped.kind === 'refused') (mapped as WireRefused).reason = 'connection refused (details redacted)';
    return mapped;
  }
}
