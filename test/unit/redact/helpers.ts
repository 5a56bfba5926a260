/**
 * Test helpers for the redaction tests: run the redactor over wire events,
 * decode the result with the one decoder, and look for byte sequences.
 */
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import type { DimseMessage } from '../../../shared/dimse/types.ts';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { Redactor } from '../../../shared/redact/redactor.ts';
import type { RedactOptions } from '../../../shared/redact/redact-options.ts';

export function redact(events: readonly WireEvent[], options: RedactOptions = { salt: 'test-salt' }): { out: WireEvent[]; redactor: Redactor } {
  const redactor = new Redactor(options);
  const out: WireEvent[] = [];
  for (const e of events) out.push(...redactor.push(e));
  out.push(...redactor.finish());
  return { out, redactor };
}

export interface Decoded {
  messages: (DimseMessage & { association: string; from: string })[];
  /** decode.error reasons, and data set decoding errors (dcmjs) as "data set: …". */
  errors: string[];
}

export function decode(events: readonly WireEvent[]): Decoded {
  const d = new SessionDecoder();
  const out: Decoded = { messages: [], errors: [] };
  const take = (evs: ReturnType<SessionDecoder['push']>) => {
    for (const ev of evs) {
      if (ev.type === 'dimse') {
        out.messages.push({ ...ev.message, association: ev.association, from: ev.from });
        if (ev.message.dataSet?.error) out.errors.push(`data set: ${ev.message.dataSet.error}`);
      } else if (ev.type === 'decode.error') out.errors.push(ev.reason);
    }
  };
  for (const e of events) take(d.push(e));
  take(d.finish());
  return out;
}

export function summary(events: readonly WireEvent[]): Promise<Summary> {
  return summarize([events as WireEvent[]], { path: 'test', format: 'recording' });
}

/** What must not change: per message, the fields the DIMSE sequence is compared on. */
export function sequenceOf(messages: Decoded['messages']): string[] {
  return messages.map((m) => [m.association, m.from, m.command, m.messageId, m.respondsTo, m.status, m.remaining, m.completed, m.failed, m.warning, m.hasDataSet].join(' '));
}

/** Every byte of the events: data bytes, and the JSON of the other events (addresses, reasons). */
export function allBytes(events: readonly WireEvent[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = events.map((e) => (e.kind === 'data' ? e.bytes : enc.encode(JSON.stringify(e))));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** True when `needle` occurs in `hay`. */
export function contains(hay: Uint8Array, needle: Uint8Array | string): boolean {
  const n = typeof needle === 'string' ? latin1(needle) : needle;
  if (n.length === 0) return true;
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    if (hay[i] !== n[0]) continue;
    for (let j = 1; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
