/**
 * When a guarded socket is read (the guard's budgets, limits.ts): not while
 * more than `maxBufferedBytes` of its bytes wait to be handled, nor while all
 * connections together hold `maxTotalBufferedBytes` (the guard context wakes
 * it when there is room again), and one chunk per turn of the event loop
 * while messages of the last one still wait — so a burst is read, recorded
 * and decoded as it is handled, not all at once. TCP's flow control does the
 * rest: the peer's writes block.
 */
import type net from 'node:net';
import type { GuardContext, GuardedConnection } from './guard-context.ts';

export class ReadBudget {
  private accounted = 0;
  private paused = false;
  private yielding = false;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly ctx: GuardContext,
    private readonly owner: GuardedConnection,
  ) {}

  /** `held` bytes wait now (received, not handed on): accounted, and the socket paused or read on. */
  update(held: number): void {
    if (held !== this.accounted) {
      this.ctx.hold(held - this.accounted);
      this.accounted = held;
    }
    if (this.closed) return;
    const over = held > this.ctx.limits.maxBufferedBytes || (held > 0 && this.ctx.overBudget(this.owner));
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused) this.resume();
  }

  /** A chunk was handled and messages of it still wait: the next chunk only on the next turn. */
  yieldTurn(): void {
    if (this.paused || this.yielding || this.closed) return;
    this.yielding = true;
    this.socket.pause();
    setImmediate(() => {
      this.yielding = false;
      if (!this.paused && !this.closed) this.socket.resume();
    });
  }

  /** Read on, unless this connection's own budget is still exceeded. */
  resume(): void {
    if (!this.paused || this.closed || this.accounted > this.ctx.limits.maxBufferedBytes) return;
    this.paused = false;
    if (!this.yielding) this.socket.resume();
  }

  /** The connection is gone: whatever it held is given back. */
  close(): void {
    this.update(0);
    this.closed = true;
  }
}
