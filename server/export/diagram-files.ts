/**
 * The sequence diagram of a session as files, from the command line: the
 * same pure layout and renderers as the browser's export menu
 * (shared/view/diagram/layout.ts, shared/view/export/svg.ts, mermaid.ts), so
 * `pacscope export FILE --svg OUT` draws what the UI draws. PNG is the SVG
 * rendered by headless Chromium (Debian's `chromium`), the only rasteriser
 * at hand that draws text exactly as the browser does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Summary } from '../../shared/model/summary-types.ts';
import { layoutDiagram } from '../../shared/view/diagram/layout.ts';
import { layoutToSvg } from '../../shared/view/export/svg.ts';
import { layoutToMermaid } from '../../shared/view/export/mermaid.ts';
import { pngScale } from '../../shared/view/export/png-scale.ts';

const run = promisify(execFile);
export const CHROMIUM = process.env.PACSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export interface DiagramOptions {
  /** Every PDU and PDV instead of DIMSE messages. */
  pdus?: boolean;
  /** A time axis instead of one row per message. */
  realTime?: boolean;
}

function layout(summary: Summary, o: DiagramOptions) {
  return layoutDiagram(summary, { pdus: o.pdus ?? false, realTime: o.realTime ?? false });
}

export function diagramSvg(summary: Summary, o: DiagramOptions = {}): string {
  return layoutToSvg(layout(summary, o), `pacscope: ${summary.source.path}`);
}

export function diagramMermaid(summary: Summary, o: DiagramOptions = {}): string {
  return layoutToMermaid(layout(summary, o));
}

/** Writes the diagram as a PNG (2× where the size allows) through headless Chromium; a clear Error when Chromium is missing. */
export async function writeDiagramPng(summary: Summary, out: string, o: DiagramOptions = {}): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`PNG export renders the SVG with Chromium, which is not installed (${CHROMIUM}): apt-get install chromium, or export --svg`);
  const svg = diagramSvg(summary, o);
  const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  const width = Math.ceil(Number(size?.[1] ?? 800));
  const height = Math.ceil(Number(size?.[2] ?? 600));
  const scale = pngScale(width, height);
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-png-'));
  try {
    const file = join(dir, 'diagram.svg');
    await writeFile(file, svg);
    await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--hide-scrollbars',
        `--force-device-scale-factor=${scale}`,
        `--window-size=${width},${height}`,
        `--screenshot=${out}`,
        pathToFileURL(file).href,
      ],
      { timeout: 120_000 },
    );
    const written = (await stat(out).catch(() => null))?.size ?? 0;
    if (written === 0) throw new Error(`Chromium wrote no PNG to ${out}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
