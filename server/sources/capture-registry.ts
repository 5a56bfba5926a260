/**
 * The live captures of `pacscope serve` (`--capture IF`, and started or
 * stopped from the UI through /api/captures): each a LiveCapture feeding the
 * serve's capture hub, so captured connections are numbered, recorded, drawn
 * live and diagnosed like the built-in endpoints' (docs/architecture.md §2).
 * The packets dumpcap dropped become errors of the model (hub.sourceProblem)
 * and, with its counters, a metadata update of the recording when the
 * capture ends (capture-metadata.ts). A capture that ended stays listed with
 * its final counters (and why, if it failed).
 */
import type { CaptureHub } from '../capture/hub.ts';
import type { CaptureInfo, CaptureRequest } from '../../shared/events/live-api.ts';
import { LiveCapture } from './live-capture.ts';
import { CaptureError } from './dumpcap-problems.ts';
import { captureMetadata } from './capture-metadata.ts';

/** Ended captures kept in the list (the oldest go first). */
const MAX_ENDED = 20;

export class CaptureRegistry {
  private readonly running = new Map<string, LiveCapture>();
  private readonly ended: CaptureInfo[] = [];
  private next = 1;
  private closed = false;

  constructor(
    private readonly hub: CaptureHub,
    private readonly defaults: { bufferMiB?: number } = {},
  ) {}

  /** Starts a capture; rejects with a CaptureError saying what to do (no dumpcap, no such interface, no right, bad filter). */
  async start(request: CaptureRequest): Promise<CaptureInfo> {
    if (this.closed) throw new CaptureError('the server is stopping');
    const iface = typeof request.interface === 'string' ? request.interface.trim() : '';
    // A local interface by name or number only: dumpcap also reads pipes and files (-i PATH) and remote
    // captures (rpcap://, TCP@host:port), which a request to this server must not make it open.
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(iface)) throw new CaptureError(`give a network interface to capture on by its name or number, e.g. "lo" or "eth0" (dumpcap -D lists them), not "${iface}"`);
    const filter = typeof request.filter === 'string' ? request.filter : undefined;
    const id = `c${this.next++}`;
    const live = await LiveCapture.start({
      id,
      interface: iface,
      filter,
      bufferMiB: this.defaults.bufferMiB,
      sink: this.hub.sink,
      busy: () => this.hub.busy,
      nextConnection: () => this.hub.nextConnection(),
      onProblem: (reason, time) => this.hub.sourceProblem(reason, time),
      onEnd: () => this.retire(id, live),
    });
    if (this.closed) {
      await live.stop();
      throw new CaptureError('the server is stopping');
    }
    this.running.set(id, live);
    return live.info;
  }

  /** Every capture, running first, then the ended ones (newest first). */
  list(): CaptureInfo[] {
    return [...[...this.running.values()].map((c) => c.info), ...[...this.ended].reverse()];
  }

  /** Stops capture `id`; its final counters (dumpcap's drops), or null when no capture runs under that id. */
  async stop(id: string): Promise<CaptureInfo | null> {
    const live = this.running.get(id);
    if (!live) return null;
    const info = await live.stop();
    this.retire(id, live);
    return info;
  }

  /** The server stops: every capture is stopped and its counters recorded. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  private retire(id: string, live: LiveCapture | undefined): void {
    if (!live || this.running.get(id) !== live) return;
    this.running.delete(id);
    const info = live.info;
    this.hub.recordMetadata(captureMetadata(info, live.problems));
    this.ended.push(info);
    if (this.ended.length > MAX_ENDED) this.ended.shift();
  }
}
