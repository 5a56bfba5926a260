/**
 * What the guards of all DICOM ports of a process share: the limits
 * (limits.ts), the connections open now (to cap them), the associations
 * (to reject past the cap), the bytes held by all of them (to stop reading
 * past the budget), one timer that drives every connection's ARTIM and idle
 * deadline, and the record of what the guards did (counts and the latest
 * events, for /api/status and the UI).
 *
 * At the connection cap, a new connection first makes room by closing the
 * oldest connection that has not sent an A-ASSOCIATE-RQ yet (cheap to drop:
 * no association exists); only if every connection is an association is the
 * new one refused. So a flood of idle connections can neither exhaust file
 * descriptors nor keep real associations out, and established associations
 * go on.
 */
import type { UlState } from '../../../shared/pdu/state-machine.ts';
import type { GuardLimits } from './limits.ts';
import { resolveLimits } from './limits.ts';

/** What the context needs of a guarded connection (association-gate.ts). */
export interface GuardedConnection {
  readonly state: UlState;
  /** Closes a connection that has no association yet, to make room. */
  evict(why: string): void;
  /** Deadlines (ARTIM, idle) are checked here. */
  tick(now: number): void;
  /** The total budget has room again: read on if this connection stopped for it. */
  resume(): void;
}

export interface GuardEvent {
  time: number;
  endpoint: string;
  peer: string;
  /** Short kind, counted: "abort", "reject", "artim", "idle", "evicted", "refused", "refused-request", "dropped", "internal-error", "throttled". */
  kind: string;
  what: string;
}

const RECENT = 100;

export class GuardStats {
  readonly counts: Record<string, number> = {};
  private readonly recent: GuardEvent[] = [];

  note(event: GuardEvent): void {
    this.counts[event.kind] = (this.counts[event.kind] ?? 0) + 1;
    this.recent.push(event);
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
  }

  latest(): GuardEvent[] {
    return [...this.recent];
  }
}

export class GuardContext {
  readonly limits: GuardLimits;
  readonly stats = new GuardStats();
  /** Open connections, oldest first (a Set keeps insertion order). */
  private readonly connections = new Set<GuardedConnection>();
  private associationCount = 0;
  private buffered = 0;
  private starved = new Set<GuardedConnection>();
  private timer: NodeJS.Timeout | null = null;
  /** Connections accepted since start, and the most open at once. */
  accepted = 0;
  peakConnections = 0;

  constructor(limits: Partial<GuardLimits> = {}) {
    this.limits = resolveLimits(limits);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get associations(): number {
    return this.associationCount;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Room for one more connection: true (after closing the oldest one without an association, if needed) or false (refuse it). */
  admit(): boolean {
    if (this.connections.size < this.limits.maxConnections) return true;
    for (const c of this.connections) {
      if (c.state === 'Sta2') {
        c.evict(`connection limit (${this.limits.maxConnections}) reached: the oldest connection without an A-ASSOCIATE-RQ is closed to make room`);
        return this.connections.size < this.limits.maxConnections;
      }
    }
    return false;
  }

  add(c: GuardedConnection): void {
    this.connections.add(c);
    this.accepted++;
    this.peakConnections = Math.max(this.peakConnections, this.connections.size);
    if (this.timer === null) {
      const shortest = Math.min(this.limits.acseTimeout, this.limits.dimseTimeout) * 1000;
      this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, shortest / 4)));
      this.timer.unref();
    }
  }

  remove(c: GuardedConnection): void {
    this.connections.delete(c);
    this.starved.delete(c);
    if (this.connections.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** An association begins (A-ASSOCIATE-RQ acceptable): false past the cap. */
  openAssociation(): boolean {
    if (this.associationCount >= this.limits.maxAssociations) return false;
    this.associationCount++;
    return true;
  }

  closeAssociation(): void {
    this.associationCount = Math.max(0, this.associationCount - 1);
  }

  /** Held bytes changed by `delta`. */
  hold(delta: number): void {
    this.buffered += delta;
    if (delta < 0 && this.starved.size > 0 && this.buffered < this.limits.maxTotalBufferedBytes / 2) {
      const waiting = [...this.starved];
      this.starved.clear();
      for (const c of waiting) c.resume();
    }
  }

  /** True when all connections together hold as much as allowed: `c` is told when to read on. */
  overBudget(c: GuardedConnection): boolean {
    if (this.buffered < this.limits.maxTotalBufferedBytes) return false;
    this.starved.add(c);
    return true;
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of [...this.connections]) c.tick(now);
  }

  /** A snapshot for the status API. */
  status(): Record<string, unknown> {
    return {
      connections: this.connections.size,
      associations: this.associationCount,
      bufferedBytes: this.buffered,
      accepted: this.accepted,
      peakConnections: this.peakConnections,
      counts: { ...this.stats.counts },
      latest: this.stats.latest().slice(-20),
    };
  }
}
