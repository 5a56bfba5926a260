/**
 * Test helpers for the PDU layer: readable byte fixtures and a normal form of
 * framer events so that different chunkings of one stream can be compared.
 */
import type { FramerEvent } from '../../../shared/pdu/types.ts';
import { PduFramer, type FramerOptions } from '../../../shared/pdu/framer.ts';
import { hex } from '../../../shared/pdu/bytes.ts';

/**
 * Bytes from a readable fixture: hex digits (spaces and `|` ignored, `#` to
 * end of line is a comment) and "double-quoted ASCII".
 * Example: bytes`01 00 | 00000004 "AB"`.
 */
export function bytes(strings: TemplateStringsArray | string, ...values: unknown[]): Uint8Array {
  const text = typeof strings === 'string' ? strings : String.raw({ raw: strings }, ...values);
  const out: number[] = [];
  const src = text.replace(/#[^\n]*/g, '');
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new Error('unterminated string in fixture');
      for (let j = i + 1; j < end; j++) out.push(src.charCodeAt(j));
      i = end + 1;
    } else if (/[0-9a-fA-F]/.test(c)) {
      const pair = src.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new Error(`odd hex digit at ${i} in fixture`);
      out.push(parseInt(pair, 16));
      i += 2;
    } else if (/[\s|]/.test(c)) {
      i++;
    } else {
      throw new Error(`unexpected character ${c} in fixture`);
    }
  }
  return Uint8Array.from(out);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A framer event in comparable form: pdv pieces of one PDV merged, bytes as hex. */
export type NormalEvent =
  | { kind: 'pdu'; pdu: unknown }
  | { kind: 'pdv'; pdvOffset: number; offset: number; hex: string; end: boolean }
  | { kind: 'error'; offset: number; reason: string; skipped?: number };

export function normalise(events: FramerEvent[]): NormalEvent[] {
  const out: NormalEvent[] = [];
  for (const ev of events) {
    if (ev.kind === 'pdv') {
      const last = out[out.length - 1];
      if (last && last.kind === 'pdv' && last.pdvOffset === ev.header.offset && !last.end) {
        last.hex += hex(ev.bytes);
        last.end = ev.end;
        continue;
      }
      out.push({ kind: 'pdv', pdvOffset: ev.header.offset, offset: ev.offset, hex: hex(ev.bytes), end: ev.end });
    } else if (ev.kind === 'pdu') {
      out.push({ kind: 'pdu', pdu: JSON.parse(JSON.stringify(ev.pdu)) });
    } else {
      out.push({ ...ev });
    }
  }
  return out;
}

/** One step of delivery: bytes, a capture gap, or the end of the stream. */
export type Step = Uint8Array | { gap: number };

/** Runs a framer over the steps, then end(); returns every event. */
export function run(steps: Step[], options?: FramerOptions): FramerEvent[] {
  const framer = new PduFramer(options);
  const events: FramerEvent[] = [];
  for (const s of steps) events.push(...(s instanceof Uint8Array ? framer.push(s) : framer.gap(s.gap)));
  events.push(...framer.end());
  return events;
}

/** The stream cut at the given positions (sorted, within bounds). */
export function split(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(stream.length, c))))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, stream.length]) {
    if (p > prev) parts.push(stream.subarray(prev, p));
    prev = p;
  }
  return parts;
}

export function oneByteChunks(stream: Uint8Array): Uint8Array[] {
  return Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
}

/** A small deterministic PRNG (mulberry32) for reproducible random splits. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomCuts(length: number, count: number, random: () => number): number[] {
  return Array.from({ length: count }, () => Math.floor(random() * (length + 1)));
}

export const errors = (events: FramerEvent[]) => events.filter((e) => e.kind === 'error');
export const pdus = (events: FramerEvent[]) => events.flatMap((e) => (e.kind === 'pdu' ? [e.pdu] : []));
