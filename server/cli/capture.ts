/**
 * `pacscope capture --interface IF [--filter BPF] [--record FILE]`: live
 * passive capture, headless (issue 17). dumpcap captures on the interface
 * (server/sources/live-capture.ts); the DICOM connections between other
 * machines are reassembled, recorded and counted as they go, with memory
 * bounded as `pacscope proxy`'s: the recording is written through the same
 * RotatingRecorder (one file, or a series rotated by size or time) and only
 * counters are kept (server/proxy/headless-capture.ts: a connection's decoder
 * is dropped when it ends). Nothing needs to change on the peers. Stop with
 * Ctrl-C: dumpcap is stopped, its drop counter read, the recording closed,
 * and a summary printed.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { VERSION } from '../version.ts';
import { HeadlessCapture } from '../proxy/headless-capture.ts';
import { RotatingRecorder } from '../proxy/rotating-recorder.ts';
import { parseDuration, parseSize } from '../proxy/proxy-config.ts';
import type { RouteStats } from '../proxy/proxy-stats.ts';
import { DEFAULT_BUFFER_MIB, DEFAULT_CAPTURE_FILTER, LiveCapture } from '../sources/live-capture.ts';
import { CaptureError } from '../sources/dumpcap-problems.ts';
import { captureMetadata } from '../sources/capture-metadata.ts';
import type { CaptureInfo } from '../../shared/events/live-api.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'interface', aliases: ['-i'], value: 'IF', help: 'the network interface to capture on, a name or number of dumpcap -D (e.g. eth0, lo, any)' },
  { name: 'filter', aliases: ['-f'], value: 'BPF', help: `capture filter in tcpdump syntax, e.g. "host 10.0.0.5 and tcp port 104" (default "${DEFAULT_CAPTURE_FILTER}"; DICOM is found on any port)` },
  { name: 'record', value: 'FILE', help: 'record every DICOM connection to FILE (pacscope summary FILE reads it) (default: not recorded)' },
  { name: 'record-dir', value: 'DIR', help: 'record to a series of files in DIR, each readable on its own' },
  { name: 'rotate-size', value: 'SIZE', help: 'with --record-dir: a new file after SIZE, e.g. 100MB, 1GiB (default: no limit)' },
  { name: 'rotate-time', value: 'TIME', help: 'with --record-dir: a new file every TIME, e.g. 1h, 30m (default: no limit)' },
  { name: 'overwrite', help: 'replace an existing --record FILE (default: refuse)' },
  { name: 'buffer-size', value: 'MIB', help: `dumpcap's kernel buffer in MiB (dumpcap -B); larger rides out bursts without drops (default ${DEFAULT_BUFFER_MIB})` },
  { name: 'dicom-port', value: 'PORT', help: 'a TCP port always taken as DICOM (repeatable; default: found from the A-ASSOCIATE-RQ or the PDU headers, on any port)' },
  { name: 'verbose', aliases: ['-v'], help: "one line per DICOM connection as it opens and ends, and dumpcap's messages" },
];

export const CAPTURE_HELP: CommandHelp = {
  name: 'capture',
  synopsis: ['--interface IF [--filter BPF] [--record FILE | --record-dir DIR] [options]'],
  description: `Live passive capture, headless: Wireshark's dumpcap captures on the interface
(pacscope is not in the path of the traffic, the peers need no change), and
the DICOM associations it sees between any hosts are reassembled, decoded,
counted and recorded as they happen. DICOM is found on any port from the
A-ASSOCIATE-RQ, and connections caught mid-stream from their PDU headers.
Needs the right to capture: root, the wireshark group, or dumpcap with
cap_net_raw,cap_net_admin (the error says which is missing). dumpcap writes
to files in a folder under $TMPDIR (else /tmp), read behind it and deleted:
a burst pacscope cannot decode at once waits there, on disk, not dropped.`,
  options: OPTIONS,
  epilogue: `Stop with Ctrl-C (SIGINT) or SIGTERM: dumpcap is stopped, the packets it
dropped are read from its counters, the recording is flushed and closed, and
a summary is printed. pacscope serve --capture IF shows the same live in the UI.
exit codes: 0 stopped; 1 the capture could not start or ended by itself, or
the command line is wrong (the message says what to do).`,
};

export const CAPTURE_COMMAND: CliCommand = { help: CAPTURE_HELP, run: captureCommand };
const USAGE = `${formatUsage(CAPTURE_HELP)}(pacscope capture --help lists the options)`;

/** Half the recorder's budget (rotating-recorder.ts DEFAULT_MAX_PENDING_BYTES): the capture waits well before gaps would be written. */
const RECORDING_BACKLOG_BYTES = 32 * 1024 * 1024;
const mb = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

function positiveInt(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) throw new Error(`${what}: expected a whole number from 1 to ${max}, got "${text}"`);
  return n;
}

export async function captureCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length > 0) throw new Error(`unexpected argument "${args.positionals[0]}" (the interface is given with --interface IF)\n\n${USAGE}`);
  const last = (k: string) => args.values.get(k)?.at(-1);
  const iface = last('interface');
  if (!iface) throw new Error(`no interface: give --interface IF (dumpcap -D lists them)\n\n${USAGE}`);
  const record = last('record');
  const recordDir = last('record-dir');
  if (record && recordDir) throw new Error('--record FILE and --record-dir DIR exclude each other (one file, or a series of files in DIR)');
  const rotateBytes = last('rotate-size') ? parseSize(last('rotate-size')!, '--rotate-size') : undefined;
  const rotateMs = last('rotate-time') ? parseDuration(last('rotate-time')!, '--rotate-time') : undefined;
  if ((rotateBytes || rotateMs) && !recordDir) throw new Error('--rotate-size and --rotate-time need --record-dir DIR (rotated files go there)');
  const bufferMiB = last('buffer-size') ? positiveInt(last('buffer-size')!, '--buffer-size', 4096) : DEFAULT_BUFFER_MIB;
  const dicomPorts = (args.values.get('dicom-port') ?? []).map((p) => positiveInt(p, '--dicom-port', 65535));
  const filter = last('filter') ?? DEFAULT_CAPTURE_FILTER;
  const verbose = args.flags.has('verbose');

  if (recordDir) await mkdir(resolve(recordDir), { recursive: true });
  const recorder =
    record || recordDir
      ? await RotatingRecorder.open({
          path: record ? resolve(record) : undefined,
          dir: recordDir ? resolve(recordDir) : undefined,
          prefix: 'pacscope-capture',
          rotateBytes,
          rotateMs,
          overwrite: args.flags.has('overwrite'),
          source: { kind: 'capture', description: `pacscope capture on ${iface} (${filter})` },
          metadata: { interface: iface, filter },
        })
      : null;
  const capture = new HeadlessCapture(recorder);
  if (verbose) logConnections(capture);
  let live: LiveCapture;
  // Ended by itself (dumpcap died: the interface went away), rather than stopped.
  let endedByItself: (info: CaptureInfo) => void = () => undefined;
  const ended = new Promise<CaptureInfo>((done) => (endedByItself = done));
  try {
    live = await LiveCapture.start({
      id: iface,
      interface: iface,
      filter,
      bufferMiB,
      dicomPorts,
      sink: capture.sink,
      // The recording's bytes not yet on disk: past this the capture waits (dumpcap's files hold the backlog)
      // rather than the recorder writing gaps (rotating-recorder.ts).
      busy: () => (recorder?.pendingBytes ?? 0) > RECORDING_BACKLOG_BYTES,
      nextConnection: () => {
        const conn = capture.nextConnection();
        capture.stats.assign(conn, iface);
        return conn;
      },
      onProblem: (reason) => process.stderr.write(`pacscope capture: ${reason}\n`),
      onEnd: (info) => endedByItself(info),
    });
  } catch (e) {
    await capture.close().catch(() => undefined);
    // A CaptureError says what to do in one line; main.ts prints it.
    throw e instanceof CaptureError ? e : new CaptureError((e as Error).message);
  }
  // Before the line that says Ctrl-C stops: a signal that comes as soon as it is read must find the handler.
  // SIGHUP too (the terminal closed): dumpcap runs in a process group of its own and is stopped from here.
  const signalled = new Promise<'signal'>((done) => {
    const stop = () => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      done('signal');
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, stop);
  });
  process.stdout.write(
    `pacscope ${VERSION} capturing on ${iface} (filter "${filter}", buffer ${bufferMiB} MiB); ` +
      (recorder ? `recording to ${recordDir ? `${resolve(recordDir)}/` : recorder.path}` : 'not recording (--record FILE or --record-dir DIR)') +
      '; Ctrl-C stops\n',
  );

  const first = await Promise.race([signalled, ended]);
  const info = await live.stop();
  if (verbose && live.log.trim()) process.stdout.write(`dumpcap said:\n${live.log.trim()}\n`);
  recorder?.writeMetadata(captureMetadata(info, live.problems));
  let recordError: Error | null = null;
  await capture.close().catch((e: Error) => (recordError = e));
  process.stdout.write(summaryText(info, capture.stats.finish(), recorder));
  if (recordError) {
    process.stderr.write(`pacscope capture: the recording is incomplete: ${(recordError as Error).message}\n`);
    return 1;
  }
  if (first !== 'signal') {
    process.stderr.write(`pacscope capture: the capture ended: ${info.error ?? 'dumpcap exited'}\n`);
    return 1;
  }
  return 0;
}

/** --verbose: a line per DICOM connection as it opens and as it ends. */
function logConnections(capture: HeadlessCapture): void {
  const opened = new Map<number, string>();
  capture.listener = (e) => {
    const t = new Date(e.time).toISOString().slice(11, 23);
    if (e.kind === 'open') {
      const text = `${e.requestor.host}:${e.requestor.port} → ${e.acceptor.host}:${e.acceptor.port}`;
      opened.set(e.conn, text);
      process.stdout.write(`${t} #${e.conn} ${text}${e.midStream ? ' (joined mid-stream)' : ''}\n`);
    } else if (e.kind === 'refused') process.stdout.write(`${t} #${e.conn} ${e.requestor.host} → ${e.acceptor.host}:${e.acceptor.port}: ${e.reason}\n`);
    else if (e.kind === 'close' && (e.how !== 'fin' || e.from === 'requestor')) {
      process.stdout.write(`${t} #${e.conn} ${opened.get(e.conn) ?? ''} ${e.how === 'fin' ? 'closed by the requestor' : e.how}\n`);
      opened.delete(e.conn);
    }
  };
}

export function summaryText(info: CaptureInfo, stats: RouteStats[], recorder: RotatingRecorder | null): string {
  const seconds = ((info.stopped ? Date.parse(info.stopped) : Date.now()) - Date.parse(info.started)) / 1000;
  const s = stats[0];
  const outcomes = s ? Object.entries(s.outcomes).map(([k, n]) => `${n} ${k}`).join(', ') : '';
  const msgs = s ? Object.values(s.messages).reduce((a, b) => a + b, 0) : 0;
  const byCommand = s ? Object.entries(s.messages).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  const out = [`\npacscope capture stopped after ${seconds.toFixed(1)} s on ${info.interface} (filter "${info.filter}")`];
  out.push(
    `  packets: ${info.received ?? info.packets} captured by dumpcap, ${info.dropped === null ? 'drops unknown' : `${info.dropped} dropped`}; ${mb(info.bytes)} read`,
  );
  out.push(`  DICOM connections ${info.connections} (refused ${info.refused}); associations: ${outcomes || 'none'}`);
  out.push(`  messages ${msgs}${byCommand ? ` (${byCommand})` : ''}; decode errors ${s?.decodeErrors ?? 0}`);
  if (info.gaps > 0) out.push(`  ! ${info.gaps} gap(s) in the TCP streams, ${mb(info.gapBytes)} missing: packets the capture did not get`);
  if (info.dropped) out.push(`  ! dumpcap dropped ${info.dropped} packet(s): a larger --buffer-size, a narrower --filter, or a proxy route (it loses nothing)`);
  for (const p of s?.problems ?? []) out.push(`  ! ${p}`);
  if (recorder) {
    out.push(`recording: ${recorder.files.length === 1 ? recorder.files[0] : `${recorder.files.length} files, ${recorder.files[0]} … ${recorder.files.at(-1)}`}`);
    if (recorder.lostBytes > 0) out.push(`  ! ${mb(recorder.lostBytes)} not recorded (recorded as gaps): the disk was slower than the traffic`);
  }
  out.push(`peak memory (RSS) ${mb(process.resourceUsage().maxRSS * 1024)}`);
  return out.join('\n') + '\n';
}
