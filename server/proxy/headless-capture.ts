/**
 * The capture of `pacscope proxy` (no UI): each wire event goes to the
 * recording (when there is one) and to the bounded statistics, nothing else
 * is kept. `pacscope serve --route` uses its CaptureHub instead, which keeps
 * the live model for the UI.
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { ConnectionCounter } from '../sources/tap.ts';
import { ProxyStats } from './proxy-stats.ts';
import type { ProxyCapture } from './relay.ts';
import type { RotatingRecorder } from './rotating-recorder.ts';

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

  constructor(readonly recorder: RotatingRecorder | null) {}

  nextConnection(): number {
    return this.counter.next();
  }

  readonly sink = (event: WireEvent): void => {
    this.recorder?.write(event);
    this.stats.push(event);
    this.listener?.(event);
  };
}
