/**
 * One P-DATA-TF as it streams through the framer, PS3.8 §9.3.5: PDV item
 * headers (§9.3.5.1, message control header of Annex E.2) are read as they
 * arrive, value bytes are handed on as `pdv` events that are views of the
 * caller's chunk (no copy, no per-byte work), and the `pdu` event with every
 * PDV header follows when the PDU is whole. A PDV that cannot be framed is
 * reported and the rest of the PDU skipped (its length is still trusted).
 */
import type { FramerEvent, PdvHeader } from './types.ts';
import { u32 } from './bytes.ts';
import { PDU_HEADER_LENGTH } from './decode.ts';
import { makePdvHeader, PDV_HEADER_LENGTH, pdvHeaderIsOdd, pdvHeaderProblems, pdvLengthProblem } from './pdv.ts';

const PDV_HEADER = 0; // collecting a PDV item header
const PDV_VALUE = 1; // streaming a PDV value
const SKIP_REST = 2; // skipping the rest of the PDU after a PDV that cannot be framed

const EMPTY = new Uint8Array(0);

export class PDataStream {
  /** True when no P-DATA-TF is in progress (its `pdu` event was emitted, or it was abandoned). */
  done = true;
  private state = PDV_HEADER;
  private pduOffset = 0;
  private pduLength = 0;
  /** Bytes of the PDU not consumed yet (header bytes held in `scratch` count as not consumed). */
  private remaining = 0;
  private pdvs: PdvHeader[] = [];
  private readonly scratch = new Uint8Array(PDV_HEADER_LENGTH);
  private scratchLen = 0;
  private pdvOffset = 0;
  private pdv: PdvHeader | null = null;
  private pdvRemaining = 0;

  /** Stream offset of the P-DATA-TF in progress. */
  get offset(): number {
    return this.pduOffset;
  }

  /** Whole length of the P-DATA-TF in progress, header included. */
  get length(): number {
    return this.pduLength;
  }

  /** Bytes of the P-DATA-TF in progress not received yet. */
  get missing(): number {
    return this.remaining - this.scratchLen;
  }

  /**
   * Starts a P-DATA-TF at stream offset `at` with `declared` bytes after its
   * header. When declared ≥ 6, src[q, q+6) is its first PDV item header (the
   * framer saw it to trust the PDU), and it is consumed here.
   */
  begin(at: number, declared: number, src: Uint8Array, q: number, out: FramerEvent[]): void {
    this.done = false;
    this.pduOffset = at;
    this.pduLength = PDU_HEADER_LENGTH + declared;
    this.remaining = declared;
    this.pdvs = [];
    this.scratchLen = 0;
    this.state = PDV_HEADER;
    if (declared === 0) {
      out.push({ kind: 'error', offset: at, reason: 'P-DATA-TF carries no PDV item' });
      this.finish(out);
      return;
    }
    this.pdvOffset = at + PDU_HEADER_LENGTH;
    this.startPdv(src, q, out);
  }

  /** Drops the PDU in progress (bytes were lost): no `pdu` event. */
  abandon(): void {
    this.done = true;
    this.pdvs = [];
    this.pdv = null;
    this.scratchLen = 0;
  }

  /** Consumes bytes of the PDU from b[pos] (stream offset base + pos); returns the position after them. */
  feed(b: Uint8Array, pos: number, base: number, out: FramerEvent[]): number {
    while (pos < b.length && !this.done) {
      if (this.state === PDV_VALUE) {
        const k = Math.min(this.pdvRemaining, b.length - pos);
        this.pdvRemaining -= k;
        this.remaining -= k;
        const end = this.pdvRemaining === 0;
        out.push({ kind: 'pdv', header: this.pdv!, offset: base + pos, bytes: b.subarray(pos, pos + k), end });
        pos += k;
        if (end) this.afterPdv(out);
      } else if (this.state === PDV_HEADER) {
        pos = this.pdvHeader(b, pos, base, out);
      } else {
        const k = Math.min(this.remaining, b.length - pos);
        this.remaining -= k;
        pos += k;
        if (this.remaining === 0) this.finish(out);
      }
    }
    return pos;
  }

  private pdvHeader(b: Uint8Array, pos: number, base: number, out: FramerEvent[]): number {
    if (this.scratchLen === 0) {
      if (this.remaining < PDV_HEADER_LENGTH) {
        out.push({
          kind: 'error',
          offset: base + pos,
          reason: `${this.remaining} stray byte(s) at the end of the P-DATA-TF at offset ${this.pduOffset}, too short for a PDV item header`,
        });
        this.state = SKIP_REST;
        return pos;
      }
      this.pdvOffset = base + pos;
      if (b.length - pos >= PDV_HEADER_LENGTH) {
        this.startPdv(b, pos, out);
        return pos + PDV_HEADER_LENGTH;
      }
    }
    const k = Math.min(PDV_HEADER_LENGTH - this.scratchLen, b.length - pos);
    this.scratch.set(b.subarray(pos, pos + k), this.scratchLen);
    this.scratchLen += k;
    if (this.scratchLen === PDV_HEADER_LENGTH) {
      this.scratchLen = 0;
      this.startPdv(this.scratch, 0, out);
    }
    return pos + k;
  }

  /** A whole PDV item header at src[q] (stream offset this.pdvOffset): check it, then stream its value. */
  private startPdv(src: Uint8Array, q: number, out: FramerEvent[]): void {
    const itemLength = u32(src, q);
    const contextId = src[q + 4];
    const control = src[q + 5];
    const at = this.pdvOffset;
    const bad = pdvLengthProblem(itemLength, this.remaining - 4);
    this.remaining -= PDV_HEADER_LENGTH;
    if (bad !== null) {
      out.push({ kind: 'error', offset: at, reason: `${bad}: rest of the PDU skipped` });
      this.state = SKIP_REST;
      if (this.remaining === 0) this.finish(out);
      return;
    }
    if (pdvHeaderIsOdd(contextId, control)) {
      const problems: { offset: number; reason: string }[] = [];
      pdvHeaderProblems(at, contextId, control, problems);
      for (const p of problems) out.push({ kind: 'error', offset: p.offset, reason: p.reason });
    }
    const header = makePdvHeader(at, itemLength, contextId, control);
    this.pdvs.push(header);
    this.pdv = header;
    this.pdvRemaining = itemLength - 2;
    if (this.pdvRemaining === 0) {
      out.push({ kind: 'pdv', header, offset: at + PDV_HEADER_LENGTH, bytes: EMPTY, end: true });
      this.afterPdv(out);
    } else {
      this.state = PDV_VALUE;
    }
  }

  private afterPdv(out: FramerEvent[]): void {
    this.pdv = null;
    this.state = PDV_HEADER;
    if (this.remaining === 0) this.finish(out);
  }

  private finish(out: FramerEvent[]): void {
    out.push({ kind: 'pdu', pdu: { pduType: 0x04, name: 'P-DATA-TF', offset: this.pduOffset, length: this.pduLength, pdvs: this.pdvs } });
    this.pdvs = [];
    this.done = true;
  }
}
