/**
 * Raw DEFLATE (RFC 1951) made of stored blocks only: the bytes are not
 * compressed, but the stream is valid, and that is what the Deflated Explicit
 * VR Little Endian transfer syntax requires of a data set (PS3.5 A.5). A
 * redacted deflated data set is inflated, rewritten and put back this way;
 * shared/ has no compressor of its own and needs none for this.
 */

const MAX_STORED = 0xffff;

/** `bytes` as a raw DEFLATE stream of stored blocks (RFC 1951 §3.2.4). */
export function deflateStored(bytes: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(bytes.length / MAX_STORED));
  const out = new Uint8Array(bytes.length + blocks * 5);
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    const chunk = bytes.subarray(b * MAX_STORED, (b + 1) * MAX_STORED);
    // Block header: BFINAL (bit 0), BTYPE 00 = stored (bits 1–2), then padding to the byte boundary.
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = chunk.length & 0xff;
    out[o++] = chunk.length >>> 8;
    out[o++] = ~chunk.length & 0xff;
    out[o++] = (~chunk.length >>> 8) & 0xff;
    out.set(chunk, o);
    o += chunk.length;
  }
  return out;
}
