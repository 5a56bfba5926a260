/**
 * The framer: a byte stream (one direction of one TCP connection) in, PDUs
 * out, PS3.8 §9.3. PDUs other than P-DATA-TF are held whole and decoded;
 * a P-DATA-TF (§9.3.5) is streamed by pdata-stream.ts: PDV value bytes are
 * handed on as views of the caller's chunk, so memory stays bounded whatever
 * the PDU length. Any chunking of a stream gives the same events.
 *
 * A header that cannot be trusted, or a capture gap, makes the framer scan
 * for the next trustworthy header (see header-trust.ts), reporting the
 * skipped bytes once. Sans-IO, and it never throws: bad bytes are events.
 */
import type { FramerEvent } from './types.ts';
import { PduType } from './types.ts';
import { u32 } from './bytes.ts';
import { decodePdu, PDU_HEADER_LENGTH, PDU_NAMES } from './decode.ts';
import { judgeHeader, MAX_LOOKAHEAD, TRUSTED, untrustedReason } from './header-trust.ts';
import { PDataStream } from './pdata-stream.ts';
import { PDV_HEADER_LENGTH } from './pdv.ts';

export interface FramerOptions {
  /** A PDU other than P-DATA-TF longer than this (header included) is implausible: error and resynchronisation. Default 1 MiB. */
  maxBufferedPdu?: number;
  /**
   * The capture began after the connection did (WireOpen.midStream): the
   * first bytes may be the middle of a PDU, so scan for a trustworthy header
   * (the strict rules) before framing anything.
   */
  midStream?: boolean;
}

export const DEFAULT_MAX_BUFFERED_PDU = 1024 * 1024;

// States of the framer.
const HEADER = 0; // at a PDU boundary, collecting a header
const BODY = 1; // holding a PDU other than P-DATA-TF
const PDATA = 2; // streaming a P-DATA-TF
const SKIP = 3; // skipping the rest of a PDU cut by a capture gap
const SCAN = 4; // looking for a trustworthy header

export class PduFramer {
  private readonly maxBuffered: number;
  private state = HEADER;
  private total = 0;

  // HEADER: the header bytes seen so far when it spans chunks.
  private readonly scratch = new Uint8Array(MAX_LOOKAHEAD);
  private scratchLen = 0;
  private scratchOffset = 0;

  // The PDU in progress.
  private pduType = 0;
  private pduOffset = 0;
  private pduLength = 0;
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private readonly pdata = new PDataStream();
  private skipRemaining = 0;

  // SCAN: bytes kept because a candidate header needs more lookahead, and the skipped run.
  private pend: Uint8Array | null = null;
  private pendOffset = 0;
  private skipStart = 0;
  private skipped = 0;

  constructor(options: FramerOptions = {}) {
    const max = options.maxBufferedPdu;
    this.maxBuffered = typeof max === 'number' && max >= MAX_LOOKAHEAD ? max : DEFAULT_MAX_BUFFERED_PDU;
    if (options.midStream === true) this.enterScan(0);
  }

  /** Bytes consumed so far, capture gaps included: the stream offset of the next byte. */
  get offset(): number {
    return this.total;
  }

  push(chunk: Uint8Array): FramerEvent[] {
    const out: FramerEvent[] = [];
    const base = this.total;
    this.total += chunk.length;
    if (chunk.length === 0) return out;
    try {
      this.feed(chunk, base, out);
    } catch (e) {
      this.internalError(e, base, out);
    }
    return out;
  }

  gap(length: number): FramerEvent[] {
    const out: FramerEvent[] = [];
    if (!Number.isFinite(length) || length < 0) {
      out.push({ kind: 'error', offset: this.total, reason: `invalid capture gap length ${length}: ignored` });
      return out;
    }
    const lost = Math.floor(length);
    if (lost === 0) return out;
    const at = this.total;
    this.total += lost;
    try {
      this.onGap(at, lost, out);
    } catch (e) {
      this.internalError(e, at, out);
    }
    return out;
  }

  end(): FramerEvent[] {
    const out: FramerEvent[] = [];
    try {
      this.onEnd(out);
    } catch (e) {
      this.internalError(e, this.total, out);
    }
    this.reset(HEADER);
    return out;
  }

  // ——— the state machine ———

  private feed(chunk: Uint8Array, chunkBase: number, out: FramerEvent[]): void {
    let b = chunk;
    let base = chunkBase;
    let pos = 0;
    while (pos < b.length) {
      switch (this.state) {
        case HEADER:
          pos = this.scratchLen === 0 ? this.header(b, pos, base, out) : this.headerFromScratch(b, pos, base, out);
          break;
        case BODY: {
          const body = this.body!;
          const k = Math.min(body.length - this.bodyFilled, b.length - pos);
          body.set(b.subarray(pos, pos + k), this.bodyFilled);
          this.bodyFilled += k;
          pos += k;
          if (this.bodyFilled === body.length) {
            this.body = null;
            this.emitDecoded(body, out);
          }
          break;
        }
        case PDATA:
          pos = this.pdata.feed(b, pos, base, out);
          if (this.pdata.done) this.state = HEADER;
          break;
        case SKIP: {
          const k = Math.min(this.skipRemaining, b.length - pos);
          this.skipRemaining -= k;
          pos += k;
          if (this.skipRemaining === 0) this.state = HEADER;
          break;
        }
        default: {
          // SCAN: go on from the bytes kept for lookahead, if any.
          if (this.pend !== null) {
            const rest = b.subarray(pos);
            const joined = new Uint8Array(this.pend.length + rest.length);
            joined.set(this.pend);
            joined.set(rest, this.pend.length);
            b = joined;
            base = this.pendOffset;
            pos = 0;
            this.pend = null;
          }
          pos = this.scan(b, pos, base, out);
        }
      }
    }
  }

  /** HEADER with the header starting in this chunk at `pos`. */
  private header(b: Uint8Array, pos: number, base: number, out: FramerEvent[]): number {
    const avail = b.length - pos;
    const verdict = judgeHeader(b, pos, avail, false, this.maxBuffered);
    if (verdict === TRUSTED) return this.beginPdu(b, pos, base + pos, out);
    if (verdict > 0) {
      this.scratch.set(b.subarray(pos), 0);
      this.scratchLen = avail;
      this.scratchOffset = base + pos;
      return b.length;
    }
    this.untrusted(untrustedReason(b, pos, avail, this.maxBuffered), base + pos, out);
    this.enterScan(base + pos);
    this.skipped = 1;
    return pos + 1;
  }

  /** HEADER with part of the header already in scratch. */
  private headerFromScratch(b: Uint8Array, pos: number, base: number, out: FramerEvent[]): number {
    for (;;) {
      const verdict = judgeHeader(this.scratch, 0, this.scratchLen, false, this.maxBuffered);
      if (verdict > 0) {
        const k = Math.min(verdict - this.scratchLen, b.length - pos);
        this.scratch.set(b.subarray(pos, pos + k), this.scratchLen);
        this.scratchLen += k;
        pos += k;
        if (this.scratchLen < verdict) return pos;
        continue;
      }
      const len = this.scratchLen;
      const at = this.scratchOffset;
      this.scratchLen = 0;
      if (verdict === TRUSTED) {
        this.beginPdu(this.scratch.subarray(0, len), 0, at, out);
        return pos;
      }
      this.untrusted(untrustedReason(this.scratch, 0, len, this.maxBuffered), at, out);
      this.enterScan(at);
      this.skipped = 1;
      if (len > 1) {
        this.pend = this.scratch.slice(1, len);
        this.pendOffset = at + 1;
      }
      return pos;
    }
  }

  /**
   * Starts the trusted PDU whose header is at src[p] (stream offset `at`).
   * `src` is the caller's chunk or the scratch buffer; in scratch, exactly the
   * bytes the judgement needed are present (6, or 12 for a P-DATA-TF).
   * Returns the position in `src` after the bytes consumed.
   */
  private beginPdu(src: Uint8Array, p: number, at: number, out: FramerEvent[]): number {
    const declared = u32(src, p + 2);
    this.pduType = src[p];
    this.pduOffset = at;
    this.pduLength = PDU_HEADER_LENGTH + declared;
    if (this.pduType === PduType.PDataTf) {
      // The judgement saw the first PDV header (unless the PDU is empty): the stream takes it from here.
      this.pdata.begin(at, declared, src, p + PDU_HEADER_LENGTH, out);
      this.state = this.pdata.done ? HEADER : PDATA;
      return p + PDU_HEADER_LENGTH + (declared === 0 ? 0 : PDV_HEADER_LENGTH);
    }
    const available = src.length - p;
    if (available >= this.pduLength) {
      // Whole in this chunk: decode in place, no copy.
      this.emitDecoded(src.subarray(p, p + this.pduLength), out);
      return p + this.pduLength;
    }
    const body = new Uint8Array(this.pduLength);
    body.set(src.subarray(p));
    this.body = body;
    this.bodyFilled = available;
    this.state = BODY;
    return src.length;
  }

  private emitDecoded(bytes: Uint8Array, out: FramerEvent[]): void {
    const { pdu, problems } = decodePdu(bytes, this.pduOffset);
    if (pdu) out.push({ kind: 'pdu', pdu });
    for (const p of problems) out.push({ kind: 'error', offset: p.offset, reason: p.reason });
    this.state = HEADER;
  }

  // ——— resynchronisation ———

  private untrusted(reason: string, at: number, out: FramerEvent[]): void {
    out.push({ kind: 'error', offset: at, reason: `no valid PDU header at offset ${at}: ${reason}; scanning for the next PDU header` });
  }

  private enterScan(at: number): void {
    this.reset(SCAN);
    this.skipStart = at;
    this.skipped = 0;
  }

  /**
   * SCAN from b[pos]: returns where a trusted header starts (state HEADER), or
   * b.length. When `final` (the stream ended), a candidate that would need
   * more bytes to be judged is no header.
   */
  private scan(b: Uint8Array, pos: number, base: number, out: FramerEvent[], final = false): number {
    const n = b.length;
    for (let p = pos; p < n; p++) {
      const type = b[p];
      if (type < 1 || type > 7 || (p + 1 < n && b[p + 1] !== 0)) continue;
      const verdict = judgeHeader(b, p, n - p, true, this.maxBuffered);
      if (verdict < 0 || (verdict > 0 && final)) continue;
      this.skipped += p - pos;
      if (verdict > 0) {
        // Not enough bytes to judge: keep them (fewer than MAX_LOOKAHEAD) for the next chunk.
        this.pend = b.slice(p);
        this.pendOffset = base + p;
        return n;
      }
      this.reportSkip(`resynchronised at a PDU header at offset ${base + p}`, out);
      this.state = HEADER;
      return p;
    }
    this.skipped += n - pos;
    return n;
  }

  private reportSkip(where: string, out: FramerEvent[]): void {
    if (this.skipped > 0) {
      out.push({ kind: 'error', offset: this.skipStart, reason: `skipped ${this.skipped} byte(s) that are not PDUs; ${where}`, skipped: this.skipped });
    }
    this.skipped = 0;
  }

  // ——— gaps, end, safety ———

  private onGap(at: number, lost: number, out: FramerEvent[]): void {
    const what = `capture gap of ${lost} byte(s) at offset ${at}`;
    if (this.state === HEADER) {
      const cut = this.scratchLen > 0 ? ` cuts the PDU header at offset ${this.scratchOffset}` : '';
      out.push({ kind: 'error', offset: at, reason: `${what}${cut}: scanning for the next PDU header` });
      this.enterScan(at + lost);
      return;
    }
    if (this.state === SCAN) {
      this.skipped += this.pend?.length ?? 0;
      this.pend = null;
      this.reportSkip('a capture gap followed', out);
      out.push({ kind: 'error', offset: at, reason: `${what}: scanning for the next PDU header` });
      this.enterScan(at + lost);
      return;
    }
    const name = PDU_NAMES.get(this.pduType) ?? 'PDU';
    const remaining = this.missing();
    if (lost <= remaining) {
      out.push({
        kind: 'error',
        offset: at,
        reason: `${what} inside the ${name} at offset ${this.pduOffset}: the PDU is lost; framing resumes at offset ${at + remaining}`,
      });
      this.reset(HEADER);
      this.skipRemaining = remaining - lost;
      if (this.skipRemaining > 0) this.state = SKIP;
      return;
    }
    out.push({ kind: 'error', offset: at, reason: `${what} runs past the end of the ${name} at offset ${this.pduOffset}: scanning for the next PDU header` });
    this.enterScan(at + lost);
  }

  private onEnd(out: FramerEvent[]): void {
    // Bytes kept for lookahead can hold no candidate header now; scan them once more, to the end.
    while (this.state === SCAN && this.pend !== null) {
      const b = this.pend;
      const base = this.pendOffset;
      this.pend = null;
      const p = this.scan(b, 0, base, out, true);
      if (p < b.length) this.feed(b.subarray(p), base + p, out);
    }
    const name = PDU_NAMES.get(this.pduType) ?? 'PDU';
    switch (this.state) {
      case HEADER:
        if (this.scratchLen > 0)
          out.push({ kind: 'error', offset: this.scratchOffset, reason: `stream ended inside a PDU header: ${this.scratchLen} byte(s) at offset ${this.scratchOffset}` });
        break;
      case SCAN:
        this.skipped += this.pend?.length ?? 0;
        this.reportSkip('the stream ended', out);
        break;
      case SKIP:
        out.push({ kind: 'error', offset: this.pduOffset, reason: `stream ended inside the ${name} at offset ${this.pduOffset}: ${this.skipRemaining} byte(s) missing` });
        break;
      default: {
        const missing = this.missing();
        out.push({
          kind: 'error',
          offset: this.pduOffset,
          reason: `stream ended inside the ${name} at offset ${this.pduOffset}: ${this.pduLength - missing} of ${this.pduLength} bytes received`,
        });
      }
    }
  }

  /** Bytes of the PDU in progress not received yet (BODY, PDATA, SKIP). */
  private missing(): number {
    if (this.state === PDATA) return this.pdata.missing;
    if (this.state === BODY) return this.pduLength - this.bodyFilled;
    return this.skipRemaining;
  }

  private reset(state: number): void {
    this.state = state;
    this.scratchLen = 0;
    this.body = null;
    this.bodyFilled = 0;
    this.pdata.abandon();
    this.skipRemaining = 0;
    this.pend = null;
    this.skipped = 0;
  }

  /** A safety net only: the framer checks every bound. Whatever happened, scan on from the current offset. */
  private internalError(e: unknown, at: number, out: FramerEvent[]): void {
    out.push({ kind: 'error', offset: at, reason: `internal framer error: ${e instanceof Error ? e.message : String(e)}; scanning for the next PDU header` });
    this.enterScan(this.total);
  }
}
