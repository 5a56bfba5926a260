/**
 * `pacscope find [options] [-k KEY[=VALUE]]… HOST PORT`: C-FIND (PS3.4 C.4.1),
 * like DCMTK's findscu. One line per match, then the result line.
 */
import { cFind } from '../endpoints/scu/find.ts';
import { formatValue } from '../endpoints/scu/keys.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, parseQueryCommandLine, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'find',
  synopsis: '[--aet AE] [--aec AE] [-P|-S] [--level L] [-k KEY[=VALUE]]… [--cancel-after N] [options] HOST PORT',
  description: `C-FIND (PS3.4 C.4.1), like DCMTK's findscu: one line per match
(match N STATUS: KEY=VALUE …), then the result line. Non-ASCII values are
sent as UTF-8 with SpecificCharacterSet ISO_IR 192.`,
  query: true,
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
