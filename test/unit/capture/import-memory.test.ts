/**
 * Issue 14 §5: importing a capture that dropped segments takes no more
 * memory than importing a clean one. Real pcapng files on disk (≈320 MB of
 * C-STORE associations, 4 at a time, one data segment in 200 missing, as
 * dumpcap drops them when the disk falls behind), summarised by `pacscope
 * summary` in its own process: its peak RSS is the clean file's, and what
 * follows each hole is decoded. Before, every hole held the segments after
 * it (and the slabs they shared with delivered bytes) until 4 MiB piled up:
 * twice the clean file's peak here, 730 MB for 0.9 GB. And a capture that
 * saw one direction only (no acknowledgment ever tells a hole was lost)
 * holds at most the importer's budget, all connections together.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapImporter } from '../../../shared/capture/pcap/pcap-importer.ts';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { fileChunks } from '../../../server/sources/file-chunks.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { writeLossyStorePcapng } from './big-files.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pacscope-lossy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE = { associations: 30, instances: 20, dataSetBytes: 500_000, concurrent: 4 };
const files = { clean: join(dir, 'clean.pcapng'), lossy: join(dir, 'lossy.pcapng'), oneWay: join(dir, 'one-way.pcapng') };
let dropped = 0;

beforeAll(async () => {
  await writeLossyStorePcapng(files.clean, { ...SHAPE, dropEvery: 0 });
  ({ dropped } = await writeLossyStorePcapng(files.lossy, { ...SHAPE, dropEvery: 200 }));
  await writeLossyStorePcapng(files.oneWay, { associations: 32, instances: 10, dataSetBytes: 500_000, dropEvery: 50, concurrent: 32, oneWay: true });
}, 60_000);

/** `pacscope summary --json FILE` in its own process: the summary and the peak RSS in MB. */
function summary(path: string): { summary: Summary; peakMb: number } {
  const run = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, BIN, 'summary', '--json', path], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  expect(run.status, run.stderr).toBe(0);
  return { summary: JSON.parse(run.stdout) as Summary, peakMb: Number(/maxrss (\d+)/.exec(run.stderr)?.[1]) / 1024 };
}

describe('importing a capture with dropped segments', () => {
  it('peaks no higher than the clean capture, and decodes what follows each hole', () => {
    const clean = summary(files.clean);
    const lossy = summary(files.lossy);
    console.log(`pacscope summary, ${SHAPE.associations * SHAPE.instances} C-STOREs: clean peak ${clean.peakMb.toFixed(0)} MB, with ${dropped} segments dropped ${lossy.peakMb.toFixed(0)} MB`);
    expect(dropped).toBeGreaterThan(1000);
    expect(clean.summary.messages).toHaveLength(2 * SHAPE.associations * SHAPE.instances);
    expect(lossy.peakMb).toBeLessThan(clean.peakMb + 40);
    // A hole costs the message it falls in, not the association: nearly every C-STORE and response is still there, every association released.
    expect(lossy.summary.messages.length).toBeGreaterThan(0.98 * clean.summary.messages.length);
    expect(lossy.summary.associations.every((a) => a.outcome === 'released')).toBe(true);
    // Each hole is a gap where it is, not a pile of data delivered after the association ended.
    expect(lossy.summary.errors.filter((e) => /after the association ended/.test(e.reason))).toEqual([]);
    expect(lossy.summary.errors.length).toBeLessThan(2 * dropped);
  }, 60_000);

  it('seen one way only, holds at most its budget of out-of-order bytes, all connections together', async () => {
    const importer = new PcapImporter({ maxHeldBytes: 8 * 1024 * 1024 });
    const decoder = new SessionDecoder();
    let maxHeld = 0;
    let stores = 0;
    for await (const chunk of fileChunks(files.oneWay)) {
      for (const e of importer.push(chunk)) for (const d of decoder.push(e)) if (d.type === 'dimse' && d.message.commandField === CommandField.CStoreRq) stores += 1;
      maxHeld = Math.max(maxHeld, importer.heldBytes);
    }
    for (const e of importer.end()) for (const d of decoder.push(e)) if (d.type === 'dimse' && d.message.commandField === CommandField.CStoreRq) stores += 1;
    // 32 connections with holes would hold 4 MiB each (128 MiB) by the per-direction bound alone.
    expect(maxHeld).toBeGreaterThan(4 * 1024 * 1024);
    expect(maxHeld).toBeLessThanOrEqual(8 * 1024 * 1024 + 1448);
    expect(importer.heldBytes).toBe(0);
    // Every C-STORE-RQ command travels in its own first segments: almost all are decoded.
    expect(stores).toBeGreaterThan(0.9 * 32 * 10);
  }, 60_000);
});
