/**
 * Page-aligned staging buffers of a fixed size, from one preallocated
 * region, for writing recordings around the page cache (append-file.ts).
 *
 * O_DIRECT needs the buffer's address aligned to the device's logical block
 * (Linux open(2), "O_DIRECT"), and JavaScript cannot see or choose where a
 * Buffer lives. A WebAssembly memory starts on a page boundary (it is an
 * mmap'd reservation), so slots of STAGE_BYTES cut from one are aligned.
 * One memory for all the slots: each memory reserves gigabytes of address
 * space for its guard region, so one per stage would run out of it.
 *
 * The pool is the recording's memory bound too: when every slot is queued
 * for the disk, `take` answers null and the writer falls back to an ordinary
 * buffer for the few small records that must still be written (the data
 * itself becomes gaps long before, see bounded-recording-file.ts). Slots are
 * reused last-in first-out, so a steady stream touches few pages of it.
 */

/** Bytes of one stage: the size of a direct write. */
export const STAGE_BYTES = 1024 * 1024;
const WASM_PAGE = 64 * 1024;

export class StagePool {
  private readonly region: Buffer | null;
  private readonly free: number[] = [];
  readonly slots: number;

  /** A pool of `bytes` (rounded up to whole stages). */
  constructor(bytes: number) {
    this.slots = Math.max(1, Math.ceil(bytes / STAGE_BYTES));
    let region: Buffer | null = null;
    try {
      const memory = new WebAssembly.Memory({ initial: (this.slots * STAGE_BYTES) / WASM_PAGE, maximum: (this.slots * STAGE_BYTES) / WASM_PAGE });
      region = Buffer.from(memory.buffer);
    } catch {
      // No room for the reservation: ordinary buffers only (written through the page cache).
      this.slots = 0;
    }
    this.region = region;
    for (let i = this.slots - 1; i >= 0; i--) this.free.push(i);
  }

  /** A free aligned stage, or null when every one is in use. */
  take(): Buffer | null {
    const i = this.free.pop();
    if (i === undefined || !this.region) return null;
    return this.region.subarray(i * STAGE_BYTES, (i + 1) * STAGE_BYTES);
  }

  /** Whether `stage` is one of this pool's (an aligned stage). */
  owns(stage: Buffer): boolean {
    return this.region !== null && stage.buffer === this.region.buffer;
  }

  /** Gives back a stage from `take` once nothing reads it any more. */
  give(stage: Buffer): void {
    if (!this.owns(stage)) return;
    this.free.push((stage.byteOffset - this.region!.byteOffset) / STAGE_BYTES);
  }

  /** Stages taken and not given back. */
  get inUse(): number {
    return this.slots - this.free.length;
  }
}
