/**
 * The capture of `pacscope proxy` (no UI): each wire event goes to the
 * recording (when there is one) and to the bounded statistics, nothing else
 * is kept. `pacscope serve --route` uses its CaptureHub instead, which keeps
 * the live model for the UI.
 *
 * Events are taken after the relaying, not between: the relay hands an event
 * over and goes on, and the events of one turn of the event loop are recorded
 * and decoded together once every socket that was ready has been relayed
 * (setImmediate runs after the poll phase). A data set arriving on one socket
 * then no longer delays the response waiting on another. The bytes are
 * borrowed from the relay's read slabs (`lend`) and released once recorded
 * (the recording copies them into its stages) and counted (the decoder
 * copies what it keeps), so holding them until then copies nothing; above
 * MAX_BACKLOG_BYTES in one turn they are taken at once, so memory stays bounded.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { ConnectionCounter } from '../sources/tap.ts';
import { ProxyStats } from './proxy-stats.ts';
import type { Lease } from './read-slabs.ts';
import type { ProxyCapture } from './relay.ts';
import type { RotatingRecorder } from './rotating-recorder.ts';

const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export class HeadlessCapture implements ProxyCapture {
  private readonly counter = new ConnectionCounter();
  /**
   * Data sets are measured, not decoded (no identifiers held: maxDataSetBytes
   * 0): the counts need PDUs and command sets only, and decoding identifiers
   * with dcmjs would cost most of the relay thread's decoding time.
   * `pacscope summary FILE` decodes everything from the recording.
   */
  readonly stats = new ProxyStats({ maxDataSetBytes: 0 });
  /** Sees every event after the recording and the statistics (the CLI's --verbose log). */
  listener: ((event: WireEvent) => void) | null = null;
  private backlog: WireEvent[] = [];
  /** The relay's lease of each borrowed event in `backlog` (null for events of its own). */
  private leases: (Lease | null)[] = [];
  private backlogBytes = 0;
  private scheduled = false;

  constructor(readonly recorder: RotatingRecorder | null) {}

  nextConnection(): number {
    return this.counter.next();
  }

  readonly sink = (event: WireEvent): void => this.take(event, null);

  readonly lend = (event: WireEvent & { kind: 'data' }, lease: Lease): void => this.take(event, lease);

  private take(event: WireEvent, lease: Lease | null): void {
    this.backlog.push(event);
    this.leases.push(lease);
    if (event.kind === 'data') this.backlogBytes += event.bytes.length;
    if (this.backlogBytes > MAX_BACKLOG_BYTES) return this.drain();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.drain();
      });
    }
  }

  /** Records and counts every event handed over so far. */
  drain(): void {
    const events = this.backlog;
    const leases = this.leases;
    this.backlog = [];
    this.leases = [];
    this.backlogBytes = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      try {
        this.recorder?.write(event);
        this.stats.push(event);
        this.listener?.(event);
      } finally {
        leases[i]?.release();
      }
    }
  }

  /** Everything handed over so far is in the recording file. */
  async flush(): Promise<void> {
    this.drain();
    await this.recorder?.flush();
  }

  /**
   * The proxy has stopped (its connections closed): the last events are
   * taken, and the recording is flushed and closed (rejects with its first
   * write error). `stats.finish()` then gives the final counts.
   */
  async close(): Promise<void> {
    this.drain();
    await this.recorder?.close();
  }
}
