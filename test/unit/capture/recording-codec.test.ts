/** The recording codec (docs/recording-format.md): round trips, streaming, damage and resynchronisation, versions, and a frozen version 1 file. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeHeader, encodeMetadata, encodeRecord } from '../../../shared/capture/recording/encode.ts';
import { crc32 } from '../../../shared/capture/recording/crc32.ts';
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

/** A version 2 record of any type, framed by hand: length, type, payload, CRC-32, length. */
function frameV2(type: number, payload: Uint8Array): Uint8Array {
  const rec = new Uint8Array(13 + payload.length);
  const view = new DataView(rec.buffer);
  view.setUint32(0, payload.length);
  rec[4] = type;
  rec.set(payload, 5);
  view.setUint32(5 + payload.length, crc32(rec.subarray(0, 5 + payload.length)));
  view.setUint32(9 + payload.length, payload.length);
  return rec;
}

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
      expect(r.meta).toEqual({ ...header, formatVersion: 3 });
    }
  });

  it('starts with the magic PACSCOPE and version 3 (version 2 framing); every record ends with the CRC-32 of its length, type and payload, then its length', () => {
    const f = file();
    expect(new TextDecoder().decode(f.subarray(0, 8))).toBe('PACSCOPE');
    expect((f[8] << 8) | f[9]).toBe(3);
    // The example of docs/recording-format.md: a data record of conn 1, from the requestor, with 8 bytes.
    const rec = encodeRecord(events[1]);
    expect(rec.length).toBe(34);
    const view = new DataView(rec.buffer);
    expect([view.getUint32(0), rec[4], view.getUint32(30)]).toEqual([21, 0x44, 21]);
    expect(view.getUint32(26)).toBe(crc32(rec.subarray(0, 26)));
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

  it('a damaged record (trailing length differs) is skipped with an error saying where and how much; the rest is read', () => {
    const f = file();
    const at = encodeHeader(header).length + encodeRecord(events[0]).length;
    const size = encodeRecord(events[1]).length;
    const damaged = f.slice();
    damaged[at + size - 1] ^= 0xff;
    for (const chunk of [1, 5, 64, 1 << 20]) {
      const r = decodeAll(damaged, chunk);
      expect(r.events).toEqual([events[0], ...events.slice(2)]);
      expect(r.errors).toEqual([{ offset: at, reason: `damaged record: the trailing length ${21 ^ 0xff} differs from the leading length 21; ${size} bytes skipped, reading resumed at offset ${at + size}` }]);
    }
  });

  it('a damaged byte inside a payload is caught by the checksum: that record is skipped, the rest is read', () => {
    const f = file();
    const at = encodeHeader(header).length + encodeRecord(events[0]).length;
    const damaged = f.slice();
    damaged[at + 20] ^= 0x01; // one of the 8 data bytes of events[1]
    const r = decodeAll(damaged, 7);
    expect(r.events).toEqual([events[0], ...events.slice(2)]);
    expect(r.errors).toEqual([{ offset: at, reason: expect.stringMatching(/^damaged record: checksum mismatch \(CRC-32 0x[0-9a-f]{8}, recorded 0x[0-9a-f]{8}\); 34 bytes skipped, reading resumed at offset \d+$/) }]);
  });

  it('damage that runs to the end of the file is reported once, up to the end', () => {
    const f = file();
    const at = f.length - encodeRecord(events.at(-1)!).length;
    const damaged = f.slice();
    damaged[at + 4] = 0x01; // the type of the last record: no letter
    const r = decodeAll(damaged, 3);
    expect(r.events).toEqual(events.slice(0, -1));
    expect(r.errors).toEqual([{ offset: at, reason: `damaged record: record type 0x1 is not a letter; ${f.length - at} bytes skipped, to the end of the recording (no whole record after it)` }]);
  });

  it('CRC-32 is the zlib one: check value 0xCBF43926, any split of the input, as a bit-by-bit reference computes it', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(crc32(digits)).toBe(0xcbf43926);
    expect(crc32(digits.subarray(4), crc32(digits.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const reference = (b: Uint8Array): number => {
      let c = ~0;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return ~c >>> 0;
    };
    const bytes = new Uint8Array(1000).map((_, i) => (i * 131 + 7) & 0xff);
    for (const n of [1, 15, 16, 17, 31, 32, 33, 999, 1000]) expect(crc32(bytes.subarray(0, n)), `${n} bytes`).toBe(reference(bytes.subarray(0, n)));
  });

  it('an unknown record type is skipped with a warning (a newer writer), the rest is read', () => {
    const unknown = frameV2(0x5a, new Uint8Array([9, 9]));
    const f = concat(encodeHeader(header), encodeRecord(events[0]), unknown, encodeRecord(events[1]));
    const r = decodeAll(f);
    expect(r.events).toEqual(events.slice(0, 2));
    expect(r.errors.map((e) => e.reason)).toEqual(['unknown record type 0x5a skipped (written by a newer pacscope?)']);
  });

  it('an invalid event record is an error, the rest is read', () => {
    const rec = frameV2(0x45, new TextEncoder().encode('{"kind":"open","conn":1}'));
    const r = decodeAll(concat(encodeHeader(header), rec, encodeRecord(events[1])));
    expect(r.events).toEqual([events[1]]);
    expect(r.errors.map((e) => e.reason)).toEqual(['event record is not a valid wire event (kind "open")']);
  });

  it('a newer format version is refused with a clear reason', () => {
    const f = file();
    f[9] = 7;
    const r = decodeAll(f);
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([{ offset: 8, reason: 'recording format version 7 is newer than this pacscope reads (up to 3): update pacscope' }]);
  });

  it('not a recording; empty', () => {
    expect(decodeAll(new TextEncoder().encode('PCAPSCOPE nope')).errors).toEqual([{ offset: 0, reason: 'not a pacscope recording (no PACSCOPE magic)' }]);
    expect(decodeAll(new Uint8Array(0)).errors).toEqual([{ offset: 0, reason: 'empty recording' }]);
  });
});

describe('frozen version 2 recording', () => {
  // Written once by pacscope (format version 2) from the version 1 fixture's events; never regenerate it.
  const v2 = fileURLToPath(new URL('../../fixtures/recording/v2-dcmtk-echo.pacscope', import.meta.url));
  const v1 = fileURLToPath(new URL('../../fixtures/recording/v1-dcmtk-echo.pacscope', import.meta.url));

  it('reads as it always did: the same events as the version 1 file, through the same chain', () => {
    const r = decodeAll(new Uint8Array(readFileSync(v2)), 100);
    expect(r.errors).toEqual([]);
    expect(r.meta).toEqual({
      formatVersion: 2,
      tool: { name: 'pacscope', version: '0.1.0' },
      startTime: 1795328251453.753,
      source: { kind: 'pcap', description: 'import of dcmtk-echo.pcapng' },
      metadata: { label: 'C-ECHO fixture', note: 'frozen version 2 file: never regenerate' },
    });
    expect(r.events).toEqual(decodeAll(new Uint8Array(readFileSync(v1))).events);
    expect(readFileSync(v2).length).toBe(1411);
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
