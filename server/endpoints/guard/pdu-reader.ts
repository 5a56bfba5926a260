/**
 * Cuts one direction of a connection into PDUs (PS3.8 §9.3.1: type,
 * reserved byte, 32-bit length, body) for the guard, asking at each header
 * what to do before a byte of the body is held: read it (the whole PDU is
 * then handed over — a view of the caller's chunk when it lies in one, else
 * a copy assembled across chunks), skip it (counted, not held), or stop
 * reading altogether. So a header announcing 4 GiB costs nothing: it is
 * judged and refused on its six bytes.
 *
 * Views of a socket's chunks are safe to keep: Node does not reuse the
 * buffer of a chunk it has emitted.
 */
import { u32 } from '../../../shared/pdu/bytes.ts';

export const PDU_HEADER_LENGTH = 6;

export type HeaderDecision = 'read' | 'skip' | 'stop';

export interface PduHandler {
  /** A header is complete: `length` is the length field (the body's length). */
  header(type: number, reserved: number, length: number): HeaderDecision;
  /** A PDU read whole (header included); return false to stop reading. */
  pdu(bytes: Uint8Array): boolean;
}

export class PduReader {
  private readonly hdr = new Uint8Array(PDU_HEADER_LENGTH);
  private hdrLen = 0;
  private body: Uint8Array | null = null;
  private filled = 0;
  private skipping = 0;
  private stopped = false;

  /** Bytes held: a partial header and the part of a PDU body received so far. */
  get held(): number {
    return this.hdrLen + (this.body ? this.filled : 0);
  }

  /** True between a PDU's first byte and its last. */
  get midPdu(): boolean {
    return this.hdrLen > 0 || this.body !== null || this.skipping > 0;
  }

  stop(): void {
    this.stopped = true;
    this.body = null;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  feed(chunk: Uint8Array, handler: PduHandler): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.stopped) {
      if (this.skipping > 0) {
        const k = Math.min(this.skipping, n - pos);
        this.skipping -= k;
        pos += k;
        continue;
      }
      if (this.body !== null) {
        const body = this.body;
        const k = Math.min(body.length - this.filled, n - pos);
        body.set(chunk.subarray(pos, pos + k), this.filled);
        this.filled += k;
        pos += k;
        if (this.filled === body.length) {
          this.body = null;
          if (!handler.pdu(body)) this.stop();
        }
        continue;
      }
      // A whole header in the chunk, the common case: judged in place.
      let type: number;
      let reserved: number;
      let length: number;
      let start: number;
      if (this.hdrLen === 0 && n - pos >= PDU_HEADER_LENGTH) {
        start = pos;
        type = chunk[pos];
        reserved = chunk[pos + 1];
        length = u32(chunk, pos + 2);
        pos += PDU_HEADER_LENGTH;
      } else {
        const k = Math.min(PDU_HEADER_LENGTH - this.hdrLen, n - pos);
        this.hdr.set(chunk.subarray(pos, pos + k), this.hdrLen);
        this.hdrLen += k;
        pos += k;
        if (this.hdrLen < PDU_HEADER_LENGTH) continue;
        this.hdrLen = 0;
        start = -1;
        type = this.hdr[0];
        reserved = this.hdr[1];
        length = u32(this.hdr, 2);
      }
      const decision = handler.header(type, reserved, length);
      if (decision === 'stop') {
        this.stop();
        return;
      }
      if (decision === 'skip') {
        this.skipping = length;
        continue;
      }
      if (start >= 0 && n - pos >= length) {
        pos += length;
        if (!handler.pdu(chunk.subarray(start, pos))) this.stop();
        continue;
      }
      const body = new Uint8Array(PDU_HEADER_LENGTH + length);
      if (start >= 0) body.set(chunk.subarray(start, start + PDU_HEADER_LENGTH));
      else body.set(this.hdr);
      this.body = body;
      this.filled = PDU_HEADER_LENGTH;
      if (length === 0) {
        this.body = null;
        if (!handler.pdu(body)) this.stop();
      }
    }
  }
}
