/**
 * `pacscope COMMAND …`: one file per command in server/cli/. Returns the exit
 * code instead of calling process.exit, so tests can call it in-process.
 */
import { VERSION } from '../version.ts';

const USAGE = `pacscope ${VERSION} — a visual debugger for DICOM networking

Usage:
  pacscope serve [options]                  the built-in PACS, store SCP and HTTP server (npm start);
                                            --pacs --store --dest --move-mode --ae-policy --data --record …
  pacscope open FILE [--http HOST:PORT]     the UI on a recording, pcap or pcapng
  pacscope proxy --route LISTEN=UPSTREAM …  the transparent proxy, headless (--record FILE,
                                            --record-dir DIR --rotate-size 100MB --rotate-time 1h)
  pacscope scenario [NAME] [--delay MS]     run a teaching scenario on built-in actors and explain it
                                            step by step (without NAME: the list)
  pacscope summary FILE [--json] [--pdus]   decode a recording, pcap or pcapng and print
                                            the associations and a timeline of the messages
  pacscope export FILE --pcapng OUT | --recording OUT [--redact] [--redact-network]
                                            write it again as pcapng (for Wireshark) or a recording,
                                            redacted (--date-shift DAYS --salt TEXT --overwrite)
  pacscope doctor [--aet AE] --aec AE [--dest AE] [--store AE@HOST:PORT] [--json] HOST PORT
                                            check a peer step by step (connection, AE titles, contexts,
                                            C-FIND, C-MOVE/C-GET of one instance) and print the fixes
  pacscope echo  [options] HOST PORT        C-ECHO
  pacscope find  [options] [-k KEY[=VALUE]]… HOST PORT
                                            C-FIND (-P|-S, --level), one line per match
  pacscope move  --dest AE [options] [-k …] HOST PORT
                                            C-MOVE to any destination AE
  pacscope get   [--od DIR] [options] [-k …] HOST PORT
                                            C-GET, instances written to DIR
  pacscope store [options] HOST PORT FILE|DIR…
                                            C-STORE of files and folders
    SCU options: --aet AE --aec AE --max-pdu N --ts implicit,explicit,big --timeout S
                 --record FILE --cancel-after N; pacscope COMMAND --help for all
    exit codes: 0 success, 1 warning, 2 usage, 3 refused, 4 rejected, 5 aborted,
                6 failure, 7 cancelled
  pacscope help | --version
`;

type Command = (args: string[]) => Promise<number>;

/**
 * Each command is loaded when it is run: `pacscope proxy` then does not load
 * the HTTP server, the built-in PACS or dcmjs-dimse (it starts faster and
 * smaller: its peak RSS is what the proxy benchmark measures).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  summary: async () => (await import('./summary.ts')).summaryCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  open: async () => (await import('./open.ts')).openCommand,
  scenario: async () => (await import('./scenario.ts')).scenarioCommand,
  echo: async () => (await import('./echo.ts')).echoCommand,
  find: async () => (await import('./find.ts')).findCommand,
  move: async () => (await import('./move.ts')).moveCommand,
  get: async () => (await import('./get.ts')).getCommand,
  store: async () => (await import('./store.ts')).storeCommand,
  proxy: async () => (await import('./proxy.ts')).proxyCommand,
  doctor: async () => (await import('./doctor.ts')).doctorCommand,
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
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`pacscope: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(args);
  } catch (e) {
    process.stderr.write(`pacscope ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
