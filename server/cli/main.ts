/**
 * `pacscope COMMAND …`: one file per command in server/cli/. Returns the exit
 * code instead of calling process.exit, so tests can call it in-process.
 */
import { summaryCommand } from './summary.ts';
import { serveCommand } from './serve.ts';
import { VERSION } from '../version.ts';

const USAGE = `pacscope ${VERSION} — a visual debugger for DICOM networking

Usage:
  pacscope serve [--http HOST:PORT]         start the server (what npm start runs)
  pacscope summary FILE [--json] [--pdus]   decode a recording, pcap or pcapng and print
                                            the associations and a timeline of the messages
  pacscope help | --version
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  summary: summaryCommand,
  serve: serveCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`pacscope: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (e) {
    process.stderr.write(`pacscope ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
