/** `pacscope echo [options] HOST PORT`: C-ECHO (PS3.7 §9.1.5), like DCMTK's echoscu. */
import { cEcho } from '../endpoints/scu/echo.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'echo',
  synopsis: '[--aet AE] [--aec AE] [options] HOST PORT',
  description: `C-ECHO (PS3.7 §9.1.5), like DCMTK's echoscu: opens an association proposing
Verification, sends one C-ECHO-RQ, prints the response and the result line.`,
};

export const ECHO_COMMAND: CliCommand = { help: scuHelp(SPEC), run: echoCommand };

export function echoCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    const result = await cEcho(line.target, hub);
    if (result.status !== undefined) out(`C-ECHO-RSP ${formatStatus(result.status)} ${result.statusText ?? ''}`.trimEnd());
    return finish('echo', result);
  });
}
