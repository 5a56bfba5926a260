/**
 * Collects the data set of one DIMSE message as its fragments arrive (PS3.7
 * §6.3.1, PS3.8 Annex E.2) with bounded memory: an element walker reads the
 * element headers; small top-level elements are copied into a held buffer
 * (at most `maxBytes`); bulk attributes and anything past the limit are only
 * measured and listed in `skipped` with the length of the whole element
 * (header, value, items and delimiters). At the end the held elements, a
 * valid data set of whole top-level elements, are decoded with dcmjs.
 */
import { concatBytes } from '../pdu/bytes.ts';
import { ElementWalker, UNDEFINED_LENGTH } from './element-walker.ts';
import type { ElementHeader, WalkerListener } from './element-walker.ts';
import { BULK_THRESHOLD, decodeDataSet, dictionaryEntry, inflateDataSet, keywordOf } from './dataset.ts';
import {
  EXPLICIT_VR_BE,
  EXPLICIT_VR_LE,
  IMPLICIT_VR_LE,
  dataSetEncoding,
  nativeSyntaxOf,
} from '../dicom/transfer-syntaxes.ts';
import type { DataSetEncoding } from '../dicom/transfer-syntaxes.ts';
import type { DataSetSummary } from './types.ts';

/** A problem with its stream offset. */
export interface DataSetProblem {
  offset: number;
  reason: string;
}

/** Bulk data attributes, never decoded: Float/Double Float Pixel Data, Pixel Data (PS3.6), Waveform Data. */
const BULK_TAGS: ReadonlySet<number> = new Set([0x7fe00008, 0x7fe00009, 0x7fe00010, 0x54001010]);
/** Binary VRs: bulk above BULK_THRESHOLD ("ox" is the dictionary's OB-or-OW). */
const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN', 'ox']);
const SPECIFIC_CHARACTER_SET = 0x00080005;
/** Problems reported per data set (a broken writer can make every element odd). */
const MAX_PROBLEMS = 20;

function isBulk(h: ElementHeader): boolean {
  if (BULK_TAGS.has(h.tag)) return true;
  // Overlay Data (60xx,3000), repeating groups 6000–601E.
  if ((h.tag >>> 16 & 0xff01) === 0x6000 && (h.tag & 0xffff) === 0x3000) return true;
  return BINARY_VRS.has(h.vr) && (h.length === UNDEFINED_LENGTH || h.length > BULK_THRESHOLD);
}

const latin1 = new TextDecoder('latin1');

/**
 * The one term dcmjs is told for a multi-valued Specific Character Set
 * (PS3.3 C.12.1.1.2): dcmjs only honours the first value, which for ISO 2022
 * code extensions is usually empty ("\ISO 2022 IR 87"). The Japanese
 * extensions decode with ISO-2022-JP, which switches on the escape sequences.
 */
function effectiveCharset(terms: string[]): string {
  if (terms.some((t) => t === 'ISO 2022 IR 87' || t === 'ISO 2022 IR 159')) return 'ISO 2022 IR 87';
  return terms.find((t) => t !== '' && t !== 'ISO 2022 IR 6') ?? '';
}

/** Sniff the encoding of a data set whose transfer syntax is unknown, from its first element header. */
function sniffEncoding(first: Uint8Array): DataSetEncoding {
  if (first.length < 6) return IMPLICIT_VR_LE;
  const explicit = /^[A-Z]{2}$/.test(String.fromCharCode(first[4], first[5]));
  if (!explicit) return IMPLICIT_VR_LE;
  return first[0] === 0 && first[1] !== 0 ? EXPLICIT_VR_BE : EXPLICIT_VR_LE;
}

export class DataSetCollector implements WalkerListener {
  /** Bytes of the data set seen (all fragments). */
  length = 0;
  private held: Uint8Array = new Uint8Array(0);
  private heldLength = 0;
  private truncated = false;
  private readonly skipped: Record<string, number> = {};
  private readonly problems: DataSetProblem[] = [];
  private topStart = 0;
  private topOverflow = false;
  private topKept = false;
  private charset: string | null = null;
  /** The single term dcmjs was given (see rewriteCharset). */
  private charsetTerm: string | null = null;
  private encoding: DataSetEncoding | null;
  private walker: ElementWalker | null = null;
  /** Deflated data sets are held raw (up to the limit) and walked once inflated. */
  private readonly deflated: boolean;
  /** First bytes kept while the encoding of an unknown transfer syntax is sniffed. */
  private sniff: { bytes: Uint8Array; offset: number } | null = null;

  constructor(
    private readonly transferSyntax: string | null,
    private readonly maxBytes: number,
  ) {
    this.encoding = transferSyntax ? dataSetEncoding(transferSyntax) : null;
    this.deflated = this.encoding?.deflated ?? false;
    if (this.encoding && !this.deflated) this.walker = this.newWalker(this.encoding);
  }

  private newWalker(encoding: DataSetEncoding): ElementWalker {
    return new ElementWalker(encoding, this, (tag) => dictionaryEntry(tag)?.vr);
  }

  /** The next bytes of the data set; `streamOffset` is the stream offset of bytes[0]. */
  push(bytes: Uint8Array, streamOffset: number): void {
    this.length += bytes.length;
    if (this.deflated) {
      this.holdRaw(bytes);
      return;
    }
    if (!this.walker) {
      const prev = this.sniff;
      const joined = prev ? concatBytes([prev.bytes, bytes]) : bytes.slice();
      this.sniff = { bytes: joined, offset: prev ? prev.offset : streamOffset };
      if (joined.length < 6) return;
      this.startSniffed();
      return;
    }
    this.walker.push(bytes, streamOffset);
  }

  private startSniffed(): void {
    const sniff = this.sniff;
    this.sniff = null;
    this.encoding = sniffEncoding(sniff ? sniff.bytes : new Uint8Array(0));
    this.walker = this.newWalker(this.encoding);
    if (sniff) this.walker.push(sniff.bytes, sniff.offset);
  }

  private holdRaw(bytes: Uint8Array): void {
    const room = this.maxBytes - this.heldLength;
    if (bytes.length > room) this.truncated = true;
    this.append(room >= bytes.length ? bytes : bytes.subarray(0, Math.max(0, room)));
  }

  private append(bytes: Uint8Array): void {
    const need = this.heldLength + bytes.length;
    if (need > this.held.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(need, this.held.length * 2, 4096)));
      grown.set(this.held.subarray(0, this.heldLength));
      this.held = grown;
    }
    this.held.set(bytes, this.heldLength);
    this.heldLength = need;
  }

  private skip(tag: number, length: number): void {
    const key = keywordOf(tag);
    this.skipped[key] = (this.skipped[key] ?? 0) + length;
  }

  // WalkerListener

  topLevelStart(h: ElementHeader): boolean {
    this.topStart = this.heldLength;
    this.topOverflow = false;
    this.topKept = false;
    if (this.truncated || isBulk(h)) return false;
    if (h.length !== UNDEFINED_LENGTH && this.heldLength + h.headerLength + h.length > this.maxBytes) {
      this.truncated = true;
      return false;
    }
    this.topKept = true;
    return true;
  }

  keep(bytes: Uint8Array): void {
    if (this.topOverflow) return;
    if (this.heldLength + bytes.length > this.maxBytes) {
      // An undefined-length sequence outgrew the limit: cut at the last whole top-level element.
      this.heldLength = this.topStart;
      this.topOverflow = true;
      this.truncated = true;
      return;
    }
    this.append(bytes);
  }

  topLevelEnd(h: ElementHeader, length: number): void {
    if (!this.topKept || this.topOverflow) this.skip(h.tag, length);
    else if (h.tag === SPECIFIC_CHARACTER_SET) this.rewriteCharset(h);
  }

  topLevelAbandon(h: ElementHeader, seen: number): void {
    this.heldLength = this.topStart;
    this.skip(h.tag, seen);
  }

  problem(_offset: number, streamOffset: number, reason: string, _fatal: boolean): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ offset: streamOffset, reason });
    else if (this.problems.length === MAX_PROBLEMS) this.problems.push({ offset: streamOffset, reason: 'more problems in this data set: not reported' });
  }

  /** Keep the wire value of (0008,0005) and give dcmjs one term it can use. */
  private rewriteCharset(h: ElementHeader): void {
    const start = this.topStart;
    const value = latin1.decode(this.held.subarray(start + h.headerLength, this.heldLength)).replace(/[\0 ]+$/, '');
    this.charset = value;
    const terms = value.split('\\').map((t) => t.trim());
    this.charsetTerm = terms[0];
    if (terms.length <= 1 || !this.encoding) return;
    const term = effectiveCharset(terms);
    this.charsetTerm = term;
    this.heldLength = start;
    this.append(encodeShortElement(SPECIFIC_CHARACTER_SET, 'CS', term, this.encoding));
  }

  /** The data set is complete. */
  finish(): { summary: DataSetSummary; problems: DataSetProblem[] } {
    if (this.deflated) return this.finishDeflated();
    if (!this.walker) this.startSniffed();
    this.walker?.finish();
    const encoding = this.encoding ?? IMPLICIT_VR_LE;
    const decoded = decodeDataSet(this.held.subarray(0, this.heldLength), nativeSyntaxOf(encoding), this.charsetTerm);
    const attributes = decoded.attributes;
    if (this.charset !== null && 'SpecificCharacterSet' in attributes) {
      const terms = this.charset.split('\\').map((t) => t.trim());
      attributes.SpecificCharacterSet = terms.length === 1 ? terms[0] : terms;
    }
    const errors: string[] = [];
    if (!this.transferSyntax) errors.push(`transfer syntax unknown: read as ${describe(encoding)} by guess`);
    errors.push(...this.problems.map((p) => p.reason));
    if (decoded.error) errors.push(decoded.error);
    return {
      summary: {
        length: this.length,
        transferSyntax: this.transferSyntax,
        attributes,
        skipped: { ...this.skipped, ...decoded.skipped },
        truncated: this.truncated,
        error: errors.length > 0 ? errors.join('; ') : null,
      },
      problems: this.problems,
    };
  }

  private finishDeflated(): { summary: DataSetSummary; problems: DataSetProblem[] } {
    const base: DataSetSummary = {
      length: this.length,
      transferSyntax: this.transferSyntax,
      attributes: {},
      skipped: {},
      truncated: this.truncated,
      error: null,
    };
    if (this.truncated) {
      return { summary: { ...base, error: `deflated data set larger than ${this.maxBytes} bytes: not decoded` }, problems: [] };
    }
    const inflated = inflateDataSet(this.held.subarray(0, this.heldLength));
    if (!inflated.bytes) return { summary: { ...base, error: inflated.error }, problems: [] };
    const inner = new DataSetCollector('1.2.840.10008.1.2.1', this.maxBytes);
    inner.push(inflated.bytes, 0);
    const result = inner.finish();
    return {
      summary: { ...result.summary, length: this.length, transferSyntax: this.transferSyntax },
      problems: [],
    };
  }
}

function describe(e: DataSetEncoding): string {
  return `${e.explicitVr ? 'Explicit' : 'Implicit'} VR ${e.littleEndian ? 'Little' : 'Big'} Endian`;
}

/** One element with a short (2-byte length) VR, PS3.5 §7.1.2 / §7.1.3, value padded with a space. */
function encodeShortElement(tag: number, vr: string, value: string, e: DataSetEncoding): Uint8Array {
  const text = value.length % 2 === 0 ? value : value + ' ';
  const header = 8;
  const out = new Uint8Array(header + text.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, e.littleEndian);
  view.setUint16(2, tag & 0xffff, e.littleEndian);
  if (e.explicitVr) {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    view.setUint16(6, text.length, e.littleEndian);
  } else {
    view.setUint32(4, text.length, e.littleEndian);
  }
  for (let i = 0; i < text.length; i++) out[header + i] = text.charCodeAt(i) & 0xff;
  return out;
}

