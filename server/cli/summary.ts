/**
 * `pacscope summary FILE [--json] [--pdus]`: decode a recording, pcap or
 * pcapng file and print the derived model (docs/summary-json.md) and the
 * findings of the diagnosis rules (shared/diagnosis/). Exit 0 when
 * the file was read, even with decode errors; a thrown Error (file missing,
 * empty, of no known format) becomes a one-line message and exit 1 in main.ts.
 */
import { parseArgs } from './args.ts';
import { openWireSource } from '../sources/open-source.ts';
import { summarize } from '../../shared/model/summarize.ts';
import { formatFindings, formatSummary } from './summary-text.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';

export async function summaryCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['json', 'pdus'], values: ['dicom-port'] });
  if (args.positionals.length !== 1) throw new Error('usage: pacscope summary FILE [--json] [--pdus] [--dicom-port PORT]…');
  const path = args.positionals[0];
  const dicomPorts = (args.values.get('dicom-port') ?? []).map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--dicom-port: not a port: ${p}`);
    return n;
  });
  const source = await openWireSource(path, { dicomPorts });
  const summary = await summarize(source.batches(), { path, format: source.format });
  // Problems of the file itself (a torn last record, an unknown link type) are decode errors too.
  for (const e of source.errors) summary.errors.push({ association: null, side: null, offset: e.offset, time: 0, reason: `file: ${e.reason}` });
  // The diagnosis rules run on the finished model (the whole file: complete, "now" = its last event).
  const findings = diagnose(summary);
  const text = args.flags.has('json')
    ? `${JSON.stringify({ ...summary, findings }, null, 2)}\n`
    : formatSummary(summary, { pdus: args.flags.has('pdus') }) + formatFindings(findings, summary);
  await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
  return 0;
}
