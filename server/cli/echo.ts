/** `pacscope echo [options] HOST PORT`: C-ECHO (PS3.7 §9.1.5), like DCMTK's echoscu. */
import { cEcho } from '../endpoints/scu/echo.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, runScuCommand, UsageError } from './scu-common.ts';

const USAGE = 'pacscope echo [--aet AE] [--aec AE] [options] HOST PORT';

export function echoCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, { name: 'echo', usage: USAGE }, async (line, hub) => {
    if (line.rest.length > 0) throw new UsageError(`unexpected argument ${line.rest[0]}`);
    const result = await cEcho(line.target, hub);
    if (result.status !== undefined) out(`C-ECHO-RSP ${formatStatus(result.status)} ${result.statusText ?? ''}`.trimEnd());
    return finish('echo', result);
  });
}
