/** Bad input is data, never a crash: damaged captures and recordings give errors, not exceptions. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecordingDecoder } from '../../../shared/capture/recording/recording-decoder.ts';
import { importBytes } from './import-helpers.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(file: Uint8Array, random: () => number): Uint8Array {
  const out = file.slice(0, Math.floor(file.length * (0.5 + random() / 2)));
  const flips = 1 + Math.floor(random() * 20);
  for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
  return out;
}

describe('damaged input', () => {
  for (const name of ['pcap/dcmtk-store.pcapng', 'pcap/dcmtk-store.pcap', 'pcap/dcmtk-echo-sll.pcapng']) {
    it(`${name}: 300 random corruptions import without throwing`, () => {
      const file = new Uint8Array(readFileSync(fixtures + name));
      const random = rng(42);
      for (let i = 0; i < 300; i++) {
        const damaged = mutate(file, random);
        const { events } = importBytes(damaged, {}, 1 + Math.floor(random() * 5000));
        for (const e of events) expect(Number.isFinite(e.time)).toBe(true);
      }
    });
  }

  it('recording: 300 random corruptions decode without throwing', () => {
    const file = new Uint8Array(readFileSync(fixtures + 'recording/v1-dcmtk-echo.pacscope'));
    const random = rng(7);
    for (let i = 0; i < 300; i++) {
      const d = new RecordingDecoder();
      const damaged = mutate(file, random);
      const step = 1 + Math.floor(random() * 500);
      for (let p = 0; p < damaged.length; p += step) d.push(damaged.subarray(p, p + step));
      d.end();
    }
  });
});
