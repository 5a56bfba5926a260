/**
 * Whether the peer reads what is sent to it: the time since the socket last
 * handed bytes to the kernel while bytes were waiting. A peer that stops
 * reading fills its receive window and ours, and the bytes the SCP writes
 * pile up in the socket's buffer; past the DIMSE timeout the guard closes
 * the connection (DCMTK blocks in its write until the same timeout).
 */
import type net from 'node:net';

export class WriteWatch {
  private written = 0;
  private progress = Date.now();

  constructor(private readonly socket: net.Socket) {}

  /** Milliseconds the socket has had bytes waiting without sending any (0 when nothing waits). */
  stalledFor(now: number): number {
    const written = this.socket.bytesWritten;
    if (written !== this.written || this.socket.writableLength === 0) {
      this.written = written;
      this.progress = now;
    }
    return now - this.progress;
  }
}
