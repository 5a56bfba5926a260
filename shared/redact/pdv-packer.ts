/**
 * Rewritten command sets and data sets back into P-DATA-TF PDUs (PS3.8
 * §9.3.5) no larger than the receiver's Maximum Length Received (PS3.8 Annex
 * D.1, which bounds the PDU's variable field: every PDV item with its 4-byte
 * length), one PDV per presentation context and message part, with the
 * message control header of Annex E.2: bit 0 command/data set, bit 1 on the
 * last fragment only.
 *
 * The caller flushes at the end of each input P-DATA-TF, so the output keeps
 * the sender's PDU boundaries wherever the lengths allow, and its timing.
 * Until a part is known to be complete, its last two bytes are held back:
 * when its end is announced there is always a fragment left to carry the
 * last bit (an empty fragment is only sent for a part that is empty as a
 * whole). Fragments are cut at even lengths, as data elements are even
 * (PS3.5 §7.1.1): Wireshark's dissector reports an odd PDV as invalid.
 */
import { PduType } from '../pdu/types.ts';

/** Used when the receiver set no limit (0) or none is known; output PDUs are never larger. */
export const MAX_OUTPUT_PDU = 4 << 20;
/** A receiver maximum below this cannot carry a message in sane pieces: it is raised to it. */
const MIN_OUTPUT_PDU = 64;
const PDV_HEADER = 6;

interface Segment {
  contextId: number;
  isCommand: boolean;
  chunks: Uint8Array[];
  /** Bytes not sent yet. */
  length: number;
  /** No more bytes will be added to this segment. */
  closed: boolean;
  /** Closed as the part's end: its final fragment carries the last bit. */
  last: boolean;
}

export class PdvPacker {
  private limit = MAX_OUTPUT_PDU;
  private queue: Segment[] = [];
  private queued = 0;

  constructor(private readonly emit: (pdu: Uint8Array) => void) {}

  /** The receiver's Maximum Length Received (0: unlimited). */
  setReceiverMaximum(max: number | null): void {
    this.limit = max === null || max <= 0 ? MAX_OUTPUT_PDU : Math.max(MIN_OUTPUT_PDU, Math.min(max, MAX_OUTPUT_PDU));
  }

  /** More bytes of a message part (command set or data set) on a presentation context. */
  write(contextId: number, isCommand: boolean, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const tail = this.queue[this.queue.length - 1];
    if (tail && !tail.closed && tail.contextId === contextId && tail.isCommand === isCommand) {
      tail.chunks.push(bytes);
      tail.length += bytes.length;
    } else {
      // A part interrupted by another keeps going in a new segment; the old one is no longer its end.
      const open = this.openSegment(contextId, isCommand);
      if (open) open.closed = true;
      this.queue.push({ contextId, isCommand, chunks: [bytes], length: bytes.length, closed: false, last: false });
    }
    this.queued += bytes.length;
    // A sender's PDU far larger than the limit (an unlimited receiver): do not hold it all.
    if (this.queued > 4 * this.limit) this.drain(true);
  }

  /** The part is over: `last` when it ended normally (last-fragment bit), false when it broke off. */
  end(contextId: number, isCommand: boolean, last: boolean): void {
    const open = this.openSegment(contextId, isCommand);
    if (open) {
      open.closed = true;
      open.last = last;
    } else if (last) {
      this.queue.push({ contextId, isCommand, chunks: [], length: 0, closed: true, last: true });
    }
  }

  /** At the end of an input P-DATA-TF: send what is queued, holding back the last byte of each open part. */
  flush(): void {
    this.drain(true);
  }

  /** Everything out, open parts included (without the last bit): the stream breaks off here. */
  flushAll(): void {
    for (const s of this.queue) s.closed = true;
    this.drain(false);
  }

  private openSegment(contextId: number, isCommand: boolean): Segment | undefined {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const s = this.queue[i];
      if (!s.closed && s.contextId === contextId && s.isCommand === isCommand) return s;
    }
    return undefined;
  }

  private drain(holdBack: boolean): void {
    // The PDVs of the PDU being built, as views of the queued bytes: copied once, into the PDU.
    let pdvs: { contextId: number; control: number; n: number; views: Uint8Array[] }[] = [];
    let used = 0;
    const send = () => {
      if (pdvs.length === 0) return;
      const pdu = new Uint8Array(6 + used);
      const v = new DataView(pdu.buffer);
      pdu[0] = PduType.PDataTf;
      v.setUint32(2, used);
      let o = 6;
      for (const p of pdvs) {
        v.setUint32(o, p.n + 2);
        pdu[o + 4] = p.contextId;
        pdu[o + 5] = p.control;
        o += PDV_HEADER;
        for (const view of p.views) {
          pdu.set(view, o);
          o += view.length;
        }
      }
      this.emit(pdu);
      pdvs = [];
      used = 0;
    };
    for (const s of this.queue) {
      let avail = holdBack && !s.closed ? Math.max(0, s.length - 2) & ~1 : s.length;
      let emptyLast = s.closed && s.last && s.length === 0;
      while (avail > 0 || emptyLast) {
        const space = (this.limit - used - PDV_HEADER) & ~1;
        if (space < Math.min(avail, 2)) {
          send();
          continue;
        }
        const n = Math.min(space, avail);
        const isLast = s.closed && s.last && n === s.length;
        pdvs.push({ contextId: s.contextId, control: (s.isCommand ? 0x01 : 0) | (isLast ? 0x02 : 0), n, views: take(s, n) });
        used += PDV_HEADER + n;
        avail -= n;
        emptyLast = false;
      }
    }
    send();
    // Closed segments went out whole; open ones keep their held-back bytes.
    this.queue = this.queue.filter((s) => !s.closed);
    this.queued = this.queue.reduce((n, s) => n + s.length, 0);
  }
}

/** The first `n` bytes of a segment, removed from it, as views. */
function take(s: Segment, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let need = n;
  while (need > 0) {
    const c = s.chunks[0];
    if (c.length <= need) {
      out.push(c);
      s.chunks.shift();
      need -= c.length;
    } else {
      out.push(c.subarray(0, need));
      s.chunks[0] = c.subarray(need);
      need = 0;
    }
  }
  s.length -= n;
  return out;
}
