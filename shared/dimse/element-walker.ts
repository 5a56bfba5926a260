/**
 * A minimal streaming walker over the elements of a data set (PS3.5 §7):
 * Implicit VR Little Endian, Explicit VR Little Endian and Explicit VR Big
 * Endian, sequences of defined and undefined length (§7.5), encapsulated
 * pixel data fragments (A.4). It reads element headers only: values are
 * either handed to the listener (kept) or counted, never copied or looked at,
 * so skipping a large value costs nothing per byte.
 *
 * It checks what dcmjs does not: a value overrunning its item, sequence or
 * the data set, odd lengths, delimiters out of place. It never throws: a
 * problem it cannot walk past is "fatal" and from there on bytes are only
 * counted.
 */
import type { DataSetEncoding } from '../dicom/transfer-syntaxes.ts';

export const UNDEFINED_LENGTH = 0xffffffff;

/** Tags of the item and delimitation elements, PS3.5 §7.5. */
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR, PS3.5 Table 7.1-1. */
const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export interface ElementHeader {
  /** (group << 16 | element), unsigned. */
  tag: number;
  /** The VR on the wire (explicit) or from the dictionary (implicit; "UN" when unknown). */
  vr: string;
  /** Value length; UNDEFINED_LENGTH for undefined length. */
  length: number;
  headerLength: number;
  /** Offset of the element's first byte, relative to the data set. */
  offset: number;
  /** Stream offset of the element's first byte. */
  streamOffset: number;
}

export interface WalkerListener {
  /** A top-level element begins; return true to receive its bytes (header included) through `keep`. */
  topLevelStart(header: ElementHeader): boolean;
  /** Bytes of the current kept top-level element. A view: copy to keep. */
  keep(bytes: Uint8Array): void;
  /** The current top-level element is whole; `length` counts header, value, items and delimiters. */
  topLevelEnd(header: ElementHeader, length: number): void;
  /** The current top-level element cannot be completed (fatal problem or data set end); `seen` bytes of it were walked. */
  topLevelAbandon(header: ElementHeader, seen: number): void;
  /** A problem, with the offset relative to the data set and in the stream. */
  problem(offset: number, streamOffset: number, reason: string, fatal: boolean): void;
}

interface Container {
  kind: 'sq' | 'item' | 'fragments';
  /** Relative end offset for a defined length, null for undefined length. */
  end: number | null;
  explicitVr: boolean;
  littleEndian: boolean;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** "(7FE0,0010)" */
export function tagString(tag: number): string {
  return `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
}

export class ElementWalker {
  /** Bytes walked so far (relative offset of the next byte). */
  position = 0;
  private readonly hdr = new Uint8Array(12);
  private readonly hdrView = new DataView(this.hdr.buffer);
  private hdrLen = 0;
  private hdrNeed = 8;
  private hdrStream = 0;
  private valueRemaining = 0;
  private opaque = false;
  private readonly stack: Container[] = [];
  private top: ElementHeader | null = null;
  private topKept = false;

  constructor(
    private readonly encoding: DataSetEncoding,
    private readonly listener: WalkerListener,
    /** VR of a tag for implicit VR (PS3.6); undefined when unknown. */
    private readonly vrOf: (tag: number) => string | undefined = () => undefined,
  ) {}

  /** Walk the next bytes of the data set; `streamOffset` is the stream offset of bytes[0]. */
  push(bytes: Uint8Array, streamOffset: number): void {
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (this.opaque) {
        this.position += n - i;
        return;
      }
      if (this.valueRemaining > 0) {
        const take = Math.min(this.valueRemaining, n - i);
        if (this.topKept) this.listener.keep(bytes.subarray(i, i + take));
        i += take;
        this.position += take;
        this.valueRemaining -= take;
        if (this.valueRemaining === 0) this.settle();
        continue;
      }
      if (this.hdrLen === 0) this.hdrStream = streamOffset + i;
      const take = Math.min(this.hdrNeed - this.hdrLen, n - i);
      this.hdr.set(bytes.subarray(i, i + take), this.hdrLen);
      this.hdrLen += take;
      this.position += take;
      i += take;
      if (this.hdrLen === 8 && this.hdrNeed === 8) this.hdrNeed = this.headerLengthOf();
      if (this.hdrLen === this.hdrNeed) this.onHeader();
    }
  }

  /** The data set ended: report what was left unfinished. */
  finish(): void {
    if (this.opaque) return;
    const at = this.position;
    if (this.hdrLen > 0) {
      this.fail(at - this.hdrLen, this.hdrStream, `data set ends inside an element header (${this.hdrLen} of ${this.hdrNeed} bytes)`);
    } else if (this.valueRemaining > 0) {
      const what = this.top ? `element ${tagString(this.top.tag)}` : 'an element';
      this.fail(at, this.hdrStream, `${what} overruns the data set end by ${this.valueRemaining} bytes`);
    } else if (this.stack.length > 0) {
      const what = this.top ? tagString(this.top.tag) : '';
      this.fail(at, this.hdrStream, `data set ends inside sequence ${what} (no delimitation item)`);
    }
  }

  private current(): { explicitVr: boolean; littleEndian: boolean } {
    return this.stack.length > 0 ? this.stack[this.stack.length - 1] : this.encoding;
  }

  private readTag(littleEndian: boolean): number {
    return ((this.hdrView.getUint16(0, littleEndian) << 16) | this.hdrView.getUint16(2, littleEndian)) >>> 0;
  }

  /** 8 or 12, once the first 8 bytes of a header are in. */
  private headerLengthOf(): number {
    const { explicitVr, littleEndian } = this.current();
    if (!explicitVr || this.readTag(littleEndian) >>> 16 === 0xfffe) return 8;
    const vr = String.fromCharCode(this.hdr[4], this.hdr[5]);
    return LONG_VRS.has(vr) ? 12 : 8;
  }

  private fail(offset: number, streamOffset: number, reason: string): void {
    this.listener.problem(offset, streamOffset, reason, true);
    if (this.top) this.listener.topLevelAbandon(this.top, this.position - this.top.offset);
    this.top = null;
    this.topKept = false;
    this.opaque = true;
    this.hdrLen = 0;
    this.valueRemaining = 0;
    this.stack.length = 0;
  }

  private warn(offset: number, streamOffset: number, reason: string): void {
    this.listener.problem(offset, streamOffset, reason, false);
  }

  /** The nearest defined end of an enclosing item or sequence. */
  private enclosingEnd(): number | null {
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const end = this.stack[k].end;
      if (end !== null) return end;
    }
    return null;
  }

  private onHeader(): void {
    const headerLength = this.hdrLen;
    const { explicitVr, littleEndian } = this.current();
    const start = this.position - headerLength;
    const startStream = this.hdrStream;
    this.hdrLen = 0;
    this.hdrNeed = 8;
    const tag = this.readTag(littleEndian);
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
    let vr: string;
    let length: number;
    if (tag >>> 16 === 0xfffe) {
      vr = '';
      length = this.hdrView.getUint32(4, littleEndian);
    } else if (explicitVr) {
      vr = String.fromCharCode(this.hdr[4], this.hdr[5]);
      if (!/^[A-Z]{2}$/.test(vr)) {
        this.fail(start, startStream, `element ${tagString(tag)} has an invalid VR (bytes ${this.hdr[4]}, ${this.hdr[5]})`);
        return;
      }
      length = headerLength === 12 ? this.hdrView.getUint32(8, littleEndian) : this.hdrView.getUint16(6, littleEndian);
    } else {
      vr = this.vrOf(tag) ?? 'UN';
      length = this.hdrView.getUint32(4, littleEndian);
    }
    const limit = this.enclosingEnd();
    if (limit !== null && this.position > limit) {
      this.fail(start, startStream, `element header ${tagString(tag)} crosses the end of its item`);
      return;
    }
    if (length !== UNDEFINED_LENGTH && limit !== null && this.position + length > limit) {
      this.fail(start, startStream, `element ${tagString(tag)} length ${length} overruns its enclosing item by ${this.position + length - limit} bytes`);
      return;
    }
    const header: ElementHeader = { tag, vr, length, headerLength, offset: start, streamOffset: startStream };

    if (tag === ITEM) {
      if (parent?.kind === 'fragments') {
        if (length === UNDEFINED_LENGTH) {
          this.fail(start, startStream, 'encapsulated pixel data fragment has undefined length');
          return;
        }
        this.emitHeader(headerLength);
        this.beginValue(length);
        return;
      }
      if (parent?.kind !== 'sq') {
        this.fail(start, startStream, 'item (FFFE,E000) outside a sequence');
        return;
      }
      this.emitHeader(headerLength);
      this.stack.push({ kind: 'item', end: length === UNDEFINED_LENGTH ? null : this.position + length, explicitVr, littleEndian });
      this.settle();
      return;
    }
    if (tag === ITEM_DELIMITATION || tag === SEQUENCE_DELIMITATION) {
      if (length !== 0) this.warn(start, startStream, `${tagString(tag)} has length ${length}, expected 0`);
      const wanted = tag === ITEM_DELIMITATION ? ['item'] : ['sq', 'fragments'];
      this.emitHeader(headerLength);
      if (parent && parent.end === null && wanted.includes(parent.kind)) {
        this.stack.pop();
      } else {
        this.warn(start, startStream, `${tagString(tag)} out of place: ignored`);
      }
      this.settle();
      return;
    }
    if (tag >>> 16 === 0xfffe) {
      this.fail(start, startStream, `unknown delimiter tag ${tagString(tag)}`);
      return;
    }
    if (parent && parent.kind !== 'item') {
      this.fail(start, startStream, `element ${tagString(tag)} inside a sequence but outside an item`);
      return;
    }
    if (!parent) {
      this.top = header;
      this.topKept = this.listener.topLevelStart(header);
    }
    this.emitHeader(headerLength);
    if (length === UNDEFINED_LENGTH) {
      if (vr === 'SQ' || vr === 'UN') {
        // CP-246: an explicit VR "UN" of undefined length is a sequence encoded in Implicit VR Little Endian.
        const cp246 = explicitVr && vr === 'UN';
        this.stack.push({ kind: 'sq', end: null, explicitVr: cp246 ? false : explicitVr, littleEndian: cp246 ? true : littleEndian });
      } else if (vr === 'OB' || vr === 'OW' || vr === 'ox') {
        this.stack.push({ kind: 'fragments', end: null, explicitVr, littleEndian });
      } else {
        this.fail(start, startStream, `element ${tagString(tag)} (${vr}) has undefined length`);
      }
      return;
    }
    if (length % 2 !== 0) this.warn(start, startStream, `element ${tagString(tag)} has odd length ${length}`);
    if (vr === 'SQ') {
      this.stack.push({ kind: 'sq', end: this.position + length, explicitVr, littleEndian });
      this.settle();
      return;
    }
    this.beginValue(length);
  }

  private beginValue(length: number): void {
    this.valueRemaining = length;
    if (length === 0) this.settle();
  }

  private emitHeader(headerLength: number): void {
    if (this.topKept) this.listener.keep(this.hdr.subarray(0, headerLength));
  }

  /** Close the containers whose defined length is used up; end the top-level element when nothing is open. */
  private settle(): void {
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].end === this.position) this.stack.pop();
    if (this.stack.length === 0 && this.valueRemaining === 0 && this.top) {
      const top = this.top;
      this.top = null;
      this.topKept = false;
      this.listener.topLevelEnd(top, this.position - top.offset);
    }
  }
}
