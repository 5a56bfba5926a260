/**
 * Captures loopback traffic of some TCP ports to a pcapng file with dumpcap.
 * start() resolves only once dumpcap reports "Capturing on" (the interface is
 * open and the filter installed, so every later packet is kept); stop() waits
 * a moment for the last packets (FIN/ACK after a release), sends SIGINT and
 * waits for dumpcap to write the file and exit, then checks it dropped nothing.
 */
import { stat } from 'node:fs/promises';
import { RunningProcess } from './process.ts';

export interface CaptureResult {
  file: string;
  packets: number;
  dropped: number;
}

export class Capture {
  private constructor(
    readonly file: string,
    private readonly proc: RunningProcess,
  ) {}

  static async start(file: string, ports: readonly number[]): Promise<Capture> {
    const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
    const proc = new RunningProcess('dumpcap', ['-i', 'lo', '-f', filter, '-w', file]);
    await proc.waitFor(/Capturing on/, 10_000);
    return new Capture(file, proc);
  }

  async stop(settleMs = 250): Promise<CaptureResult> {
    await new Promise((r) => setTimeout(r, settleMs));
    const info = await this.proc.stop('SIGINT', 5000);
    const out = this.proc.output;
    if (info.code !== 0) throw new Error(`dumpcap ended with ${info.code ?? info.signal}:\n${out}`);
    const packets = Number(/Packets captured: (\d+)/.exec(out)?.[1] ?? NaN);
    const dropped = Number(/received\/dropped on interface '.*': \d+\/(\d+)/.exec(out)?.[1] ?? NaN);
    if (!Number.isFinite(packets)) throw new Error(`dumpcap printed no packet count:\n${out}`);
    if (dropped !== 0) throw new Error(`dumpcap dropped ${dropped} packets:\n${out}`);
    const size = (await stat(this.file)).size;
    if (size === 0) throw new Error(`capture file ${this.file} is empty`);
    return { file: this.file, packets, dropped };
  }
}
