/**
 * CRC-32 as zlib, PNG and Ethernet compute it (ISO 3309 / ITU-T V.42: the
 * reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF;
 * check value 0xCBF43926 for the ASCII digits "123456789"), so a record's
 * checksum can be verified with any zlib (`zlib.crc32` in Python). Pure.
 *
 * Every recorded byte goes through it, on the proxy's relay thread too. The
 * code here is table-driven "slicing-by-16" (sixteen tables, sixteen bytes a
 * step: ≈1.5 GB/s in V8, against ≈0.4 GB/s a byte at a time); shared code
 * imports no Node API, so the server hands it Node's native `zlib.crc32`
 * (the same function, ≈5 GB/s) with `useCrc32` (server/recording/native-crc32.ts).
 */

const TABLES = new Int32Array(256 * 16);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[i] = c;
}
for (let i = 0; i < 256; i++) {
  for (let s = 1; s < 16; s++) {
    const prev = TABLES[(s - 1) * 256 + i];
    TABLES[s * 256 + i] = (prev >>> 8) ^ TABLES[prev & 0xff];
  }
}

export type Crc32 = (bytes: Uint8Array, previous: number) => number;

let implementation: Crc32 = crc32Tables;

/** The CRC-32 of `bytes`; pass the CRC of the bytes before them as `previous` to go on over several pieces. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return implementation(bytes, previous);
}

/** Another implementation of exactly this function (Node's zlib.crc32), for every later call. */
export function useCrc32(fn: Crc32): void {
  implementation = fn;
}

/** The implementation in JavaScript. */
export function crc32Tables(bytes: Uint8Array, previous = 0): number {
  const T = TABLES;
  const b = bytes;
  const n = b.length;
  let c = ~previous;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const a = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) ^ c;
    c =
      T[3840 + (a & 0xff)] ^
      T[3584 + ((a >>> 8) & 0xff)] ^
      T[3328 + ((a >>> 16) & 0xff)] ^
      T[3072 + (a >>> 24)] ^
      T[2816 + b[i + 4]] ^
      T[2560 + b[i + 5]] ^
      T[2304 + b[i + 6]] ^
      T[2048 + b[i + 7]] ^
      T[1792 + b[i + 8]] ^
      T[1536 + b[i + 9]] ^
      T[1280 + b[i + 10]] ^
      T[1024 + b[i + 11]] ^
      T[768 + b[i + 12]] ^
      T[512 + b[i + 13]] ^
      T[256 + b[i + 14]] ^
      T[b[i + 15]];
  }
  for (; i < n; i++) c = T[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
