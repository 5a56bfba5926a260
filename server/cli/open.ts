/**
 * `pacscope open FILE`: the UI on a recording, pcap or pcapng, without the
 * built-in PACS or store SCP. The file's folder is the sessions folder (its
 * other recordings and captures are listed beside it, and files dropped on the
 * page are saved there); the page opens on FILE through `?session=NAME`.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { parseHostPort } from './host-port.ts';
import { WEB_ROOT } from './serve.ts';
import { CaptureHub } from '../capture/hub.ts';
import { startLiveServer } from '../live/http-server.ts';
import { isLoopbackHost } from '../live/security.ts';
import { SessionLibrary } from '../live/sessions.ts';
import { detectFormat } from '../sources/open-source.ts';
import { fileStart } from '../sources/file-chunks.ts';
import { VERSION } from '../version.ts';

const OPTIONS: readonly OptionSpec[] = [{ name: 'http', value: 'HOST:PORT', help: 'the HTTP server, loopback only (default 127.0.0.1:0, a free port)' }];

export const OPEN_HELP: CommandHelp = {
  name: 'open',
  synopsis: ['FILE [--http HOST:PORT]'],
  description: `Starts the UI alone (no PACS, no store SCP) on a recording, pcap or pcapng
and prints the page's address, which opens on FILE. The file's folder
becomes the sessions folder: its other recordings and captures are listed in
the UI, and files dropped on the page are saved there. Stop it with Ctrl-C.`,
  options: OPTIONS,
};

export const OPEN_COMMAND: CliCommand = { help: OPEN_HELP, run: openCommand };

export async function openCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length !== 1) throw new Error(`give one FILE\n\n${formatUsage(OPEN_HELP)}`);
  const file = resolve(args.positionals[0]);
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error(`${file} is not a file`);
    size = s.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: no such file` : (e as Error).message);
  }
  const format = size === 0 ? null : detectFormat(await fileStart(file, 8));
  if (format === null) throw new Error(`${file} is not a pacscope recording, a pcap or a pcapng`);
  const { host, port } = parseHostPort(args.values.get('http')?.at(-1) ?? '127.0.0.1:0');
  if (!isLoopbackHost(host)) throw new Error(`refusing to listen on ${host}: pacscope open serves loopback only (use pacscope serve --public to share)`);

  // The live hub stays empty: nothing runs here but the opened files.
  const hub = await CaptureHub.open({ source: { kind: 'open', description: `pacscope open ${file}` } });
  const live = await startLiveServer({
    host,
    port,
    hub,
    pacs: null,
    endpoints: () => [],
    getDir: dirname(file),
    sessions: new SessionLibrary(dirname(file), null),
    uploads: null,
    token: null,
    webRoot: WEB_ROOT,
    mode: 'open',
    home: basename(file),
  });
  const url = `${live.url}?session=${encodeURIComponent(basename(file))}`;
  process.stdout.write(`pacscope ${VERSION} showing ${file} (${format}) on ${url}\nsessions folder: ${dirname(file)}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await live.close();
  await hub.close();
  return 0;
}
