/**
 * `pacscope export FILE --svg/--png/--mermaid OUT` (issue 6 §2): the diagram
 * of a real DCMTK C-STORE capture as the UI draws it — an SVG with its
 * lifelines and arrows, Mermaid sequenceDiagram text, a PNG rendered by
 * Chromium — and redacted when asked (no original UID in the SVG).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../interop/harness/process.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'pacscope.js');
const PCAP = join(ROOT, 'test/fixtures/pcap/dcmtk-store.pcapng');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pacscope-diagram-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pacscope = (...args: string[]) => runTool(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('pacscope export: the diagram', () => {
  it('writes SVG, Mermaid and PNG of the session', async () => {
    const [svg, mmd, png] = ['d.svg', 'd.mmd', 'd.png'].map((n) => join(dir, n));
    const r = await pacscope('export', PCAP, '--svg', svg, '--mermaid', mmd, '--png', png);
    expect(r.code, r.output).toBe(0);
    const svgText = await readFile(svg, 'utf8');
    expect(svgText).toMatch(/^<\?xml/);
    expect(svgText).toContain('STORESCU');
    expect(svgText).toContain('C-STORE-RQ');
    const mermaid = await readFile(mmd, 'utf8');
    expect(mermaid).toMatch(/^sequenceDiagram/);
    expect(mermaid).toMatch(/participant P1 as STORESCU/);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(500); // width, at 2×
  }, 60_000);

  it('draws the redacted session when asked, and refuses to overwrite', async () => {
    const plain = join(dir, 'plain.svg');
    const redacted = join(dir, 'redacted.svg');
    expect((await pacscope('export', PCAP, '--svg', plain, '--pdus')).code).toBe(0);
    expect((await pacscope('export', PCAP, '--svg', redacted, '--redact')).code).toBe(0);
    // The instance UIDs (shortened in labels) are under 1.2.826.0.1.3680043; redacted ones are 2.25.<hash>.
    expect(await readFile(join(dir, 'd.svg'), 'utf8')).toContain('1.2.826.0.');
    const hidden = await readFile(redacted, 'utf8');
    expect(hidden).not.toContain('1.2.826.0.');
    expect(hidden).toContain('C-STORE-RQ');
    expect(await readFile(plain, 'utf8')).toContain('P-DATA-TF');
    const again = await pacscope('export', PCAP, '--svg', plain);
    expect(again.code).not.toBe(0);
    expect(again.output).toMatch(/exists \(use --overwrite/);
  }, 60_000);
});
