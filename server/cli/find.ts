/**
 * `pacscope find [options] [-k KEY[=VALUE]]… HOST PORT`: C-FIND (PS3.4 C.4.1),
 * like DCMTK's findscu. One line per match, then the result line.
 */
import { cFind } from '../endpoints/scu/find.ts';
import { formatValue } from '../endpoints/scu/keys.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, parseQueryCommandLine, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';
import { WORKLIST_OPTION, worklistFind } from './find-worklist.ts';

const SPEC: ScuCommandSpec = {
  name: 'find',
  synopsis: '[--aet AE] [--aec AE] [-P|-S|-W] [--level L] [-k KEY[=VALUE]]… [--cancel-after N] [options] HOST PORT',
  description: `C-FIND (PS3.4 C.4.1), like DCMTK's findscu: one line per match
(match N STATUS: KEY=VALUE …), then the result line. Non-ASCII values are
sent as UTF-8 with SpecificCharacterSet ISO_IR 192. With -W, a Modality
Worklist query (PS3.4 K.4.1) like findscu -W: keys inside the Scheduled
Procedure Step Sequence in DCMTK's path syntax, over the usual return keys
(item N STATUS: KEY=VALUE …).`,
  query: true,
  options: [WORKLIST_OPTION],
};

export const FIND_COMMAND: CliCommand = { help: scuHelp(SPEC), run: findCommand };

/** One match on one line: KEY=VALUE pairs in the order they came. */
export function formatMatch(match: Record<string, unknown>): string {
  return Object.entries(match)
    .filter(([k]) => k !== '_vrMap')
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
}

export function findCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    if (line.args.flags.has('worklist')) return worklistFind(line, hub); // -W: find-worklist.ts
    const q = parseQueryCommandLine(line.args);
    const controller = new AbortController();
    if (q.cancelAfter === 0) controller.abort();
    const result = await cFind({ ...line.target, model: q.model, level: q.level, keys: q.keys }, hub, {
      signal: controller.signal,
      onMatch: (match, index, status) => {
        out(`match ${index} ${formatStatus(status)}: ${formatMatch(match)}`);
        if (q.cancelAfter !== null && index >= q.cancelAfter && !controller.signal.aborted) {
          controller.abort();
          out(`C-CANCEL sent after ${index} match(es)`);
        }
      },
    });
    return finish('find', result, `${result.matches.length} match(es)`);
  });
}
