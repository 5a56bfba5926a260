/**
 * A live passive capture (issue 17): dumpcap on an interface writes pcapng to
 * a ring of files (dumpcap-process.ts, capture-spool.ts), read as they grow
 * by the same importer as a pcapng file
 * (shared/capture/pcap/pcap-importer.ts: the reader, the TCP
 * reassembly, DICOM found on any port from the A-ASSOCIATE-RQ, connections
 * joined mid-stream), and the wire events go to a sink — the serve's capture
 * hub (drawn live, recorded, diagnosed) or the headless capture of `pacscope
 * capture` (recorded, counted). docs/architecture.md §2: one pipeline for
 * every source; pacscope is not in the path of the traffic, the peers need no
 * change.
 *
 * Connection numbers: the importer numbers its connections 1, 2, …; each is
 * given a number of the sink's (`nextConnection`) when it opens, so captured
 * connections and the serve's own never share one.
 *
 * Problems that belong to no connection (a block dumpcap wrote that cannot be
 * read, the packets it dropped — known when it stops) go to `onProblem` as
 * `capture: …`, which the hub makes errors of the model (capture-health.ts
 * reports them).
 */
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { PcapImporter } from '../../shared/capture/pcap/pcap-importer.ts';
import { droppedPackets } from '../../shared/capture/pcap/interface-statistics.ts';
import type { CaptureInfo } from '../../shared/events/live-api.ts';
import { DumpcapProcess } from './dumpcap-process.ts';
import { CaptureError, explainFailure } from './dumpcap-problems.ts';
import { CaptureProbe, freeUdpPort, probeable, probeFilter } from './capture-probe.ts';

export const DEFAULT_CAPTURE_FILTER = 'tcp';
/**
 * dumpcap's kernel buffer, MiB (its -B): what the kernel holds while dumpcap
 * and its reader are busy; beyond it the kernel drops. dumpcap's default of
 * 2 MiB is a few milliseconds of a fast transfer. The capture benchmark's
 * 1 GB loopback C-STORE on 2 busy CPUs (test/bench/capture-bench.ts) made
 * even dumpcap alone, writing a file, drop with 64 MiB (865 packets), and
 * none with 256 MiB. The memory is dumpcap's (its ring, mapped), for as long
 * as the capture runs.
 */
export const DEFAULT_BUFFER_MIB = 256;
const PROBE_TIMEOUT_MS = 10_000;
const MAX_PROBLEMS = 100;

export interface LiveCaptureOptions {
  id?: string;
  interface: string;
  /** BPF, as the user gave it (default "tcp": pacscope reads TCP only). */
  filter?: string;
  bufferMiB?: number;
  /** TCP ports always taken as DICOM (besides detection from the A-ASSOCIATE-RQ or the PDU headers). */
  dicomPorts?: number[];
  /** Where the wire events go, and the numbers of its connections. */
  sink: (event: WireEvent) => void;
  nextConnection: () => number;
  /** A problem of the capture that belongs to no connection ("capture: …"). */
  onProblem?: (reason: string, time: number) => void;
  /** The capture ended by itself (dumpcap died, the interface went away): `info.error` says why. */
  onEnd?: (info: CaptureInfo) => void;
  /** dumpcap's path (default PACSCOPE_DUMPCAP or `dumpcap` on PATH). */
  command?: string;
  /**
   * True while the sink holds more than it should (wire events waiting to be
   * decoded, bytes waiting for its recording's disk): the capture reads no
   * further meanwhile, dumpcap's files wait on disk (capture-spool.ts).
   */
  busy?: () => boolean;
}

export class LiveCapture {
  private readonly importer: PcapImporter;
  private readonly dumpcap: DumpcapProcess;
  private readonly probe: CaptureProbe | null;
  /** The importer's connection numbers → the sink's. */
  private readonly numbers = new Map<number, number>();
  private readonly fins = new Map<number, number>();
  private reported = 0;
  private state: CaptureInfo['state'] = 'starting';
  private readonly started = new Date();
  private stoppedAt: Date | null = null;
  private error: string | null = null;
  private stopping: Promise<CaptureInfo> | null = null;
  private counts = { bytes: 0, connections: 0, refused: 0, gaps: 0, gapBytes: 0 };
  /** The problems reported so far (without the "capture: " prefix), the first MAX_PROBLEMS: what a recording keeps of them. */
  readonly problems: string[] = [];
  private dropped: number | null = null;
  private received: number | null = null;

  private constructor(
    private readonly o: LiveCaptureOptions & { filter: string },
    private readonly dumpcapFilter: string,
    probePort: number | null,
  ) {
    this.importer = new PcapImporter({ dicomPorts: o.dicomPorts ?? [] });
    this.probe = probePort === null ? null : new CaptureProbe(probePort);
    this.dumpcap = new DumpcapProcess({ interface: o.interface, filter: dumpcapFilter, bufferMiB: o.bufferMiB ?? DEFAULT_BUFFER_MIB, command: o.command, busy: o.busy }, (chunk) => this.chunk(chunk));
    void this.dumpcap.exited.then(() => this.ended());
  }

  /**
   * Starts dumpcap and resolves once the capture is live: on lo and any, once
   * a probe datagram came through (capture-probe.ts); elsewhere once dumpcap
   * opened the interface. Rejects with a CaptureError saying what to do.
   */
  static async start(options: LiveCaptureOptions): Promise<LiveCapture> {
    const filter = (options.filter ?? '').trim() || DEFAULT_CAPTURE_FILTER;
    const probePort = probeable(options.interface) ? await freeUdpPort() : null;
    const dumpcapFilter = probePort === null ? filter : `(${filter}) or ${probeFilter(probePort)}`;
    const c = new LiveCapture({ ...options, filter }, dumpcapFilter, probePort);
    try {
      await c.dumpcap.opened;
    } catch {
      const exit = await c.dumpcap.exited;
      throw new CaptureError(await explainFailure(exit, { interface: options.interface, filter: dumpcapFilter, userFilter: filter, command: c.dumpcap.command }));
    }
    if (c.probe) {
      try {
        await c.probe.roundTrip(PROBE_TIMEOUT_MS, () => !c.dumpcap.running);
      } catch (e) {
        const died = !c.dumpcap.running;
        await c.stop();
        if (died) throw new CaptureError(await explainFailure(await c.dumpcap.exited, { interface: options.interface, filter: dumpcapFilter, userFilter: filter, command: c.dumpcap.command }));
        throw new CaptureError(`the capture on ${options.interface} opened but saw no packet: ${(e as Error).message}`);
      }
    }
    if (c.state === 'starting') c.state = 'capturing';
    return c;
  }

  get id(): string {
    return this.o.id ?? this.o.interface;
  }

  get info(): CaptureInfo {
    return {
      id: this.id,
      interface: this.o.interface,
      filter: this.o.filter,
      state: this.state,
      started: this.started.toISOString(),
      stopped: this.stoppedAt?.toISOString() ?? null,
      packets: this.dumpcap.packets,
      ...this.counts,
      dropped: this.dropped,
      received: this.received,
      error: this.error,
    };
  }

  /** dumpcap's stderr so far (for --verbose and failures). */
  get log(): string {
    return this.dumpcap.log;
  }

  /**
   * Stops: on loopback a last probe first (every packet sent before now is
   * read), then dumpcap is stopped as Ctrl-C does, its last packets and its
   * counters are read, the reassembly is flushed (connections still open
   * stay open) and its drops are reported. Resolves with the final counters.
   */
  stop(): Promise<CaptureInfo> {
    this.stopping ??= (async () => {
      if (this.probe && this.dumpcap.running && this.state === 'capturing') await this.probe.roundTrip(2000, () => !this.dumpcap.running).catch(() => undefined);
      await this.dumpcap.stop();
      return this.ended();
    })();
    return this.stopping;
  }

  private chunk(chunk: Uint8Array): void {
    this.counts.bytes += chunk.length;
    this.probe?.scan(chunk);
    let events: WireEvent[];
    try {
      events = this.importer.push(chunk);
    } catch (e) {
      // §5: a bug in the reassembly must not end the capture silently; it is reported, the capture goes on.
      this.problem(`internal capture error: ${(e as Error).message}`);
      return;
    }
    this.deliver(events);
    this.reportImporterErrors();
  }

  private deliver(events: WireEvent[]): void {
    for (const e of events) {
      let conn = this.numbers.get(e.conn);
      if (e.kind === 'open' || e.kind === 'refused') {
        conn = this.o.nextConnection();
        this.numbers.set(e.conn, conn);
        if (e.kind === 'open') this.counts.connections += 1;
        else {
          this.counts.refused += 1;
          this.numbers.delete(e.conn);
        }
      } else if (conn === undefined) {
        continue; // an event of a connection already let go
      } else if (e.kind === 'gap') {
        this.counts.gaps += 1;
        this.counts.gapBytes += e.length;
      } else if (e.kind === 'close') {
        // Let the number go once the connection is over: after a reset, or both FINs.
        const fins = (this.fins.get(e.conn) ?? 0) + (e.how === 'fin' ? 1 : 2);
        if (fins >= 2) {
          this.numbers.delete(e.conn);
          this.fins.delete(e.conn);
        } else this.fins.set(e.conn, fins);
      }
      try {
        this.o.sink({ ...e, conn: conn! });
      } catch {
        // The sink's bug must not stop the capture (it is the hub's or the recorder's to report).
      }
    }
  }

  private reportImporterErrors(): void {
    const errors = this.importer.errors;
    for (; this.reported < errors.length; this.reported++) this.problem(errors[this.reported].reason);
  }

  private problem(reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(reason);
    this.o.onProblem?.(`capture: ${reason}`, Date.now());
  }

  /** dumpcap has exited (stopped, or by itself): the last events, the counters, the state — once. */
  private endedP: Promise<CaptureInfo> | null = null;
  private ended(): Promise<CaptureInfo> {
    return (this.endedP ??= this.finish());
  }

  private async finish(): Promise<CaptureInfo> {
    const exit = await this.dumpcap.exited;
    const wasCapturing = this.state === 'capturing';
    // Nothing read: dumpcap never opened the interface (its reason is the error), no stream to end.
    if (this.counts.bytes > 0) {
      this.deliver(this.importer.end());
      this.reportImporterErrors();
    }
    // The Interface Statistics Block first (what dumpcap wrote into the capture), its stderr account otherwise.
    const stats = this.importer.interfaceStatistics;
    const fromBlocks = stats.map(droppedPackets).filter((x): x is number => x !== null);
    const final = this.dumpcap.finalCounts;
    this.dropped = fromBlocks.length > 0 ? fromBlocks.reduce((a, b) => a + b, 0) : (final?.dropped ?? null);
    const received = stats.map((s) => s.received).filter((x): x is number => x !== null);
    this.received = received.length > 0 ? received.reduce((a, b) => a + b, 0) : (final?.received ?? null);
    if (fromBlocks.length === 0 && final && final.dropped > 0) {
      this.problem(`the capture dropped ${final.dropped} packet(s) on interface ${this.o.interface} (${dumpcapDrops(final)}; dumpcap's account: ${final.detail})`);
    }
    const byItself = this.stopping === null && wasCapturing;
    // Nobody asked it to stop: say why it ended.
    if (byItself) this.error = await explainFailure(exit, { interface: this.o.interface, filter: this.dumpcapFilter, userFilter: this.o.filter, command: this.dumpcap.command });
    this.state = wasCapturing && !byItself ? 'stopped' : 'failed';
    this.stoppedAt = new Date();
    const info = this.info;
    if (byItself) this.o.onEnd?.(info);
    return info;
  }
}

/**
 * dumpcap's breakdown "pcap:N/dumpcap:N/flushed:N/ps_ifdrop:N" in words:
 * pcap is libpcap's ps_drop (the kernel's capture buffer was full), dumpcap
 * its own queue, flushed what it discarded at the end, ps_ifdrop the
 * interface's (dumpcap.c, capture_loop_close_output).
 */
function dumpcapDrops(final: { received: number; detail: string }): string {
  const n = (key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(final.detail)?.[1] ?? 0);
  const parts = [
    n('pcap') ? `${n('pcap')} by the kernel's capture buffer` : null,
    n('dumpcap') ? `${n('dumpcap')} by dumpcap` : null,
    n('flushed') ? `${n('flushed')} flushed at the end` : null,
    n('ps_ifdrop') ? `${n('ps_ifdrop')} by the interface` : null,
    `${final.received} received`,
  ];
  return parts.filter((x): x is string => x !== null).join(', ');
}
