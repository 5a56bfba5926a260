/**
 * `pacscope get --od DIR [options] [-k KEY[=VALUE]]… HOST PORT`: C-GET
 * (PS3.4 C.4.3), like DCMTK's getscu: instances arrive on the same
 * association (SCP role for the storage SOP classes) and are written to DIR.
 */
import { cGet } from '../endpoints/scu/get.ts';
import { formatCounters } from '../endpoints/scu/counters.ts';
import { finish, out, parseQueryCommandLine, runScuCommand, UsageError } from './scu-common.ts';

const USAGE = 'pacscope get [--od DIR] [--aet AE] [--aec AE] [-P|-S] [--level L] [-k KEY[=VALUE]]… [--cancel-after N] [options] HOST PORT';

export function getCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, { name: 'get', usage: USAGE, query: true, values: ['od', 'sop-class'] }, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    const q = parseQueryCommandLine(line.args);
    const outputDir = line.args.values.get('od')?.at(-1) ?? '.';
    const controller = new AbortController();
    if (q.cancelAfter === 0) controller.abort();
    const result = await cGet(
      { ...line.target, model: q.model, level: q.level, keys: q.keys, outputDir, storageSopClasses: line.args.values.get('sop-class') },
      hub,
      {
        signal: controller.signal,
        onStored: (file) => out(`stored ${file}`),
        onPending: (counters, index) => {
          out(`pending ${index}: ${formatCounters(counters)}`);
          if (q.cancelAfter !== null && index >= q.cancelAfter && !controller.signal.aborted) {
            controller.abort();
            out(`C-CANCEL sent after ${index} pending response(s)`);
          }
        },
      },
    );
    return finish('get', result, `${formatCounters(result.counters)}, ${result.received.length} file(s) written`);
  });
}
