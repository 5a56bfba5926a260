/**
 * A data set rewritten element by element as its bytes stream in (PS3.5 §7),
 * in the transfer syntax it came in: Implicit VR Little Endian, Explicit VR
 * Little or Big Endian (the caller inflates a deflated one). Each element
 * gets the action of profile.ts; sequences of defined and undefined length
 * and their items are walked and cleaned item by item (§7.5); encapsulated
 * pixel data fragments (A.4) and every kept value stream through unread, so
 * a gigabyte of pixel data costs no memory. Lengths of defined-length
 * sequences and items are recomputed (deferred-output.ts).
 *
 * Bytes it cannot read (an invalid VR, a value overrunning its item) cannot
 * be classified, so they could hold anything: from there on the data set is
 * dropped, the containers open so far are closed cleanly, and a problem is
 * reported. It never throws.
 *
 * In every instance (C-STORE data set) it sets Patient Identity Removed
 * (0012,0062) YES, De-identification Method (0012,0063) and Longitudinal
 * Temporal Information Modified (0028,0303) MODIFIED, as PS3.15 E.1.1 and
 * E.3.6 ask.
 */
import type { DataSetEncoding } from '../dicom/transfer-syntaxes.ts';
import { dictionaryEntry } from '../dimse/dataset.ts';
import { tagString, UNDEFINED_LENGTH } from '../dimse/element-walker.ts';
import { DeferredOutput, delimiterBytes, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, type Slot } from './deferred-output.ts';
import { PROFILE_NAME, profileAction, type ProfileAction } from './profile.ts';
import type { RedactContext } from './redact-options.ts';
import { rewriteValue } from './value-rewrite.ts';

/** A query/retrieve identifier (C-FIND, C-MOVE, C-GET) or a stored instance / N-service attribute list. */
export type DataSetKind = 'identifier' | 'instance';

export interface RewriterOptions {
  encoding: DataSetEncoding;
  kind: DataSetKind;
  ctx: RedactContext;
  sink: (bytes: Uint8Array) => void;
  problem: (reason: string) => void;
  /** Bytes held for one top-level sequence before it is switched to undefined length (default 4 MiB). */
  heldCap?: number;
  /** The data set's length when known beforehand (an inflated deflated one): no element may run past it. */
  totalLength?: number;
}

const ITEM = 0xfffee000;
const SPECIFIC_CHARACTER_SET = 0x00080005;
/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR, PS3.5 Table 7.1-1. */
const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** Values larger than this are not read for a rewrite (no UID, name or date is that long): they are replaced as if empty. */
const MAX_VALUE = 1 << 20;
/** The VRs of PS3.5 Table 6.2-1 (and the dictionary's "ox"/"xs" for implicit VR). */
const KNOWN_VRS: ReadonlySet<string> = new Set([...LONG_VRS, 'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US', 'ox', 'xs']);
/** VRs with a 2-byte length in explicit VR (PS3.5 Table 7.1-2): a value of one is at most 65,535 bytes. */
const SHORT_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US', 'xs']);
/** VRs whose characters are ISO 646 whatever the character set (PS3.5 §6.2): checked when kept. */
const ASCII_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI']);

interface Container {
  kind: 'sq' | 'item' | 'fragments';
  /** Input end (relative offset) of a defined length, null for undefined length. */
  end: number | null;
  explicitVr: boolean;
  littleEndian: boolean;
  /** Content walked but not written. */
  drop: boolean;
  /** Output length deferred (defined length in the input). */
  slot: Slot | null;
  /** Write a delimiter at its end (undefined length, written). */
  delimited: boolean;
  /** The last element tag seen in this item (-1 before the first). */
  lastTag: number;
}

interface Collecting {
  header: Uint8Array;
  explicitVr: boolean;
  littleEndian: boolean;
  tag: number;
  vr: string;
  action: ProfileAction;
  chunks: Uint8Array[];
  length: number;
}

/** Encodes one element with a short value (PS3.5 §7.1.2, §7.1.3). */
function encodeElement(tag: number, vr: string, value: Uint8Array, e: DataSetEncoding): Uint8Array {
  const long = e.explicitVr && LONG_VRS.has(vr);
  const h = long ? 12 : 8;
  const out = new Uint8Array(h + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, e.littleEndian);
  v.setUint16(2, tag & 0xffff, e.littleEndian);
  if (!e.explicitVr) v.setUint32(4, value.length, e.littleEndian);
  else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) v.setUint32(8, value.length, e.littleEndian);
    else v.setUint16(6, value.length, e.littleEndian);
  }
  out.set(value, h);
  return out;
}

/** A copy of an element header with another value length. */
function withLength(header: Uint8Array, length: number, explicitVr: boolean, littleEndian: boolean): Uint8Array {
  const h = header.slice();
  const v = new DataView(h.buffer);
  if (explicitVr && h.length === 8) v.setUint16(6, Math.min(length, 0xffff), littleEndian);
  else v.setUint32(h.length - 4, length, littleEndian);
  return h;
}

const cs = (s: string): Uint8Array => Uint8Array.from(s.length % 2 ? `${s} ` : s, (c) => c.charCodeAt(0));

export class DataSetRewriter {
  private position = 0;
  private readonly hdr = new Uint8Array(12);
  private readonly hdrView = new DataView(this.hdr.buffer);
  private hdrLen = 0;
  private hdrNeed = 8;
  private valueRemaining = 0;
  private valueMode: 'write' | 'skip' | 'collect' = 'skip';
  private collecting: Collecting | null = null;
  private readonly stack: Container[] = [];
  private dropDepth = 0;
  private topLastTag = -1;
  /** Tag of the value being streamed (for the report of a data set that ends inside it). */
  private valueTag = 0;
  private dead = false;
  private charset: string | null = null;
  private readonly out: DeferredOutput;
  /** Elements the redactor sets in an instance, in tag order, written before the first element that follows them. */
  private readonly inserts: [number, Uint8Array][];

  constructor(private readonly o: RewriterOptions) {
    this.out = new DeferredOutput(o.sink, o.heldCap ?? 4 << 20);
    const e = o.encoding;
    this.inserts =
      o.kind === 'instance'
        ? [
            [0x00120062, encodeElement(0x00120062, 'CS', cs('YES'), e)],
            [0x00120063, encodeElement(0x00120063, 'LO', cs(PROFILE_NAME.slice(0, 64)), e)],
            [0x00280303, encodeElement(0x00280303, 'CS', cs('MODIFIED'), e)],
          ]
        : [];
  }

  /** The next bytes of the data set. */
  push(bytes: Uint8Array): void {
    const n = bytes.length;
    let i = 0;
    while (i < n && !this.dead) {
      if (this.valueRemaining > 0) {
        const take = Math.min(this.valueRemaining, n - i);
        this.value(bytes.subarray(i, i + take));
        i += take;
        this.position += take;
        this.valueRemaining -= take;
        if (this.valueRemaining === 0) this.endValue();
        continue;
      }
      const take = Math.min(this.hdrNeed - this.hdrLen, n - i);
      this.hdr.set(bytes.subarray(i, i + take), this.hdrLen);
      this.hdrLen += take;
      this.position += take;
      i += take;
      if (this.hdrLen === 8 && this.hdrNeed === 8) this.hdrNeed = this.headerLength();
      if (this.hdrLen === this.hdrNeed) this.onHeader();
    }
  }

  /** The data set is complete (its last fragment came). */
  finish(): void {
    if (this.dead) return;
    if (this.valueRemaining > 0 && this.valueMode === 'write') {
      // A kept value streams out unread; a length that ran past the end may have carried the bytes of other elements.
      this.o.problem(`data set ended inside the value of ${tagString(this.valueTag)}, ${this.valueRemaining} bytes short: that value went out as it came; if the input is damaged it may hold bytes of other elements, check this message before sharing`);
    } else if (this.hdrLen > 0 || this.valueRemaining > 0 || this.stack.length > 0) {
      this.o.problem(`data set ended inside ${this.hdrLen > 0 ? 'an element header' : this.valueRemaining > 0 ? 'an element value (left out)' : 'a sequence'}`);
    }
    if (this.collecting && this.valueRemaining > 0) this.collecting = null;
    if (this.stack.length === 0) this.writeInserts(0xffffffff);
    this.closeAll();
  }

  /** The data set is abandoned (its message broke off): nothing held is written. */
  abandon(): void {
    this.dead = true;
    this.out.discard();
  }

  private current(): { explicitVr: boolean; littleEndian: boolean } {
    return this.stack.length > 0 ? this.stack[this.stack.length - 1] : this.o.encoding;
  }

  private readTag(littleEndian: boolean): number {
    return ((this.hdrView.getUint16(0, littleEndian) << 16) | this.hdrView.getUint16(2, littleEndian)) >>> 0;
  }

  private headerLength(): number {
    const { explicitVr, littleEndian } = this.current();
    if (!explicitVr || this.readTag(littleEndian) >>> 16 === 0xfffe) return 8;
    return LONG_VRS.has(String.fromCharCode(this.hdr[4], this.hdr[5])) ? 12 : 8;
  }

  private fail(reason: string): void {
    this.o.problem(`${reason}: the rest of the data set (from byte ${this.position - this.hdrLen}) is left out, it cannot be read to be redacted`);
    this.closeAll();
    this.dead = true;
  }

  /** Closes every open container cleanly (lengths patched, delimiters written): the output stays well-formed. */
  private closeAll(): void {
    while (this.stack.length > 0) this.close(this.stack.pop() as Container);
  }

  private close(c: Container): void {
    if (c.drop) this.dropDepth--;
    else if (c.slot) this.out.closeSlot(c.slot);
    else if (c.delimited) this.out.write(delimiterBytes(c.kind === 'item' ? ITEM_DELIMITATION : SEQUENCE_DELIMITATION, c.littleEndian));
  }

  private openContainer(c: Omit<Container, 'slot' | 'delimited' | 'lastTag'> & Partial<Pick<Container, 'slot' | 'delimited'>>): void {
    const full: Container = { slot: null, delimited: false, lastTag: -1, ...c };
    if (full.drop) this.dropDepth++;
    this.stack.push(full);
  }

  private enclosingEnd(): number | null {
    for (let k = this.stack.length - 1; k >= 0; k--) if (this.stack[k].end !== null) return this.stack[k].end;
    return null;
  }

  private onHeader(): void {
    const headerLength = this.hdrLen;
    const { explicitVr, littleEndian } = this.current();
    const header = this.hdr.slice(0, headerLength);
    this.hdrLen = 0;
    this.hdrNeed = 8;
    const tag = this.readTag(littleEndian);
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
    const dropping = this.dropDepth > 0;
    let vr: string;
    let length: number;
    if (tag >>> 16 === 0xfffe) {
      vr = '';
      length = this.hdrView.getUint32(4, littleEndian);
    } else if (explicitVr) {
      vr = String.fromCharCode(this.hdr[4], this.hdr[5]);
      if (!KNOWN_VRS.has(vr)) return this.fail(`element ${tagString(tag)} has an invalid VR`);
      length = headerLength === 12 ? this.hdrView.getUint32(8, littleEndian) : this.hdrView.getUint16(6, littleEndian);
    } else {
      vr = dictionaryEntry(tag)?.vr ?? 'UN';
      length = this.hdrView.getUint32(4, littleEndian);
    }
    const limit = this.enclosingEnd() ?? this.o.totalLength ?? null;
    if (length !== UNDEFINED_LENGTH && limit !== null && this.position + length > limit) return this.fail(`element ${tagString(tag)} overruns its item`);

    if (tag === ITEM) return this.onItem(parent, header, length, explicitVr, littleEndian, dropping);
    if (tag === ITEM_DELIMITATION || tag === SEQUENCE_DELIMITATION) {
      const wanted = tag === ITEM_DELIMITATION ? 'item' : 'sq';
      if (parent && parent.end === null && (parent.kind === wanted || (wanted === 'sq' && parent.kind === 'fragments'))) this.close(this.stack.pop() as Container);
      else this.o.problem(`${tagString(tag)} out of place: left out`);
      this.settle();
      return;
    }
    if (tag >>> 16 === 0xfffe) return this.fail(`unknown delimiter tag ${tagString(tag)}`);
    if (parent && parent.kind !== 'item') return this.fail(`element ${tagString(tag)} inside a sequence but outside an item`);
    // Elements ascend by tag in a data set and in each item (PS3.5 §7.1): a tag out of order means the bytes are
    // not framed as elements any more (damaged input), and what follows cannot be classified.
    const previous = parent ? parent.lastTag : this.topLastTag;
    if (tag <= previous) return this.fail(`element ${tagString(tag)} after ${tagString(previous)}: out of order`);
    if (parent) parent.lastTag = tag;
    else this.topLastTag = tag;
    if (!parent) this.writeInserts(tag);

    const dictVr = dictionaryEntry(tag)?.vr;
    const meaning = vr === 'UN' && dictVr ? dictVr : vr;
    const action = dropping ? 'remove' : this.decide(tag, meaning, parent === null, dictVr !== undefined);
    const undefinedLength = length === UNDEFINED_LENGTH;
    // CP-246: an explicit "UN" of undefined length, or of a tag the dictionary calls SQ, is a sequence in Implicit VR LE.
    const isSequence = vr === 'SQ' || (undefinedLength && vr === 'UN') || (vr === 'UN' && dictVr === 'SQ');
    const inner = { explicitVr: vr === 'UN' ? false : explicitVr, littleEndian: vr === 'UN' ? true : littleEndian };

    if (isSequence || undefinedLength) {
      if (undefinedLength && !isSequence && !['OB', 'OW', 'ox'].includes(vr)) return this.fail(`element ${tagString(tag)} (${vr}) has undefined length`);
      const kind = isSequence ? 'sq' : 'fragments';
      const end = undefinedLength ? null : this.position + length;
      if (action === 'remove' || action === 'empty') {
        if (action === 'empty') this.out.write(withLength(header, 0, explicitVr, littleEndian));
        // A defined length is skipped unread; an undefined one must be walked to find its delimiter.
        if (!undefinedLength) return this.beginValue(length, 'skip');
        this.openContainer({ kind, end, ...inner, drop: true });
      } else if (undefinedLength) {
        this.out.write(header);
        this.openContainer({ kind, end, ...inner, drop: false, delimited: true });
      } else {
        this.openContainer({ kind, end, ...inner, drop: false, slot: this.out.openSlot(header, littleEndian, SEQUENCE_DELIMITATION) });
      }
      this.settle();
      return;
    }
    if (action === 'remove' || action === 'empty') {
      if (action === 'empty') this.out.write(withLength(header, 0, explicitVr, littleEndian));
      this.beginValue(length, 'skip');
    } else if (action === 'keep' && !SHORT_VRS.has(meaning)) {
      // Bulk and long values (pixel data, OB, UT…) stream through unread.
      this.out.write(header);
      this.valueTag = tag;
      this.beginValue(length, 'write');
    } else {
      // A short value is held until whole, even when kept: a length that a damaged or wrong header makes
      // run over what follows would otherwise carry the next elements' values out unread.
      if (SHORT_VRS.has(meaning) && length > 0xffff) return this.fail(`element ${tagString(tag)} (${meaning}) claims ${length} bytes`);
      this.collecting = { header, explicitVr, littleEndian, tag, vr: meaning, action, chunks: [], length: 0 };
      this.beginValue(length, 'collect');
    }
  }

  /** The action for an element: the profile's, adjusted for the options, the kind of data set and what the dictionary knows. */
  private decide(tag: number, vr: string, topLevel: boolean, known: boolean): ProfileAction {
    let action = profileAction(tag, vr);
    if (action === 'deid') return this.o.kind === 'instance' && topLevel ? 'remove' : 'keep';
    if (action === 'ae' && !this.o.ctx.network) return 'keep';
    // A standard tag the data dictionary (PS3.6) does not know cannot be judged, and in implicit VR its value not even
    // read: it is not kept (the VR rules above still replace a name, UID or date whose explicit VR says so).
    if (action === 'keep' && !known) action = 'remove';
    // In a query identifier an element the profile removes is emptied instead: the key stays (PS3.4 C.2.2.1.3:
    // an empty key is a return key), so the query's shape is still visible. Private elements and group lengths go.
    if (action === 'remove' && this.o.kind === 'identifier' && (tag >>> 16) % 2 === 0 && (tag & 0xffff) !== 0) action = 'empty';
    return action;
  }

  private onItem(parent: Container | null, header: Uint8Array, length: number, explicitVr: boolean, littleEndian: boolean, dropping: boolean): void {
    if (parent?.kind === 'fragments') {
      if (length === UNDEFINED_LENGTH) return this.fail('encapsulated pixel data fragment has undefined length');
      if (!dropping) this.out.write(header);
      this.beginValue(length, dropping ? 'skip' : 'write');
      return;
    }
    if (parent?.kind !== 'sq') return this.fail('item (FFFE,E000) outside a sequence');
    const end = length === UNDEFINED_LENGTH ? null : this.position + length;
    if (dropping) this.openContainer({ kind: 'item', end, explicitVr, littleEndian, drop: true });
    else if (end === null) {
      this.out.write(header);
      this.openContainer({ kind: 'item', end, explicitVr, littleEndian, drop: false, delimited: true });
    } else this.openContainer({ kind: 'item', end, explicitVr, littleEndian, drop: false, slot: this.out.openSlot(header, littleEndian, ITEM_DELIMITATION) });
    this.settle();
  }

  private beginValue(length: number, mode: 'write' | 'skip' | 'collect'): void {
    this.valueMode = mode;
    this.valueRemaining = length;
    if (length === 0) this.endValue();
  }

  private value(bytes: Uint8Array): void {
    if (this.valueMode === 'write') this.out.write(bytes);
    else if (this.valueMode === 'collect' && this.collecting) {
      const c = this.collecting;
      if (c.length + bytes.length <= MAX_VALUE) c.chunks.push(bytes.slice());
      c.length += bytes.length;
    }
  }

  private endValue(): void {
    const c = this.collecting;
    if (this.valueMode === 'collect' && c) {
      this.collecting = null;
      const raw = new Uint8Array(c.length <= MAX_VALUE ? c.length : 0);
      if (c.length <= MAX_VALUE) {
        let o = 0;
        for (const part of c.chunks) {
          raw.set(part, o);
          o += part.length;
        }
      }
      let value: Uint8Array;
      if (c.action === 'keep') {
        if (ASCII_VRS.has(c.vr) && raw.some((b) => (b < 0x20 && b !== 0) || b > 0x7e)) return this.fail(`element ${tagString(c.tag)} (${c.vr}) holds bytes its VR does not allow`);
        if (c.tag === SPECIFIC_CHARACTER_SET && this.stack.length === 0) this.charset = String.fromCharCode(...raw).replace(/[\0 ]+$/, '');
        value = raw;
      } else {
        value = rewriteValue(c.action, c.vr, raw, this.charset, this.o.ctx);
      }
      this.out.write(withLength(c.header, value.length, c.explicitVr, c.littleEndian));
      this.out.write(value);
    }
    this.settle();
  }

  /** Closes the defined-length containers whose end is reached. */
  private settle(): void {
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].end === this.position) this.close(this.stack.pop() as Container);
  }

  private writeInserts(before: number): void {
    while (this.inserts.length > 0 && this.inserts[0][0] <= before) this.out.write((this.inserts.shift() as [number, Uint8Array])[1]);
  }
}
