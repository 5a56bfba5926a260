/**
 * `pacscope find -W [-k KEY[=VALUE]]… HOST PORT`: a Modality Worklist query
 * (PS3.4 K.4.1, C-FIND on 1.2.840.10008.5.1.4.31), like DCMTK's `findscu -W`.
 * Keys take DCMTK's path syntax for the Scheduled Procedure Step Sequence:
 *   -k "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1"
 *   -k "(0040,0100)[0].(0040,0002)=20240612-20240613"
 * over the return keys a modality usually asks for (patient, request, the
 * scheduled step: DEFAULT_WORKLIST_KEYS). One line per item, then the result.
 */
import type { OptionSpec } from './args.ts';
import type { CaptureHub } from '../capture/hub.ts';
import { cFindWorklist, worklistKeys } from '../endpoints/scu/worklist.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, UsageError, type ScuCommandLine } from './scu-common.ts';
import { formatValue } from '../endpoints/scu/keys.ts';

/** One item on one line: KEY=VALUE pairs, keys inside sequence items with their path (as -k writes them). */
export function formatItem(match: Record<string, unknown>, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(match)) {
    if (k.startsWith('_')) continue;
    const isItems = Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && !('Alphabetic' in x));
    if (isItems) (v as Record<string, unknown>[]).forEach((item, i) => parts.push(formatItem(item, `${prefix}${k}[${i}].`)));
    else parts.push(`${prefix}${k}=${formatValue(v)}`);
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** find's -W: DCMTK findscu's spelling. */
export const WORKLIST_OPTION: OptionSpec = {
  name: 'worklist',
  aliases: ['-W'],
  help: 'Modality Worklist query (1.2.840.10008.5.1.4.31), -k keys in DCMTK path syntax: -k "ScheduledProcedureStepSequence[0].Modality=CT" (default: Study Root)',
};

export async function worklistFind(line: ScuCommandLine, hub: CaptureHub): Promise<number> {
  if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
  for (const option of ['model', 'level']) if (line.args.values.has(option)) throw new UsageError(`--${option}: the Modality Worklist model has no Query/Retrieve model or level (PS3.4 K.6.1)`);
  let keys: Record<string, unknown>;
  try {
    keys = worklistKeys(line.args.values.get('key') ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const cancelText = line.args.values.get('cancel-after')?.at(-1);
  const cancelAfter = cancelText === undefined ? null : Number(cancelText);
  if (cancelAfter !== null && (!/^\d+$/.test(cancelText!) || cancelAfter > 1_000_000)) throw new UsageError(`--cancel-after: expected an integer from 0 to 1000000, got "${cancelText}"`);
  const controller = new AbortController();
  if (cancelAfter === 0) controller.abort();
  const result = await cFindWorklist({ ...line.target, keys }, hub, {
    signal: controller.signal,
    onMatch: (match, index, status) => {
      out(`item ${index} ${formatStatus(status)}: ${formatItem(match)}`);
      if (cancelAfter !== null && index >= cancelAfter && !controller.signal.aborted) {
        controller.abort();
        out(`C-CANCEL sent after ${index} item(s)`);
      }
    },
  });
  return finish('find', result, `${result.matches.length} worklist item(s)`);
}
