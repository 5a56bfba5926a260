/** The recording codec (docs/recording-format.md): round trips, streaming, damage, versions, and a frozen version 1 file. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeHeader, encodeMetadata, encodeRecord } from '../../../shared/capture/recording/encode.ts';
import { RecordingDecoder } from '../../../shared/capture/recording/recording-decoder.ts';
import type { DecodedChunk } from '../../../shared/capture/recording/recording-decoder.ts';
import type { RecordingHeader, RecordingMeta } from '../../../shared/capture/recording/recording-meta.ts';
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { concat } from './import-helpers.ts';

const header: RecordingHeader = { tool: { name: 'pacscope', version: '0.1.0' }, startTime: 1_700_000_000_000.5, source: { kind: 'proxy', description: 'proxy :11112 → pacs:104' }, metadata: { label: 'ward 3 PACS' } };

const events: WireEvent[] = [
  { kind: 'open', conn: 1, time: 1_700_000_000_001.25, requestor: { host: '127.0.0.1', port: 50000 }, acceptor: { host: '::1', port: 104 } },
  { kind: 'data', conn: 1, time: 1_700_000_000_002.125, from: 'requestor', bytes: new Uint8Array([1, 0, 0, 0, 0, 68, 0, 1]) },
  { kind: 'data', conn: 1, time: 1_700_000_000_003, from: 'acceptor', bytes: new Uint8Array(0) },
  { kind: 'gap', conn: 1, time: 1_700_000_000_004, from: 'acceptor', length: 5_000_000_000 },
  { kind: 'close', conn: 1, time: 1_700_000_000_005, from: 'requestor', how: 'fin' },
  { kind: 'close', conn: 1, time: 1_700_000_000_006, from: null, how: 'error', reason: 'EPIPE' },
  { kind: 'open', conn: 2, time: 1_700_000_000_007, requestor: { host: '10.0.0.1', port: 1 }, acceptor: { host: '10.0.0.2', port: 2 }, midStream: true },
  { kind: 'refused', conn: 3, time: 1_700_000_000_008, requestor: { host: '10.0.0.1', port: 3 }, acceptor: { host: '10.0.0.2', port: 4 }, reason: 'connection refused (RST)' },
];

function file(): Uint8Array {
  return concat(encodeHeader(header), ...events.map(encodeRecord));
}

function decodeAll(bytes: Uint8Array, chunk = 1 << 20): { events: WireEvent[]; meta: RecordingMeta | null; errors: DecodedChunk['errors'] } {
  const d = new RecordingDecoder();
  const out: WireEvent[] = [];
  const errors: DecodedChunk['errors'] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    const r = d.push(bytes.subarray(i, i + chunk));
    out.push(...r.events);
    errors.push(...r.errors);
  }
  const r = d.end();
  out.push(...r.events);
  errors.push(...r.errors);
  return { events: out, meta: d.meta, errors };
}

describe('recording codec', () => {
  it('round-trips every kind of wire event and the header, in chunks of any size', () => {
    for (const chunk of [1, 3, 17, 1 << 20]) {
      const r = decodeAll(file(), chunk);
      expect(r.errors).toEqual([]);
      expect(r.events).toEqual(events);
      expect(r.meta).toEqual({ ...header, formatVersion: 1 });
    }
  });

  it('starts with the magic PACSCOPE and version 1', () => {
    const f = file();
    expect(new TextDecoder().decode(f.subarray(0, 8))).toBe('PACSCOPE');
    expect((f[8] << 8) | f[9]).toBe(1);
  });

  it('a metadata record updates the metadata (shallow merge) and is reported with the chunk', () => {
    const d = new RecordingDecoder();
    d.push(encodeHeader(header));
    const r = d.push(encodeMetadata({ note: 'late', label: 'renamed' }));
    expect(r.meta?.metadata).toEqual({ label: 'renamed', note: 'late' });
  });

  it('a torn last record (cut off while written) is ignored with a warning; all before it is read', () => {
    const f = file();
    const r = decodeAll(f.subarray(0, f.length - 5), 10);
    expect(r.events).toEqual(events.slice(0, -1));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].reason).toMatch(/^incomplete last record \(\d+ of \d+ bytes\), ignored/);
  });

  it('a damaged record (trailing length differs) stops the reading with an error', () => {
    const f = file();
    const at = encodeHeader(header).length + encodeRecord(events[0]).length;
    const damaged = f.slice();
    damaged[at + encodeRecord(events[1]).length - 1] ^= 0xff;
    const r = decodeAll(damaged);
    expect(r.events).toEqual(events.slice(0, 1));
    expect(r.errors).toEqual([{ offset: at, reason: expect.stringMatching(/^damaged record: the trailing length \d+ differs from the leading length 21; the rest/) }]);
  });

  it('an unknown record type is skipped with a warning (a newer writer), the rest is read', () => {
    const unknown = new Uint8Array([0, 0, 0, 2, 0x5a, 9, 9, 0, 0, 0, 2]);
    const f = concat(encodeHeader(header), encodeRecord(events[0]), unknown, encodeRecord(events[1]));
    const r = decodeAll(f);
    expect(r.events).toEqual(events.slice(0, 2));
    expect(r.errors.map((e) => e.reason)).toEqual(['unknown record type 0x5a skipped (written by a newer pacscope?)']);
  });

  it('an invalid event record is an error, the rest is read', () => {
    const bad = new TextEncoder().encode('{"kind":"open","conn":1}');
    const rec = new Uint8Array(9 + bad.length);
    new DataView(rec.buffer).setUint32(0, bad.length);
    rec[4] = 0x45;
    rec.set(bad, 5);
    new DataView(rec.buffer).setUint32(5 + bad.length, bad.length);
    const r = decodeAll(concat(encodeHeader(header), rec, encodeRecord(events[1])));
    expect(r.events).toEqual([events[1]]);
    expect(r.errors.map((e) => e.reason)).toEqual(['event record is not a valid wire event (kind "open")']);
  });

  it('a newer format version is refused with a clear reason', () => {
    const f = file();
    f[9] = 7;
    const r = decodeAll(f);
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([{ offset: 8, reason: 'recording format version 7 is newer than this pacscope reads (up to 1): update pacscope' }]);
  });

  it('not a recording; empty', () => {
    expect(decodeAll(new TextEncoder().encode('PCAPSCOPE nope')).errors).toEqual([{ offset: 0, reason: 'not a pacscope recording (no PACSCOPE magic)' }]);
    expect(decodeAll(new Uint8Array(0)).errors).toEqual([{ offset: 0, reason: 'empty recording' }]);
  });
});

describe('frozen version 1 recording', () => {
  // Written once by pacscope 0.1.0 from test/fixtures/pcap/dcmtk-echo.pcapng; never regenerate it:
  // it proves that files of version 1 stay readable (through the migration chain once version 2 exists).
  const path = fileURLToPath(new URL('../../fixtures/recording/v1-dcmtk-echo.pacscope', import.meta.url));

  it('reads as it always did', () => {
    const r = decodeAll(new Uint8Array(readFileSync(path)), 100);
    expect(r.errors).toEqual([]);
    expect(r.meta).toEqual({
      formatVersion: 1,
      tool: { name: 'pacscope', version: '0.1.0' },
      startTime: 1795328251453.753,
      source: { kind: 'pcap', description: 'import of dcmtk-echo.pcapng' },
      metadata: { label: 'C-ECHO fixture', note: 'frozen version 1 file: never regenerate' },
    });
    expect(r.events.map((e) => e.kind)).toEqual(['open', 'data', 'data', 'data', 'data', 'data', 'data', 'data', 'data', 'close', 'close']);
    const total = (from: string) => r.events.reduce((n, e) => n + (e.kind === 'data' && e.from === from ? e.bytes.length : 0), 0);
    expect([total('requestor'), total('acceptor')]).toEqual([301, 290]);
    expect(r.events[0]).toMatchObject({ kind: 'open', conn: 1, acceptor: { host: '127.0.0.1', port: 11112 } });
  });
});
