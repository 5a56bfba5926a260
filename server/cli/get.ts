/**
 * `pacscope get --od DIR [options] [-k KEY[=VALUE]]… HOST PORT`: C-GET
 * (PS3.4 C.4.3), like DCMTK's getscu: instances arrive on the same
 * association (SCP role for the storage SOP classes) and are written to DIR.
 */
import { cGet } from '../endpoints/scu/get.ts';
import { formatCounters } from '../endpoints/scu/counters.ts';
import { finish, out, parseQueryCommandLine, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'get',
  synopsis: '[--od DIR] [--aet AE] [--aec AE] [-P|-S] [--level L] [-k KEY[=VALUE]]… [--cancel-after N] [options] HOST PORT',
  description: `C-GET (PS3.4 C.4.3), like DCMTK's getscu: the instances come back on the same
association (storage contexts proposed with the SCP role) and are written to
DIR. One line per pending response and per file written, then the result line.`,
  query: true,
  options: [
    { name: 'od', value: 'DIR', aliases: ['-od'], help: 'where the instances are written, one Part 10 file per SOP Instance UID (default .)' },
    {
      name: 'sop-class',
      value: 'UID',
      help: 'a storage SOP class proposed with the SCP role (repeatable; default: every storage class dcmjs-dimse knows)',
    },
  ],
};

export const GET_COMMAND: CliCommand = { help: scuHelp(SPEC), run: getCommand };

export function getCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
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
