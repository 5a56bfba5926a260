/**
 * `pacscope export FILE (--pcapng OUT | --recording OUT | --svg|--png|--mermaid OUT)… [--redact]
 * [--redact-network] [--date-shift DAYS] [--salt TEXT] [--overwrite]`:
 * a recording, pcap or pcapng written again as a pcapng (synthesised
 * Ethernet/IP/TCP framing, shared/capture/export/pcapng-writer.ts) and/or as
 * a pacscope recording, optionally redacted on the way (shared/redact/). The
 * file is streamed: read in chunks, each wire event redacted and written as
 * it comes, with back-pressure on the output, so memory does not grow with
 * the file. Output goes to a temporary file renamed at the end: a failed
 * export leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { WireEvent } from '../../shared/capture/wire-event.ts';
import { PcapngWriter } from '../../shared/capture/export/pcapng-writer.ts';
import type { RecordingHeader } from '../../shared/capture/recording/recording-meta.ts';
import { Redactor } from '../../shared/redact/redactor.ts';
import { redactionMetadata, type RedactOptions } from '../../shared/redact/redact-options.ts';
import { openWireSource } from '../sources/open-source.ts';
import { SessionDecoder } from '../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../shared/model/summary-builder.ts';
import { diagramMermaid, diagramSvg, writeDiagramPng } from '../export/diagram-files.ts';
import { RecordingWriter } from '../recording/writer.ts';
import { VERSION } from '../version.ts';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { DICOM_PORT_OPTION } from './summary.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'pcapng', value: 'OUT', help: 'write a pcapng for Wireshark (synthesised Ethernet/IP/TCP framing, original timestamps)' },
  { name: 'recording', value: 'OUT', help: 'write a pacscope recording' },
  { name: 'svg', value: 'OUT', help: 'write the sequence diagram as SVG, drawn as the UI draws it' },
  { name: 'png', value: 'OUT', help: 'write the sequence diagram as PNG (needs Chromium)' },
  { name: 'mermaid', value: 'OUT', help: 'write the sequence diagram as Mermaid sequenceDiagram text' },
  { name: 'pdus', help: 'the diagrams show every PDU and PDV, not only the DIMSE messages' },
  { name: 'redact', help: 'replace names, IDs, dates and UIDs (PS3.15 Annex E); AE titles and addresses kept (default: not redacted)' },
  { name: 'redact-network', help: 'as --redact, and AE titles and IP addresses replaced too' },
  { name: 'date-shift', value: 'DAYS', help: 'with --redact: shift dates by DAYS (default: derived from the salt, 1 to 10 years back)' },
  { name: 'salt', value: 'TEXT', help: 'with --redact: the key of the pseudonyms, so two exports line up (default: a random one)' },
  { name: 'overwrite', help: 'replace an existing OUT (default: refuse)' },
  DICOM_PORT_OPTION,
];

export const EXPORT_HELP: CommandHelp = {
  name: 'export',
  synopsis: ['FILE (--pcapng OUT | --recording OUT | --svg OUT | --png OUT | --mermaid OUT)… [--redact | --redact-network] [options]'],
  description: `Writes a recording, pcap or pcapng again: as a pcapng for Wireshark, as a
pacscope recording, and/or as the sequence diagram; optionally redacted on
the way. The file is read once and streamed (memory does not grow with it);
each output is written to a temporary file and renamed when complete.`,
  options: OPTIONS,
  epilogue: 'exit codes: 0 written, 1 refused or failed (nothing is left behind)',
};

export const EXPORT_COMMAND: CliCommand = { help: EXPORT_HELP, run: exportCommand };
const USAGE = formatUsage(EXPORT_HELP).trimEnd();
/** Recording output is flushed (waited for) after this many bytes, so a slow disk slows the reading instead of filling memory. */
const FLUSH_BYTES = 8 << 20;
const MAX_PROBLEMS_SHOWN = 20;

function single(values: Map<string, string[]>, name: string): string | null {
  const v = values.get(name);
  if (!v) return null;
  if (v.length > 1) throw new Error(`--${name} given more than once`);
  return v[0];
}

/** A temporary file beside `out`, renamed to it when complete. */
const temporary = (out: string): string => join(dirname(out), `.${basename(out)}.${process.pid}.part`);

class PcapngOutput {
  private readonly writer = new PcapngWriter();
  private constructor(private readonly stream: WriteStream) {}

  static async open(path: string): Promise<PcapngOutput> {
    const stream = createWriteStream(path, { flags: 'wx', highWaterMark: 4 << 20 });
    await new Promise<void>((ok, fail) => stream.once('open', () => ok()).once('error', fail));
    const out = new PcapngOutput(stream);
    await out.put(out.writer.header());
    return out;
  }

  async write(event: WireEvent): Promise<void> {
    for (const block of this.writer.write(event)) await this.put(block);
  }

  private put(bytes: Uint8Array): Promise<void> | void {
    if (!this.stream.write(bytes)) return new Promise((ok) => this.stream.once('drain', () => ok()));
  }

  close(): Promise<void> {
    return new Promise((ok, fail) => this.stream.end((err?: Error | null) => (err ? fail(err) : ok())));
  }
}

export async function exportCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length !== 1) throw new Error(USAGE);
  const input = args.positionals[0];
  const pcapngPath = single(args.values, 'pcapng');
  const recordingPath = single(args.values, 'recording');
  // The diagram of the session as exported (redacted when asked), drawn as the UI draws it.
  const diagrams = { svg: single(args.values, 'svg'), png: single(args.values, 'png'), mermaid: single(args.values, 'mermaid') };
  const diagramPaths = Object.values(diagrams).filter((p): p is string => p !== null);
  if (pcapngPath === null && recordingPath === null && diagramPaths.length === 0) throw new Error(`nothing to write: give --pcapng, --recording, --svg, --png or --mermaid OUT (${USAGE})`);
  const network = args.flags.has('redact-network');
  const redact = args.flags.has('redact') || network;
  const shiftText = single(args.values, 'date-shift');
  const salt = single(args.values, 'salt');
  if (!redact && (shiftText !== null || salt !== null)) throw new Error('--date-shift and --salt only apply with --redact');
  if (shiftText !== null && !/^[+-]?\d{1,6}$/.test(shiftText)) throw new Error(`--date-shift: not a whole number of days: ${shiftText}`);
  if (salt === '') throw new Error('--salt: empty');
  const dicomPorts = (args.values.get('dicom-port') ?? []).map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--dicom-port: not a port: ${p}`);
    return n;
  });
  const outputs = [pcapngPath, recordingPath].filter((p): p is string => p !== null);
  const every = [...outputs, ...diagramPaths];
  if (new Set(every.map((p) => resolve(p))).size !== every.length) throw new Error('two outputs name the same file');
  for (const out of every) {
    if (resolve(out) === resolve(input)) throw new Error(`${out}: is the input file; write the export elsewhere`);
    if (existsSync(out) && !args.flags.has('overwrite')) throw new Error(`${out}: exists (use --overwrite to replace it)`);
    if (!existsSync(dirname(resolve(out)))) throw new Error(`${out}: no such directory ${dirname(resolve(out))}`);
  }

  const source = await openWireSource(input, { dicomPorts });
  // Without --salt every export gets its own: pseudonyms of two exports cannot be matched with each other.
  const options: RedactOptions | null = redact ? { salt: salt ?? randomBytes(16).toString('hex'), dateShiftDays: shiftText === null ? undefined : Number(shiftText), network } : null;
  const redactor = options ? new Redactor(options) : null;

  const temps = new Map(outputs.map((o) => [o, temporary(o)]));
  let pcapng: PcapngOutput | null = null;
  let recording: RecordingWriter | null = null;
  let events = 0;
  let sinceFlush = 0;
  const startRecording = async (firstTime: number): Promise<RecordingWriter> => {
    const header: RecordingHeader = {
      tool: { name: 'pacscope', version: VERSION },
      startTime: redactor ? firstTime : (source.meta?.startTime ?? firstTime),
      // A redacted copy names no path (a file name can be a patient's name) and drops free-text metadata (labels, notes).
      source: redactor ? { kind: 'export', description: `redacted export of a ${source.format}` } : { kind: 'export', description: `export of ${basename(input)} (${source.format})` },
      metadata: redactor && options ? redactionMetadata(options) : { ...(source.meta?.metadata ?? {}) },
    };
    return RecordingWriter.open(temps.get(recordingPath as string) as string, header, { overwrite: true });
  };
  const diagramModel = diagramPaths.length ? { decoder: new SessionDecoder(), builder: new SummaryBuilder({ path: redactor ? `redacted ${source.format}` : basename(input), format: source.format }) } : null;
  const emit = async (event: WireEvent): Promise<void> => {
    events++;
    if (diagramModel) for (const d of diagramModel.decoder.push(event)) diagramModel.builder.apply(d);
    if (recordingPath !== null) {
      recording ??= await startRecording(event.time);
      const before = recording.bytesWritten;
      recording.write(event);
      sinceFlush += recording.bytesWritten - before;
      if (sinceFlush > FLUSH_BYTES) {
        sinceFlush = 0;
        await recording.flush();
      }
    }
    if (pcapng) await pcapng.write(event);
  };

  try {
    for (const t of temps.values()) await rm(t, { force: true });
    if (pcapngPath !== null) pcapng = await PcapngOutput.open(temps.get(pcapngPath) as string);
    for await (const batch of source.batches()) {
      for (const event of batch) {
        if (redactor) for (const out of redactor.push(event)) await emit(out);
        else await emit(event);
      }
    }
    if (redactor) for (const out of redactor.finish()) await emit(out);
    if (recordingPath !== null) recording ??= await startRecording(source.meta?.startTime ?? Date.now());
    await (recording as RecordingWriter | null)?.close();
    await (pcapng as PcapngOutput | null)?.close();
    for (const [out, temp] of temps) await rename(temp, out);
    if (diagramModel) {
      for (const d of diagramModel.decoder.finish()) diagramModel.builder.apply(d);
      const summary = diagramModel.builder.result();
      const o = { pdus: args.flags.has('pdus') };
      if (diagrams.svg) await writeFile(diagrams.svg, diagramSvg(summary, o));
      if (diagrams.mermaid) await writeFile(diagrams.mermaid, `${diagramMermaid(summary, o)}\n`);
      if (diagrams.png) await writeDiagramPng(summary, diagrams.png, o);
    }
  } catch (e) {
    await (pcapng as PcapngOutput | null)?.close().catch(() => undefined);
    await (recording as RecordingWriter | null)?.close().catch(() => undefined);
    for (const temp of temps.values()) await rm(temp, { force: true });
    throw e;
  }

  for (const e of source.errors) process.stderr.write(`pacscope export: ${input}: offset ${e.offset}: ${e.reason}\n`);
  if (redactor) {
    const { problems, moreProblems } = redactor.ctx;
    for (const p of problems.slice(0, MAX_PROBLEMS_SHOWN)) process.stderr.write(`pacscope export: redaction${p.conn === null ? '' : ` (connection ${p.conn})`}: ${p.reason}\n`);
    const hidden = problems.length - Math.min(problems.length, MAX_PROBLEMS_SHOWN) + moreProblems;
    if (hidden > 0) process.stderr.write(`pacscope export: … and ${hidden} more\n`);
  }
  const what = redactor ? `redacted (${network ? 'names, IDs, dates, UIDs, AE titles and addresses' : 'names, IDs, dates and UIDs; AE titles and addresses kept'})` : 'not redacted';
  process.stdout.write(`${events} wire events, ${what} → ${every.join(', ')}\n`);
  return 0;
}
