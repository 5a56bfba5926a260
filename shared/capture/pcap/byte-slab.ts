/**
 * Copies many small byte runs into shared slabs: one allocation per slab
 * instead of one per copy (an ArrayBuffer per 1448-byte segment dominated the
 * import time). Copies are still owned by the importer, so a caller may reuse
 * the chunks it pushes. A retained copy keeps its slab alive: slabs are kept
 * small for that reason.
 */
const SLAB_BYTES = 256 * 1024;

export class ByteSlab {
  private slab = new Uint8Array(0);
  private used = 0;

  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > SLAB_BYTES / 4) return src.slice();
    if (n > this.slab.length - this.used) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    out.set(src);
    this.used += n;
    return out;
  }
}
