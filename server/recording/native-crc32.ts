/**
 * Node's zlib.crc32 (native, ≈5 GB/s; Node ≥ 20.15) for the recording codec's
 * checksums, which shared/ computes in JavaScript at ≈1.5 GB/s because it
 * imports no Node API (shared/capture/recording/crc32.ts). Imported for its
 * effect by the server modules that read or write recordings; the same
 * function, so files are the same either way (test/unit/capture/recording-codec.test.ts).
 */
import zlib from 'node:zlib';
import { useCrc32 } from '../../shared/capture/recording/crc32.ts';

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
if (typeof native === 'function') useCrc32((bytes, previous) => native(bytes, previous));
