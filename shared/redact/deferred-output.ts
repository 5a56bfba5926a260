/**
 * The output of the data set rewriter, which must state the length of a
 * defined-length sequence or item (PS3.5 §7.5.1) in its header, before its
 * content — and the content's length changes as values are replaced. While
 * such a container is open its output is held; when it closes, the header is
 * patched with the new length and, once no container is open, everything
 * goes out. Undefined-length containers are written straight through (their
 * delimiters make any length right).
 *
 * Memory stays bounded: if what is held grows past `cap` (a sequence holding
 * megabytes, e.g. a waveform), every open container is switched to undefined
 * length (header 0xFFFFFFFF, a delimiter at its end, PS3.5 §7.5.2) and the
 * held bytes are released. The data set stays valid and equivalent.
 */

/** Item and sequence delimitation items (PS3.5 §7.5): tag and a zero length, 8 bytes in every transfer syntax. */
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;

export interface Slot {
  /** The container's header; its last 4 bytes are the length. */
  header: Uint8Array;
  littleEndian: boolean;
  /** Delimiter written at the end if the slot was switched to undefined length. */
  delimiter: number;
  /** Bytes held before the content started. */
  start: number;
  /** Switched to undefined length (its content went out unheld). */
  spilled: boolean;
}

export function delimiterBytes(tag: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint16(0, tag >>> 16, littleEndian);
  v.setUint16(2, tag & 0xffff, littleEndian);
  return out;
}

export class DeferredOutput {
  private parts: Uint8Array[] = [];
  private held = 0;
  private readonly open: Slot[] = [];

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly cap: number,
  ) {}

  /** Bytes out: straight to the sink unless a defined-length container is open. */
  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.open.length === 0) {
      this.sink(bytes);
      return;
    }
    this.parts.push(bytes);
    this.held += bytes.length;
    if (this.held > this.cap) this.spill();
  }

  /** Opens a defined-length container whose header is `header` (length patched at close). */
  openSlot(header: Uint8Array, littleEndian: boolean, delimiter: number): Slot {
    const slot: Slot = { header, littleEndian, delimiter, start: 0, spilled: false };
    this.open.push(slot);
    this.parts.push(header);
    this.held += header.length;
    slot.start = this.held;
    return slot;
  }

  /** Closes the innermost open container: patches its length, or writes its delimiter if it was spilled. */
  closeSlot(slot: Slot): void {
    if (slot.spilled) {
      this.write(delimiterBytes(slot.delimiter, slot.littleEndian));
      return;
    }
    const top = this.open.pop();
    if (top !== slot) throw new Error('deferred output: containers closed out of order');
    const length = this.held - slot.start;
    new DataView(slot.header.buffer, slot.header.byteOffset, slot.header.byteLength).setUint32(slot.header.length - 4, length, slot.littleEndian);
    if (this.open.length === 0) this.release();
  }

  /** Drops everything held (the data set is abandoned). */
  discard(): void {
    this.parts = [];
    this.held = 0;
    this.open.length = 0;
  }

  /** True while bytes are held. */
  get holding(): boolean {
    return this.open.length > 0;
  }

  private spill(): void {
    for (const slot of this.open) {
      new DataView(slot.header.buffer, slot.header.byteOffset, slot.header.byteLength).setUint32(slot.header.length - 4, 0xffffffff, slot.littleEndian);
      slot.spilled = true;
    }
    this.open.length = 0;
    this.release();
  }

  private release(): void {
    const parts = this.parts;
    this.parts = [];
    this.held = 0;
    for (const p of parts) this.sink(p);
  }
}
