/**
 * Proof that a loopback capture is live, and that every packet before a
 * moment has reached us. dumpcap opens the interface and writes its pcapng
 * header before the kernel hands it the first packet that passes the filter
 * (the interop harness saw a capture started that way miss a SYN and an
 * A-ASSOCIATE-RQ made right after), and when it is stopped it drops what the
 * kernel still holds (its "flushed" counter). So the filter also lets through
 * UDP datagrams to one port of 127.0.0.1, and the probe sends one with a
 * fresh random token every 20 ms until that token comes out of the pcapng
 * stream: at start, the capture sees traffic; before a stop, everything sent
 * before it was captured and read. The datagrams are not TCP, so the TCP
 * reassembly passes over them.
 *
 * Only where 127.0.0.1's traffic passes: `lo` and `any` (Linux routes even a
 * host's own addresses through lo, so another interface never sees it).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const PREFIX = 'pacscope-live-probe-';
const INTERVAL_MS = 20;

/** Interfaces where a datagram to 127.0.0.1 is captured. */
export function probeable(iface: string): boolean {
  return iface === 'lo' || iface === 'any' || iface.startsWith('lo:');
}

/** The BPF clause that lets the probe's datagrams through. */
export const probeFilter = (port: number): string => `(udp and dst host 127.0.0.1 and dst port ${port})`;

export class CaptureProbe {
  /** The token being looked for, as bytes; null when none is. */
  private wanted: Buffer | null = null;
  private seen: (() => void) | null = null;

  constructor(readonly port: number) {}

  /** Looks for the token in a chunk of the pcapng stream (cheap: only while a probe waits). */
  scan(chunk: Uint8Array): void {
    if (this.wanted === null) return;
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (b.indexOf(this.wanted) < 0) return;
    this.wanted = null;
    this.seen?.();
  }

  /**
   * Sends datagrams until one comes through the capture; rejects after
   * `timeoutMs` or when `stopped()` says the capture ended.
   */
  async roundTrip(timeoutMs: number, stopped: () => boolean): Promise<void> {
    const token = Buffer.from(`${PREFIX}${randomBytes(8).toString('hex')}`, 'latin1');
    const sock = createSocket('udp4');
    sock.on('error', () => undefined);
    let timer: NodeJS.Timeout | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        this.wanted = token;
        this.seen = resolve;
        const send = () => {
          if (this.wanted !== token) return;
          if (stopped()) return reject(new Error('the capture ended'));
          if (Date.now() > deadline) return reject(new Error(`no probe datagram came through the capture within ${timeoutMs} ms`));
          sock.send(token, this.port, '127.0.0.1');
          timer = setTimeout(send, INTERVAL_MS);
        };
        send();
      });
    } finally {
      if (timer) clearTimeout(timer);
      this.wanted = null;
      this.seen = null;
      sock.close();
    }
  }
}

/** A UDP port of 127.0.0.1 that nothing listens on (so the probes land nowhere): bound, read, closed. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}
