/**
 * What the SCU commands (echo, find, move, get, store) share: DCMTK-style
 * options, the capture hub (and its recording with --record), the final
 * result line and the exit code.
 *
 * Exit codes (EXIT_CODES): 0 success, 1 warning status, 2 usage error,
 * 3 connection refused or failed, 4 association rejected, 5 association
 * aborted or timed out, 6 failure status (or the operation could not run:
 * no accepted presentation context, a bad query, …), 7 cancelled (0xFE00).
 */
import { parseArgs, type OptionSpec, type ParsedArgs } from './args.ts';
import { formatUsage, type CommandHelp } from './command-help.ts';
import { CaptureHub } from '../capture/hub.ts';
import dimse from '../dimse/library.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { DEFAULT_MAX_PDU, type OperationResult, type Outcome, type QueryLevel, type QueryModel, type ScuTarget } from '../endpoints/scu/options.ts';
import { TRANSFER_SYNTAX_NAMES } from '../endpoints/scu/sop-classes.ts';
import { parseKeys } from '../endpoints/scu/keys.ts';
import { TLS_CLIENT_OPTIONS, tlsSettingsFrom } from '../tls/tls-options.ts';
import { loadTls } from '../tls/tls-settings.ts';
import { closeKeyLogs } from '../tls/keylog.ts';

export const EXIT_CODES: Readonly<Record<Outcome | 'usage', number>> = Object.freeze({
  success: 0,
  warning: 1,
  usage: 2,
  refused: 3,
  rejected: 4,
  aborted: 5,
  failure: 6,
  error: 6,
  cancel: 7,
});

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The options every SCU command takes, with DCMTK's spellings where it has them (echoscu, findscu, …). */
const SCU_OPTIONS: readonly OptionSpec[] = [
  { name: 'aet', value: 'AE', aliases: ['-aet'], help: 'calling AE title (default PACSCOPE)' },
  { name: 'aec', value: 'AE', aliases: ['-aec'], help: 'called AE title (default ANY-SCP)' },
  { name: 'max-pdu', value: 'N', help: `maximum PDU length we receive (default ${DEFAULT_MAX_PDU}; 0 = unlimited)` },
  { name: 'ts', value: 'NAME[,NAME]', help: 'transfer syntaxes proposed for every context, in order: implicit, explicit, big or UIDs (default implicit,explicit)' },
  { name: 'timeout', value: 'S', help: 'connect, association and idle timeout in seconds; on expiry an A-ABORT is sent (default 30)' },
  { name: 'record', value: 'FILE', help: 'record every byte of the session (pacscope summary FILE reads it) (default: not recorded)' },
  { name: 'overwrite', help: 'replace an existing --record FILE (default: refuse)' },
  { name: 'verbose', aliases: ['-v'], help: "dcmjs-dimse's own log (default: silent)" },
  // DICOM over TLS (PS3.15 Annex B), DCMTK's spellings (../tls/tls-options.ts).
  ...TLS_CLIENT_OPTIONS,
];

/** The query options of find, move and get (PS3.4 C.4). */
const QUERY_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'key',
    value: 'KEY[=VALUE]',
    aliases: ['-k'],
    help: 'a matching key (with a value) or return key (without); KEY is a keyword or a tag (gggg,eeee) (repeatable)',
  },
  { name: 'model', value: 'patient|study', presets: { '-P': 'patient', '-S': 'study' }, help: 'Patient Root or Study Root information model (default study)' },
  { name: 'level', value: 'L', help: 'PATIENT, STUDY, SERIES or IMAGE, or -k QueryRetrieveLevel=L (default STUDY)' },
  { name: 'cancel-after', value: 'N', help: 'send a C-CANCEL after N pending responses (default: never)' },
];

/** What an SCU command declares: its name, help text, and the options of its own (move's --dest, get's --od). */
export interface ScuCommandSpec {
  name: string;
  synopsis: string;
  description: string;
  query?: boolean;
  options?: readonly OptionSpec[];
}

/** Every option an SCU command accepts: its own, the query options (find, move, get), the common ones. */
export function scuOptions(spec: { query?: boolean; options?: readonly OptionSpec[] }): OptionSpec[] {
  return [...(spec.options ?? []), ...(spec.query ? QUERY_OPTIONS : []), ...SCU_OPTIONS];
}

const SCU_EXIT_CODES = `exit codes: 0 success, 1 warning, 2 usage, 3 refused, 4 rejected, 5 aborted or timed out,
            6 failure, 7 cancelled`;

export function scuHelp(spec: ScuCommandSpec): CommandHelp {
  return { name: spec.name, synopsis: [spec.synopsis], description: spec.description, options: scuOptions(spec), epilogue: SCU_EXIT_CODES };
}

export interface ScuCommandLine {
  args: ParsedArgs;
  target: ScuTarget;
  /** Positionals after HOST PORT. */
  rest: string[];
  record?: string;
  overwrite: boolean;
}

export interface QueryCommandLine {
  model: QueryModel;
  level: QueryLevel;
  keys: Record<string, unknown>;
  cancelAfter: number | null;
}

const last = (args: ParsedArgs, name: string): string | undefined => args.values.get(name)?.at(-1);

function aeTitle(value: string, option: string): string {
  // PS3.5 Table 6.2-1 (AE): 1 to 16 characters, no backslash, no control characters, not all spaces.
  if (value.trim() === '' || value.length > 16 || /[\\\x00-\x1f]/.test(value)) throw new UsageError(`${option}: an AE title has 1 to 16 characters, no backslash: "${value}"`);
  return value;
}

function integer(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${option}: expected an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function transferSyntaxes(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => v.split(',')).map((name) => {
    const uid = TRANSFER_SYNTAX_NAMES.get(name.trim().toLowerCase()) ?? (/^[0-9.]+$/.test(name.trim()) ? name.trim() : undefined);
    if (!uid) throw new UsageError(`--ts: unknown transfer syntax "${name}" (implicit, explicit, big or a UID)`);
    return uid;
  });
}

/** Parses the options every SCU command takes and HOST PORT. */
export function parseScuCommandLine(argv: string[], spec: { query?: boolean; options?: readonly OptionSpec[] }): ScuCommandLine {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, scuOptions(spec));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [host, portText, ...rest] = args.positionals;
  if (host === undefined || portText === undefined) throw new UsageError('HOST and PORT are required');
  const timeout = last(args, 'timeout');
  const maxPdu = last(args, 'max-pdu');
  const target: ScuTarget = {
    host,
    port: integer(portText, 'PORT', 1, 65535),
    callingAeTitle: aeTitle(last(args, 'aet') ?? 'PACSCOPE', '--aet'),
    calledAeTitle: aeTitle(last(args, 'aec') ?? 'ANY-SCP', '--aec'),
    maxPdu: maxPdu === undefined ? DEFAULT_MAX_PDU : maxPdu === '0' ? 0 : integer(maxPdu, '--max-pdu', 1024, 0xffffffff),
    transferSyntaxes: transferSyntaxes(args.values.get('ts')),
    timeoutMs: timeout === undefined ? undefined : integer(timeout, '--timeout', 1, 86_400) * 1000,
  };
  try {
    const tls = tlsSettingsFrom(args);
    target.tls = tls ? loadTls(tls) : null;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!args.flags.has('verbose')) dimse.log.setLevel('silent');
  return { args, target, rest, record: last(args, 'record'), overwrite: args.flags.has('overwrite') };
}

/** --model, --level and -k keys (a -k QueryRetrieveLevel=… counts as --level). */
export function parseQueryCommandLine(args: ParsedArgs): QueryCommandLine {
  let keys: Record<string, unknown>;
  try {
    keys = parseKeys(args.values.get('key') ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const model = last(args, 'model') ?? 'study';
  if (model !== 'patient' && model !== 'study') throw new UsageError(`--model: patient or study (-P or -S), got "${model}"`);
  const fromKeys = typeof keys.QueryRetrieveLevel === 'string' && keys.QueryRetrieveLevel !== '' ? keys.QueryRetrieveLevel.toUpperCase() : undefined;
  delete keys.QueryRetrieveLevel;
  const levelOption = last(args, 'level')?.toUpperCase();
  if (levelOption && fromKeys && levelOption !== fromKeys) throw new UsageError(`--level ${levelOption} and -k QueryRetrieveLevel=${fromKeys} disagree`);
  const level = levelOption ?? fromKeys ?? 'STUDY';
  if (!['PATIENT', 'STUDY', 'SERIES', 'IMAGE'].includes(level)) throw new UsageError(`--level: PATIENT, STUDY, SERIES or IMAGE, got "${level}"`);
  const cancel = last(args, 'cancel-after');
  return { model, level: level as QueryLevel, keys, cancelAfter: cancel === undefined ? null : integer(cancel, '--cancel-after', 0, 1_000_000) };
}

/** Opens the capture hub of this command (recording to --record FILE when given). */
export function openHub(line: ScuCommandLine, command: string): Promise<CaptureHub> {
  return CaptureHub.open({
    recordPath: line.record,
    overwrite: line.overwrite,
    source: { kind: 'scu', description: `pacscope ${command} ${line.target.callingAeTitle} → ${line.target.calledAeTitle} at ${line.target.host}:${line.target.port}` },
  });
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The last line of every SCU command, and its exit code; the reason also goes to stderr. */
export function finish(command: string, result: OperationResult, extra?: string): number {
  const status = result.status !== undefined ? ` ${formatStatus(result.status)}${result.statusText ? ` ${result.statusText}` : ''}` : '';
  // The status is on the line already: show only what the reason adds to it.
  const more = result.reason?.replace(/^C-[A-Z]+ status 0x[0-9A-F]{4} [^;]*(; )?/, '');
  out(`${command}: ${result.outcome}${status}${extra ? `; ${extra}` : ''}${more ? ` — ${more}` : ''}`);
  if (!result.ok && result.reason) process.stderr.write(`pacscope ${command}: ${result.reason}\n`);
  return EXIT_CODES[result.outcome];
}

/**
 * Runs an SCU command: parse, open the hub, run, close the hub (finishing the recording), exit code.
 * Usage errors print the command's usage and give 2.
 */
export async function runScuCommand(argv: string[], spec: ScuCommandSpec, run: (line: ScuCommandLine, hub: CaptureHub) => Promise<number>): Promise<number> {
  const usageError = (message: string): number => {
    process.stderr.write(`pacscope ${spec.name}: ${message}\n${formatUsage(scuHelp(spec))}(pacscope ${spec.name} --help lists the options)\n`);
    return EXIT_CODES.usage;
  };
  let line: ScuCommandLine;
  try {
    line = parseScuCommandLine(argv, spec);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return usageError(e.message);
  }
  let hub: CaptureHub;
  try {
    hub = await openHub(line, spec.name);
  } catch (e) {
    process.stderr.write(`pacscope ${spec.name}: cannot record to ${line.record}: ${(e as Error).message}\n`);
    return EXIT_CODES.usage;
  }
  try {
    return await run(line, hub);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return usageError(e.message);
  } finally {
    await closeKeyLogs();
    await hub.close();
    if (line.record) process.stderr.write(`recorded to ${line.record} (pacscope summary ${line.record})\n`);
  }
}
