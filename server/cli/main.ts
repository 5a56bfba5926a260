/**
 * `pacscope COMMAND …`: one file per command in server/cli/. Returns the exit
 * code instead of calling process.exit, so tests can call it in-process.
 */
import { VERSION } from '../version.ts';
import { ArgumentError, asksForHelp } from './args.ts';
import { formatHelp, type CliCommand } from './command-help.ts';
import { ignoreClosedPipes, isClosedPipe } from './closed-pipe.ts';

const USAGE = `pacscope ${VERSION} — a visual debugger for DICOM networking

Usage:
  pacscope serve [options]                  the built-in PACS, store SCP and HTTP server (npm start);
                                            --pacs --store --dest --move-mode --ae-policy --data --record …
  pacscope open FILE [--http HOST:PORT]     the UI on a recording, pcap or pcapng
  pacscope proxy --route LISTEN=UPSTREAM …  the transparent proxy, headless (--record FILE,
                                            --record-dir DIR --rotate-size 100MB --rotate-time 1h)
  pacscope capture --interface IF [--filter BPF] [--record FILE]
                                            live passive capture with dumpcap, headless: DICOM between
                                            other hosts decoded and recorded (--record-dir, --rotate-size)
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
                                            C-FIND (-P|-S, --level; -W a worklist query), one line per match
  pacscope move  --dest AE [options] [-k …] HOST PORT
                                            C-MOVE to any destination AE
  pacscope get   [--od DIR] [options] [-k …] HOST PORT
                                            C-GET, instances written to DIR
  pacscope store [options] HOST PORT FILE|DIR…
                                            C-STORE of files and folders
  pacscope commit [--port N] [options] HOST PORT FILE|DIR…
                                            storage commitment (N-ACTION, then the N-EVENT-REPORT on
                                            the same association or, with --port, on a new one)
  pacscope mpps create|set [options] HOST PORT
                                            MPPS N-CREATE (IN PROGRESS, -W from a worklist item) or
                                            N-SET (--uid UID --completed|--discontinued)
    SCU options: --aet AE --aec AE --max-pdu N --ts implicit,explicit,big --timeout S
                 --record FILE --cancel-after N
    exit codes: 0 success, 1 warning, 2 usage, 3 refused, 4 rejected, 5 aborted,
                6 failure, 7 cancelled
  pacscope COMMAND --help | pacscope help COMMAND
                                            what COMMAND does and every option it takes
  pacscope help | --version
`;

/**
 * Each command is loaded when it is run: `pacscope proxy` then does not load
 * the HTTP server, the built-in PACS or dcmjs-dimse (it starts faster and
 * smaller: its peak RSS is what the proxy benchmark measures). Each module
 * exports its CliCommand: the option table its parser reads and its help.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  summary: async () => (await import('./summary.ts')).SUMMARY_COMMAND,
  export: async () => (await import('./export.ts')).EXPORT_COMMAND,
  serve: async () => (await import('./serve.ts')).SERVE_COMMAND,
  open: async () => (await import('./open.ts')).OPEN_COMMAND,
  scenario: async () => (await import('./scenario.ts')).SCENARIO_COMMAND,
  echo: async () => (await import('./echo.ts')).ECHO_COMMAND,
  find: async () => (await import('./find.ts')).FIND_COMMAND,
  move: async () => (await import('./move.ts')).MOVE_COMMAND,
  get: async () => (await import('./get.ts')).GET_COMMAND,
  store: async () => (await import('./store.ts')).STORE_COMMAND,
  commit: async () => (await import('./commit.ts')).COMMIT_COMMAND,
  mpps: async () => (await import('./mpps.ts')).MPPS_COMMAND,
  proxy: async () => (await import('./proxy.ts')).PROXY_COMMAND,
  capture: async () => (await import('./capture.ts')).CAPTURE_COMMAND,
  doctor: async () => (await import('./doctor.ts')).DOCTOR_COMMAND,
};

const loader = (name: string) => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  const [name, ...args] = argv;
  if (name === 'help' && args.length > 0) {
    // `pacscope help COMMAND`: the same text as `pacscope COMMAND --help`.
    const load = loader(args[0]);
    if (!load) {
      process.stderr.write(`pacscope: unknown command "${args[0]}"\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write(formatHelp((await load()).help));
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = loader(name);
  if (!load) {
    process.stderr.write(`pacscope: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    // --help / -h anywhere: the help on stdout, and nothing else is done (no file read, no server started).
    if (asksForHelp(args, command.help.options)) {
      process.stdout.write(formatHelp(command.help));
      return 0;
    }
    return await command.run(args);
  } catch (e) {
    // The reader of our output went away (`… | head`): nothing more to say, and nowhere to say it.
    if (isClosedPipe(e)) return 0;
    const hint = e instanceof ArgumentError ? ` (pacscope ${name} --help lists the options)` : '';
    process.stderr.write(`pacscope ${name}: ${(e as Error).message}${hint}\n`);
    return 1;
  }
}
