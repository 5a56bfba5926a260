/**
 * `pacscope doctor [--aet AE] --aec AE [--dest AE] [--store AE@HOST:PORT]
 * [--record FILE] [--json] HOST PORT`: the connectivity doctor
 * (server/doctor/) on one peer, with pacscope's own store SCP running as the
 * default move destination (on a free loopback port unless --store says
 * where), every association captured (and recorded with --record). Prints
 * each step as it finishes, then what works, what does not and the fixes;
 * --json prints the report as JSON instead (DoctorReport of
 * shared/events/live-api.ts).
 *
 * Exit codes: 0 everything probed works, 2 usage, 6 something fails
 * (the SCU commands' "failure", server/cli/scu-common.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type OptionSpec, type ParsedArgs } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { EXIT_CODES } from './scu-common.ts';
import dimse from '../dimse/library.ts';
import { CaptureHub } from '../capture/hub.ts';
import { startStoreScp, type RunningStoreScp } from '../endpoints/store-scp.ts';
import { parseAeAddress } from '../endpoints/pacs/config.ts';
import { runDoctor, targetProblem } from '../doctor/run-doctor.ts';
import { allWorks } from '../doctor/report.ts';
import { formatStep, formatSummary } from '../doctor/format-report.ts';
import { dcmqrscpHost, orthancModality } from '../doctor/config-snippets.ts';
import type { DoctorTarget } from '../doctor/types.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'aet', value: 'AE', help: 'calling AE title (default PACSCOPE)' },
  { name: 'aec', value: 'AE', help: "called AE title: the peer's AE title (required)" },
  { name: 'dest', value: 'AE', help: 'move destination of the retrieve step (default: the store SCP below)' },
  {
    name: 'store',
    value: 'AE@HOST:PORT',
    help: "pacscope's own store SCP, the default move destination; the peer needs it in its AE table for the retrieve to reach it (default: the calling AE title on 127.0.0.1, a free port)",
  },
  { name: 'timeout', value: 'S', help: 'connect/association/idle timeout of each association, in seconds (default 10)' },
  { name: 'record', value: 'FILE', help: 'record every association (pacscope summary FILE reads it) (default: not recorded)' },
  { name: 'overwrite', help: 'replace an existing --record FILE (default: refuse)' },
  { name: 'json', help: 'print the report as JSON (DoctorReport) on stdout; the steps go to stderr' },
  { name: 'verbose', aliases: ['-v'], help: "dcmjs-dimse's own log (default: silent)" },
];

export const DOCTOR_HELP: CommandHelp = {
  name: 'doctor',
  synopsis: ['[--aet AE] --aec AE [--dest AE] [--store AE@HOST:PORT] [--record FILE] [--json] HOST PORT'],
  description: `Checks a peer step by step: TCP connection, C-ECHO, AE title variants after a
reject, the SOP classes and transfer syntaxes it accepts, C-FIND, and a
one-instance C-MOVE (and C-GET), then prints what works, what does not and
the fixes.`,
  options: OPTIONS,
  epilogue: 'exit codes: 0 everything probed works, 2 usage, 6 something fails',
};

export const DOCTOR_COMMAND: CliCommand = { help: DOCTOR_HELP, run: doctorCommand };

class UsageError extends Error {}

const last = (args: ParsedArgs, name: string): string | undefined => args.values.get(name)?.at(-1);

interface DoctorLine {
  target: DoctorTarget;
  store: { ae: string; host: string; port: number };
  record?: string;
  overwrite: boolean;
  json: boolean;
  timeoutMs: number;
}

export function parseDoctorLine(argv: string[]): DoctorLine {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, OPTIONS);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const bad = args.positionals.find((p) => /^-/.test(p));
  if (bad) throw new UsageError(`unknown option ${bad}`);
  const [host, portText, ...rest] = args.positionals;
  if (host === undefined || portText === undefined) throw new UsageError('HOST and PORT are required');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (!/^\d+$/.test(portText)) throw new UsageError(`PORT must be a number from 1 to 65535, got "${portText}"`);
  const calledAeTitle = last(args, 'aec');
  if (calledAeTitle === undefined) throw new UsageError("--aec AE (the peer's AE title) is required");
  const callingAeTitle = last(args, 'aet') ?? 'PACSCOPE';
  const destination = last(args, 'dest');
  const target: DoctorTarget = { host, port: Number(portText), calledAeTitle, callingAeTitle, ...(destination !== undefined ? { destination } : {}) };
  const problem = targetProblem(target);
  if (problem) throw new UsageError(problem);
  let store = { ae: callingAeTitle.trim(), host: '127.0.0.1', port: 0 };
  const storeText = last(args, 'store');
  if (storeText !== undefined) {
    try {
      store = parseAeAddress(storeText);
    } catch (e) {
      throw new UsageError(`--store: ${(e as Error).message}`);
    }
  }
  const timeout = last(args, 'timeout');
  if (timeout !== undefined && (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 3600)) throw new UsageError(`--timeout: seconds from 1 to 3600, got "${timeout}"`);
  if (!args.flags.has('verbose')) dimse.log.setLevel('silent');
  return { target, store, record: last(args, 'record'), overwrite: args.flags.has('overwrite'), json: args.flags.has('json'), timeoutMs: timeout === undefined ? 10_000 : Number(timeout) * 1000 };
}

export async function doctorCommand(argv: string[]): Promise<number> {
  let line: DoctorLine;
  try {
    line = parseDoctorLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`pacscope doctor: ${e.message}\n${formatUsage(DOCTOR_HELP)}(pacscope doctor --help lists the options)\n`);
    return EXIT_CODES.usage;
  }
  const { target, json } = line;
  // With --json, stdout carries the JSON only; what people read goes to stderr.
  const say = (text: string) => (json ? process.stderr : process.stdout).write(`${text}\n`);
  let hub: CaptureHub;
  try {
    hub = await CaptureHub.open({
      recordPath: line.record,
      overwrite: line.overwrite,
      source: { kind: 'scu', description: `pacscope doctor ${target.callingAeTitle} → ${target.calledAeTitle} at ${target.host}:${target.port}` },
    });
  } catch (e) {
    process.stderr.write(`pacscope doctor: cannot record to ${line.record}: ${(e as Error).message}\n`);
    return EXIT_CODES.usage;
  }
  const outputDir = await mkdtemp(join(tmpdir(), 'pacscope-doctor-store-'));
  let store: RunningStoreScp | null = null;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    try {
      store = await startStoreScp({ ...line.store, outputDir }, hub);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EADDRINUSE' ? 'the port is in use (choose another with --store AE@HOST:PORT)' : err.message;
      process.stderr.write(`pacscope doctor: cannot start the store SCP on ${line.store.host}:${line.store.port}: ${why}\n`);
      return EXIT_CODES.usage;
    }
    const own = { ae: store.ae, host: store.host, port: store.port };
    say(`pacscope doctor: ${target.callingAeTitle} → ${target.calledAeTitle} at ${target.host}:${target.port}`);
    say(`pacscope's store SCP: ${own.ae}@${own.host}:${own.port}${target.destination && target.destination !== own.ae ? ` (the retrieve goes to ${target.destination} instead)` : ''}`);
    if (!target.destination || target.destination === own.ae) {
      say(`  for the retrieve to reach it, the peer needs ${own.ae} at ${own.host}:${own.port} in its AE table:`);
      say(`    Orthanc:  ${orthancModality(own)}`);
      say(`    dcmqrscp: HostTable line  ${dcmqrscpHost(own)}`);
    }
    say('');
    const report = await runDoctor(target, hub, {
      storeScp: own,
      timeoutMs: line.timeoutMs,
      signal: abort.signal,
      onStep: json ? undefined : (s) => say(formatStep(s)),
    });
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else say(`\n${formatSummary(report).trimEnd()}`);
    return allWorks(report) && !report.cancelled ? 0 : EXIT_CODES.failure;
  } finally {
    process.off('SIGINT', onSignal);
    await store?.close();
    await hub.close();
    await rm(outputDir, { recursive: true, force: true });
    if (line.record) process.stderr.write(`recorded to ${line.record} (pacscope summary ${line.record})\n`);
  }
}
