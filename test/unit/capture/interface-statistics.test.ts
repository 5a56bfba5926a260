/**
 * The capturing tool's own counters in a pcapng (Interface Statistics Block,
 * draft-ietf-opsawg-pcapng §4.6): read from real dumpcap captures of the
 * fixtures (dumpcap writes one per interface when it stops), in any chunking;
 * a drop count becomes one problem of the import, and the diagnosis reports it
 * as capture.packets-dropped (not as bytes missing in N places). The drop
 * counts are the real file's with its isb_ifdrop value changed in place.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importBytes } from './import-helpers.ts';
import { droppedPackets, DROPPED_REASON } from '../../../shared/capture/pcap/interface-statistics.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import { diagnose } from '../../../shared/diagnosis/diagnose.ts';

const dir = fileURLToPath(new URL('../../fixtures/pcap/', import.meta.url));
const real = (name: string) => new Uint8Array(readFileSync(dir + name));

/** The file offsets of the 8-byte values of option `code` in every Interface Statistics Block (little-endian file). */
function isbOptionOffsets(file: Uint8Array, code: number): number[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: number[] = [];
  for (let o = 0; o + 12 <= file.length; ) {
    const type = v.getUint32(o, true);
    const length = v.getUint32(o + 4, true);
    if (type === 5) {
      for (let p = o + 20; p + 4 <= o + length - 4; ) {
        const c = v.getUint16(p, true);
        const len = v.getUint16(p + 2, true);
        if (c === 0) break;
        if (c === code && len === 8) out.push(p + 4);
        p += 4 + ((len + 3) & ~3);
      }
    }
    o += length;
  }
  return out;
}

function withIsbValue(file: Uint8Array, code: number, lo: number, hi = 0): Uint8Array {
  const copy = file.slice();
  const v = new DataView(copy.buffer);
  const offsets = isbOptionOffsets(copy, code);
  expect(offsets.length).toBeGreaterThan(0);
  for (const at of offsets) {
    v.setUint32(at, lo, true);
    v.setUint32(at + 4, hi, true);
  }
  return copy;
}

async function findingsOf(file: Uint8Array) {
  const { events, importer } = importBytes(file, {}, 1000);
  const summary = await summarize([events], { path: 'test.pcapng', format: 'pcapng' });
  // As `pacscope summary` does: the file's own problems are errors of the model.
  for (const e of importer.errors) summary.errors.push({ association: null, side: null, offset: e.offset, time: 0, reason: `file: ${e.reason}` });
  return { importer, findings: diagnose(summary) };
}

describe('interface statistics of a pcapng', () => {
  it("reads dumpcap's counters of a real capture, named after the interface, with no drop", () => {
    for (const chunk of [1, 7, 4096, 1 << 20]) {
      const { importer } = importBytes(real('dcmtk-echo.pcapng'), {}, chunk);
      expect(importer.interfaceStatistics).toHaveLength(1);
      const [s] = importer.interfaceStatistics;
      expect(s.name).toBe('lo');
      expect(s.interfaceDropped).toBe(0);
      expect(s.received).toBeGreaterThan(0);
      expect(droppedPackets(s)).toBe(0);
      expect(importer.errors).toEqual([]);
    }
  });

  it('reports the packets the capture dropped as one problem, and the diagnosis as capture.packets-dropped', async () => {
    const { importer, findings } = await findingsOf(withIsbValue(real('dcmtk-echo.pcapng'), 5, 7));
    expect(importer.errors).toHaveLength(1);
    expect(importer.errors[0].reason).toMatch(/^the capture dropped 7 packet\(s\) on interface lo \(7 by the interface, \d+ received;/);
    expect(DROPPED_REASON.exec(`file: ${importer.errors[0].reason}`)?.[1]).toBe('7');
    const dropped = findings.filter((f) => f.rule === 'capture.packets-dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0].severity).toBe('warning');
    expect(dropped[0].title).toBe('The capture dropped 7 packet(s) on lo');
    expect(dropped[0].fix).toMatch(/--buffer-size 512 --interface lo/);
    // Counted once: not also as bytes the capture lacks somewhere.
    expect(findings.filter((f) => f.rule === 'capture.decode-errors')).toEqual([]);
  });

  it("takes all-ones as dumpcap's 'could not read the counter': unknown, no problem", async () => {
    const { importer, findings } = await findingsOf(withIsbValue(real('dcmtk-echo.pcapng'), 5, 0xffffffff, 0xffffffff));
    expect(importer.interfaceStatistics[0].interfaceDropped).toBeNull();
    expect(droppedPackets(importer.interfaceStatistics[0])).toBeNull();
    expect(importer.errors).toEqual([]);
    expect(findings.filter((f) => f.rule === 'capture.packets-dropped')).toEqual([]);
  });

  it('a block cut short by the end of the file is a truncation, not a counter', () => {
    const file = real('dcmtk-echo.pcapng');
    const isb = isbOptionOffsets(file, 5)[0];
    const { importer } = importBytes(file.subarray(0, isb + 2), {}, 512);
    expect(importer.interfaceStatistics).toEqual([]);
    expect(importer.errors.map((e) => e.reason).join('\n')).toMatch(/truncated block/);
  });
});
