/**
 * `pacscope move --dest AE [options] [-k KEY[=VALUE]]… HOST PORT`: C-MOVE
 * (PS3.4 C.4.2), like DCMTK's movescu -aem. One line per pending response,
 * then the result line with the final counters.
 */
import { cMove } from '../endpoints/scu/move.ts';
import { formatCounters } from '../endpoints/scu/counters.ts';
import { finish, out, parseQueryCommandLine, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'move',
  synopsis: '--dest AE [--aet AE] [--aec AE] [-P|-S] [--level L] [-k KEY[=VALUE]]… [--cancel-after N] [options] HOST PORT',
  description: `C-MOVE (PS3.4 C.4.2), like DCMTK's movescu -aem: the peer sends the matching
instances to the destination AE on a sub-association of its own. One line
per pending response with its counters, then the result line.`,
  query: true,
  options: [{ name: 'dest', value: 'AE', aliases: ['-aem'], help: 'the move destination AE title; the peer must know its address (required)' }],
};

export const MOVE_COMMAND: CliCommand = { help: scuHelp(SPEC), run: moveCommand };

export function moveCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    const q = parseQueryCommandLine(line.args);
    const destination = line.args.values.get('dest')?.at(-1);
    if (!destination) throw new UsageError('--dest AE (the move destination) is required');
    const controller = new AbortController();
    if (q.cancelAfter === 0) controller.abort();
    const result = await cMove({ ...line.target, model: q.model, level: q.level, keys: q.keys, destination }, hub, {
      signal: controller.signal,
      onPending: (counters, index) => {
        out(`pending ${index}: ${formatCounters(counters)}`);
        if (q.cancelAfter !== null && index >= q.cancelAfter && !controller.signal.aborted) {
          controller.abort();
          out(`C-CANCEL sent after ${index} pending response(s)`);
        }
      },
    });
    return finish('move', result, formatCounters(result.counters));
  });
}
