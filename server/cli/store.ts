/**
 * `pacscope store [options] HOST PORT FILE|DIR…`: C-STORE (PS3.4 Annex B) of
 * files and folders (recursive), like DCMTK's storescu +sd. One line per
 * response, then the result line.
 */
import { cStore } from '../endpoints/scu/store.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'store',
  synopsis: '[--aet AE] [--aec AE] [options] HOST PORT FILE|DIR…',
  description: `C-STORE (PS3.4 Annex B) of DICOM files and folders (recursive), like DCMTK's
storescu +sd: one line per response, then the result line.`,
};

export const STORE_COMMAND: CliCommand = { help: scuHelp(SPEC), run: storeCommand };

export function storeCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
    if (line.rest.length === 0) throw new UsageError('at least one FILE or DIR to send');
    const result = await cStore({ ...line.target, paths: line.rest }, hub, {
      onResponse: (file, status, index) => out(`C-STORE-RSP ${index} ${formatStatus(status)} ${file}`),
    });
    for (const s of result.skipped) out(`skipped ${s.file}: ${s.reason}`);
    for (const f of result.failed.filter((x) => x.status === undefined)) out(`failed ${f.file}: ${f.reason}`);
    return finish('store', result, `${result.sent.length} sent, ${result.failed.length} failed, ${result.skipped.length} skipped`);
  });
}
