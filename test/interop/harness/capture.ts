/**
 * Captures loopback traffic of some TCP ports to a pcapng file with dumpcap.
 *
 * dumpcap prints "Capturing on" before its filter is really live (observed:
 * a capture started that way missed the SYN and the A-ASSOCIATE-RQ of a
 * connection made right after), and it buffers its output file. So dumpcap
 * writes to a pipe (`-w -`, flushed per packet) and the filter also lets
 * through UDP datagrams to a probe port: start() sends probes until one comes
 * back through the pipe, stop() sends one more and waits for it, so every
 * packet before it has been written. The probe datagrams are left out of the
 * file (the pcapng blocks are copied one by one), which holds only the TCP
 * traffic of the ports asked for.
 */
import { createSocket } from 'node:dgram';
import { createWriteStream, type WriteStream } from 'node:fs';
import { freePort } from './net.ts';
import { RunningProcess } from './process.ts';

export interface CaptureResult {
  file: string;
  /** Packets written to the file (probes excluded). */
  packets: number;
  dropped: number;
}

const PROBE_PREFIX = 'pacscope-capture-probe-';

/** Splits a little-endian pcapng byte stream into blocks; tells probe packets (UDP) apart. */
class PcapngFilter {
  private pending: Buffer = Buffer.alloc(0);
  packets = 0;
  /** Tokens of the probes that came through: each probe() waits for its own token, so a late probe of an earlier round never passes for it. */
  readonly probesSeen = new Set<string>();

  constructor(private readonly out: WriteStream) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 12) {
      const type = this.pending.readUInt32LE(0);
      const length = this.pending.readUInt32LE(4);
      if (type === 0x0a0d0d0a && this.pending.readUInt32LE(8) !== 0x1a2b3c4d) throw new Error('big-endian pcapng from dumpcap: not supported');
      if (length < 12 || this.pending.length < length) break;
      const block = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      if (type === 6 && isUdp(block)) {
        const text = block.toString('latin1');
        const at = text.indexOf(PROBE_PREFIX);
        if (at >= 0) this.probesSeen.add(text.slice(at, at + PROBE_PREFIX.length + 12));
        continue;
      }
      if (type === 6) this.packets++;
      this.out.write(block);
    }
  }
}

/** An Enhanced Packet Block whose Ethernet frame carries IPv4 UDP. */
function isUdp(epb: Buffer): boolean {
  const data = 28; // block header 8 + interface 4 + timestamp 8 + captured/original length 8
  const captured = epb.readUInt32LE(20);
  if (captured < 14 + 20) return false;
  const etherType = epb.readUInt16BE(data + 12);
  return etherType === 0x0800 && epb[data + 14 + 9] === 17;
}

export class Capture {
  private constructor(
    readonly file: string,
    private readonly proc: RunningProcess,
    private readonly filter: PcapngFilter,
    private readonly out: WriteStream,
    private readonly probePort: number,
  ) {}

  static async start(file: string, ports: readonly number[]): Promise<Capture> {
    const probePort = await freePort();
    const filter = [...ports.map((p) => `tcp port ${p}`), `udp dst port ${probePort}`].join(' or ');
    const out = createWriteStream(file);
    const pcapng = new PcapngFilter(out);
    // A kernel buffer of 64 MiB (dumpcap's default is 2): tens of parallel associations on a busy 2-core machine overflowed it.
    const proc = new RunningProcess('dumpcap', ['-i', 'lo', '-B', '64', '-f', filter, '-w', '-'], { stdout: (chunk) => pcapng.push(chunk) });
    const capture = new Capture(file, proc, pcapng, out, probePort);
    try {
      await proc.waitFor(/Capturing on/, 10_000);
      await capture.probe(10_000);
    } catch (err) {
      await proc.stop('SIGINT', 2000);
      out.close();
      throw err;
    }
    return capture;
  }

  /** Sends UDP probes until one has come through dumpcap's pipe. */
  private async probe(timeoutMs: number): Promise<void> {
    const token = `${PROBE_PREFIX}${Math.random().toString(36).slice(2, 14).padEnd(12, '0')}`;
    const payload = Buffer.from(token, 'latin1');
    const sock = createSocket('udp4');
    const deadline = Date.now() + timeoutMs;
    try {
      while (!this.filter.probesSeen.has(token)) {
        if (this.proc.hasExited) throw new Error(`dumpcap exited:\n${this.proc.output}`);
        if (Date.now() > deadline) throw new Error(`dumpcap did not capture a probe within ${timeoutMs} ms:\n${this.proc.output}`);
        sock.send(payload, this.probePort, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      sock.close();
    }
  }

  async stop(settleMs = 100): Promise<CaptureResult> {
    // Let the peers finish closing (FIN/ACK after the release), then prove everything before is through.
    await new Promise((r) => setTimeout(r, settleMs));
    let probeError: unknown = null;
    await this.probe(5000).catch((err: unknown) => (probeError = err));
    const info = await this.proc.stop('SIGINT', 5000);
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const log = this.proc.output;
    if (probeError) throw probeError;
    if (info.code !== 0) throw new Error(`dumpcap ended with ${info.code ?? info.signal}:\n${log}`);
    const dropped = Number(/received\/dropped on interface '.*': \d+\/(\d+)/.exec(log)?.[1] ?? NaN);
    if (dropped !== 0) throw new Error(`dumpcap dropped ${dropped} packets:\n${log}`);
    if (this.filter.packets === 0) throw new Error(`capture ${this.file} holds no packet`);
    return { file: this.file, packets: this.filter.packets, dropped };
  }
}
