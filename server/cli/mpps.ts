/**
 * `pacscope mpps create|set [options] HOST PORT`: a Modality Performed
 * Procedure Step SCU (PS3.4 F.7; DCMTK has none): what a modality sends
 * when it starts a procedure step (N-CREATE, IN PROGRESS) and when it ends
 * it (N-SET, COMPLETED or DISCONTINUED), each on its own association,
 * recorded like the other SCU commands (--record FILE).
 *
 *   pacscope mpps create -W --aet CT1 --aec PACSCOPE 127.0.0.1 11112
 *   pacscope mpps set --uid 2.25.… --completed --aet CT1 --aec PACSCOPE 127.0.0.1 11112
 */
import type { CaptureHub } from '../capture/hub.ts';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand } from './command-help.ts';
import { finish, out, runScuCommand, scuHelp, scuOptions, UsageError, EXIT_CODES, type ScuCommandLine, type ScuCommandSpec } from './scu-common.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { cFindWorklist, worklistKeys } from '../endpoints/scu/worklist.ts';
import { mppsCreateAttributes, mppsSetAttributes, nCreateMpps, nSetMpps } from '../endpoints/scu/mpps.ts';
import { keysWithPaths } from '../endpoints/scu/key-paths.ts';
import { daValue } from '../endpoints/pacs/worklist-items.ts';
import { formatItem } from './find-worklist.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'uid', value: 'UID', help: 'SOP Instance UID of the procedure step (create: default a new 2.25 UID; set: required)' },
  { name: 'status', value: 'STATUS', presets: { '--completed': 'COMPLETED', '--discontinued': 'DISCONTINUED' }, help: 'set: the new Performed Procedure Step Status, COMPLETED, DISCONTINUED or IN PROGRESS (an update) (required)' },
  { name: 'worklist', aliases: ['-W'], help: 'create: first query the worklist (C-FIND, Modality Worklist) and perform its first item (default: an unscheduled step)' },
  { name: 'wl-key', value: 'KEY[=VALUE]', help: 'create -W: a worklist query key, DCMTK path syntax (default: ScheduledProcedureStepSequence[0].ScheduledStationAETitle = --aet and …StartDate = today) (repeatable)' },
  { name: 'key', value: 'KEY[=VALUE]', aliases: ['-k'], help: 'an attribute of the N-CREATE/N-SET over the defaults, DCMTK path syntax, e.g. -k Modality=CT (repeatable)' },
];

const SPEC: ScuCommandSpec = {
  name: 'mpps',
  synopsis: 'create|set [options] HOST PORT',
  description: `Modality Performed Procedure Step SCU (PS3.4 F.7), as a modality reports a
procedure step: "create" sends an N-CREATE with status IN PROGRESS (from
the first worklist item with -W, PS3.4 Table F.7.2-1), "set" an N-SET to
COMPLETED or DISCONTINUED. Each runs on its own association; the result
line names the procedure step's SOP Instance UID.`,
  options: OPTIONS,
};

const HELP = { ...scuHelp(SPEC), synopsis: ['create [--uid UID] [-W [--wl-key KEY=VALUE]…] [-k KEY[=VALUE]]… [options] HOST PORT', 'set --uid UID --completed|--discontinued|--status S [-k KEY[=VALUE]]… [options] HOST PORT'] };

export const MPPS_COMMAND: CliCommand = { help: HELP, run: mppsCommand };

const last = (line: ScuCommandLine, name: string): string | undefined => line.args.values.get(name)?.at(-1);

function attributesOver(base: Record<string, unknown>, line: ScuCommandLine): Record<string, unknown> {
  try {
    return keysWithPaths(line.args.values.get('key') ?? [], base);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function create(line: ScuCommandLine, hub: CaptureHub): Promise<number> {
  if (line.args.values.has('status')) throw new UsageError('--status is for "set"; a procedure step is created IN PROGRESS (PS3.4 F.7.2.1)');
  let item: Record<string, unknown> | null = null;
  if (line.args.flags.has('worklist')) {
    const station = line.target.callingAeTitle.trim();
    let keys: Record<string, unknown>;
    try {
      keys = worklistKeys([`ScheduledProcedureStepSequence[0].ScheduledStationAETitle=${station}`, `ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${daValue(new Date())}`, ...(line.args.values.get('wl-key') ?? [])]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const found = await cFindWorklist({ ...line.target, keys }, hub);
    if (!found.ok) return finish('mpps', found, 'worklist query failed');
    item = found.matches[0] ?? null;
    if (!item) return finish('mpps', { ok: false, outcome: 'failure', reason: 'no worklist item matched (pacscope find -W shows the worklist)', connection: found.connection });
    out(`worklist item 1 of ${found.matches.length}: ${formatItem(item)}`);
  } else if (line.args.values.has('wl-key')) throw new UsageError('--wl-key needs -W');
  const attributes = attributesOver(mppsCreateAttributes(item, { stationAe: line.target.callingAeTitle.trim() }), line);
  const result = await nCreateMpps({ ...line.target, attributes, sopInstanceUid: last(line, 'uid') }, hub);
  if (result.status !== undefined) out(`N-CREATE-RSP ${formatStatus(result.status)} ${result.statusText ?? ''}`.trimEnd());
  return finish('mpps', result, result.ok ? `created ${result.sopInstanceUid} IN PROGRESS` : `procedure step ${result.sopInstanceUid}`);
}

async function set(line: ScuCommandLine, hub: CaptureHub): Promise<number> {
  const uid = last(line, 'uid');
  if (!uid) throw new UsageError('--uid UID (the procedure step to set) is required');
  if (line.args.flags.has('worklist') || line.args.values.has('wl-key')) throw new UsageError('-W and --wl-key are for "create"');
  const status = last(line, 'status')?.toUpperCase();
  if (status !== 'COMPLETED' && status !== 'DISCONTINUED' && status !== 'IN PROGRESS') throw new UsageError('--completed, --discontinued or --status COMPLETED|DISCONTINUED|"IN PROGRESS" is required');
  const attributes = attributesOver(mppsSetAttributes(status), line);
  const result = await nSetMpps({ ...line.target, attributes, sopInstanceUid: uid }, hub);
  if (result.status !== undefined) out(`N-SET-RSP ${formatStatus(result.status)} ${result.statusText ?? ''}`.trimEnd());
  return finish('mpps', result, `${uid} ${result.ok ? status : `not set to ${status}`}`);
}

export function mppsCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  // An unknown option is reported as such (by the common parser), whatever comes first.
  if (action !== 'create' && action !== 'set' && argv.some((a) => /^-/.test(a))) {
    try {
      parseArgs(argv, scuOptions(SPEC));
    } catch {
      return runScuCommand(argv, SPEC, async () => EXIT_CODES.usage);
    }
  }
  if (action !== 'create' && action !== 'set') {
    process.stderr.write(`pacscope mpps: ${action === undefined ? 'create or set is required' : `unknown action "${action}" (create or set)`}\n${formatUsage(HELP)}(pacscope mpps --help lists the options)\n`);
    return Promise.resolve(EXIT_CODES.usage);
  }
  return runScuCommand(rest, { ...SPEC, name: 'mpps' }, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    return action === 'create' ? create(line, hub) : set(line, hub);
  });
}
