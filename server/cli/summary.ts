/**
 * `pacscope summary FILE [--json] [--pdus]`: decode a recording, pcap or
 * pcapng file and print the derived model (docs/summary-json.md) and the
 * findings of the diagnosis rules (shared/diagnosis/). Exit 0 when
 * the file was read, even with decode errors; a thrown Error (file missing,
 * empty, of no known format) becomes a one-line message and exit 1 in main.ts.
 */
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { openWireSource } from '../sources/open-source.ts';
import { summarize } from '../../shared/model/summarize.ts';
import { formatFindings, formatSummary } from '../../shared/view/summary-text.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';
import { tlsConnections } from '../../shared/diagnosis/tls-connections.ts';
import { formatTls } from './tls-text.ts';

/** Shared with `pacscope export`, which reads its FILE the same way. */
export const DICOM_PORT_OPTION: OptionSpec = {
  name: 'dicom-port',
  value: 'PORT',
  help: 'in a pcap/pcapng, read this TCP port as DICOM even where the traffic does not show it (repeatable; default: found from the A-ASSOCIATE-RQ or two PDU headers)',
};

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print the model and the findings as JSON (docs/summary-json.md) instead of text' },
  { name: 'pdus', help: 'list every P-DATA-TF PDU with its PDVs in the timeline (default: the other PDUs and the DIMSE messages)' },
  DICOM_PORT_OPTION,
];

export const SUMMARY_HELP: CommandHelp = {
  name: 'summary',
  synopsis: ['FILE [--json] [--pdus] [--dicom-port PORT]…'],
  description: `Decodes a pacscope recording, a pcap or a pcapng (found from the file's magic
number) and prints each association with its presentation contexts, a
timeline of the PDUs and DIMSE messages, and the findings of the diagnosis
rules with their fixes.`,
  options: OPTIONS,
  epilogue: 'exit codes: 0 the file was read (decode errors are part of the output), 1 it cannot be read',
};

export const SUMMARY_COMMAND: CliCommand = { help: SUMMARY_HELP, run: summaryCommand };

export async function summaryCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length !== 1) throw new Error(formatUsage(SUMMARY_HELP).trimEnd());
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
    : formatSummary(summary, { pdus: args.flags.has('pdus') }) + formatTls(tlsConnections(summary)) + formatFindings(findings, summary);
  await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
  return 0;
}
