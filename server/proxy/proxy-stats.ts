/**
 * What the headless proxy prints when it stops: per route, the associations
 * by outcome, the DIMSE messages, the decode errors. Decoded by the one
 * decoder (shared/model/connection-decoder.ts) as the traffic goes, with
 * memory bounded by the connections open now: a connection's decoder is
 * dropped when its association ends, and only counters are kept (the
 * interactive CaptureHub keeps the whole model; a capture that runs for days
 * must not). The decoder's options (e.g. `maxDataSetBytes`) are passed on.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import type { DerivedEvent } from '../../shared/events/derived-event.ts';
import type { AssociationOutcome } from '../../shared/model/summary-types.ts';
import { ConnectionDecoder, type ConnectionDecoderOptions } from '../../shared/model/connection-decoder.ts';

export interface RouteStats {
  route: string;
  /** Client connections the upstream accepted (each carries one association at most). */
  connections: number;
  /** Connections that never reached the upstream. */
  refused: number;
  /** Associations that ended, by outcome ("open" = still open when the proxy stopped). */
  outcomes: Partial<Record<AssociationOutcome, number>>;
  /** DIMSE messages decoded, by command ("C-STORE-RQ": 2000). */
  messages: Record<string, number>;
  decodeErrors: number;
  /** The first few decode errors and refusals, for the summary. */
  problems: string[];
}

const MAX_PROBLEMS = 5;

export class ProxyStats {
  private readonly byRoute = new Map<string, RouteStats>();
  private readonly routeOf = new Map<number, string>();
  private readonly decoders = new Map<number, ConnectionDecoder>();
  private associations = 0;
  private lastTime = 0;

  constructor(private readonly options: ConnectionDecoderOptions = {}) {}

  /** Connection `conn` came in on `route` (called before its first event). */
  assign(conn: number, route: string): void {
    this.routeOf.set(conn, route);
    this.stats(route);
  }

  push(event: WireEvent): void {
    if (event.time > this.lastTime) this.lastTime = event.time;
    const route = this.routeOf.get(event.conn) ?? '?';
    const s = this.stats(route);
    if (event.kind === 'refused') {
      s.refused += 1;
      this.problem(s, event.reason);
      this.routeOf.delete(event.conn);
      return;
    }
    if (event.kind === 'open') {
      s.connections += 1;
      this.associations += 1;
      this.decoders.set(event.conn, new ConnectionDecoder(`a${this.associations}`, event, this.options));
      return;
    }
    const decoder = this.decoders.get(event.conn);
    if (!decoder) return;
    let derived: DerivedEvent[];
    try {
      derived = decoder.push(event);
    } catch (e) {
      derived = [{ type: 'decode.error', association: decoder.association, time: event.time, from: null, offset: null, reason: `internal decoder error: ${(e as Error).message}` }];
    }
    this.count(s, derived);
    if (decoder.isEnded) {
      this.decoders.delete(event.conn);
      this.routeOf.delete(event.conn);
    }
  }

  /** The proxy stopped: connections still open are counted as such. */
  finish(): RouteStats[] {
    for (const [conn, decoder] of this.decoders) {
      const s = this.stats(this.routeOf.get(conn) ?? '?');
      this.count(s, decoder.finish(this.lastTime));
      if (!decoder.isEnded) s.outcomes.open = (s.outcomes.open ?? 0) + 1;
    }
    this.decoders.clear();
    return this.routes();
  }

  routes(): RouteStats[] {
    return [...this.byRoute.values()];
  }

  private count(s: RouteStats, derived: DerivedEvent[]): void {
    for (const d of derived) {
      if (d.type === 'dimse') s.messages[d.message.command] = (s.messages[d.message.command] ?? 0) + 1;
      else if (d.type === 'association.end') s.outcomes[d.outcome] = (s.outcomes[d.outcome] ?? 0) + 1;
      else if (d.type === 'decode.error') {
        s.decodeErrors += 1;
        this.problem(s, d.reason);
      }
    }
  }

  private problem(s: RouteStats, text: string): void {
    if (s.problems.length < MAX_PROBLEMS) s.problems.push(text);
  }

  private stats(route: string): RouteStats {
    let s = this.byRoute.get(route);
    if (!s) {
      s = { route, connections: 0, refused: 0, outcomes: {}, messages: {}, decodeErrors: 0, problems: [] };
      this.byRoute.set(route, s);
    }
    return s;
  }
}
