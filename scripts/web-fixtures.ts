/**
 * Writes the UI's test fixtures (test/fixtures/web/NAME.summary.json): the
 * summaries of real captures (test/fixtures/pcap/), decoded by the current
 * decoder — never written by hand, never left behind the model's version.
 *
 *   node --import tsx scripts/web-fixtures.ts           write them
 *   node --import tsx scripts/web-fixtures.ts --check   exit 1 when one is out of date
 *
 * test/unit/web/fixtures-current.test.ts fails when a committed fixture
 * differs from what this renders. The captures were made with dumpcap by
 * test/interop/dcmtk-flows.test.ts (PACSCOPE_KEEP_INTEROP=1 keeps them):
 * DCMTK movescu, getscu and echoscu against dcmqrscp, and storescp as the
 * C-MOVE destination.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWireSource } from '../server/sources/open-source.ts';
import { summarize } from '../shared/model/summarize.ts';
import type { Summary } from '../shared/model/summary-types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each fixture and the capture it is the summary of. Data. */
export const WEB_FIXTURES: readonly { name: string; capture: string; flow: string }[] = [
  { name: 'move', capture: 'test/fixtures/pcap/dcmtk-web-move.pcapng', flow: 'movescu → dcmqrscp, a study of 3 CT images moved to storescp (a C-STORE sub-association)' },
  { name: 'get', capture: 'test/fixtures/pcap/dcmtk-web-get.pcapng', flow: 'getscu → dcmqrscp, a study of 2 MR images over the same association' },
  { name: 'move-unknown', capture: 'test/fixtures/pcap/dcmtk-web-move-unknown.pcapng', flow: 'movescu → dcmqrscp to a destination it does not know (0xA801)' },
  { name: 'reject', capture: 'test/fixtures/pcap/dcmtk-web-reject.pcapng', flow: 'echoscu → dcmqrscp with a called AE title it does not have (A-ASSOCIATE-RJ)' },
  { name: 'refused', capture: 'test/fixtures/pcap/dcmtk-refused.pcapng', flow: 'echoscu to a port where nothing listens (RST)' },
];

export const fixturePath = (name: string): string => join(ROOT, 'test', 'fixtures', 'web', `${name}.summary.json`);

/** The fixture as the current decoder makes it from its capture (the path relative, so that it does not name this machine). */
export async function renderFixture(capture: string): Promise<Summary> {
  const source = await openWireSource(join(ROOT, capture));
  const summary = await summarize(source.batches(), { path: capture, format: source.format });
  if (source.errors.length > 0) throw new Error(`${capture}: ${source.errors.map((e) => e.reason).join('; ')}`);
  return summary;
}

const text = (s: Summary): string => `${JSON.stringify(s, null, 2)}\n`;

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const f of WEB_FIXTURES) {
    const fresh = text(await renderFixture(f.capture));
    const path = fixturePath(f.name);
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // a new fixture
    }
    if (old === fresh) continue;
    stale += 1;
    if (check) process.stderr.write(`${path}: out of date (node --import tsx scripts/web-fixtures.ts rewrites it)\n`);
    else writeFileSync(path, fresh);
  }
  if (!check) process.stdout.write(`${WEB_FIXTURES.length} fixtures, ${stale} rewritten\n`);
  return check && stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.includes('--check')).then((code) => process.exit(code));
}
