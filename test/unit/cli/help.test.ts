/**
 * `pacscope COMMAND --help` (and `-h`, and `pacscope help COMMAND`) for every
 * command of main.ts's COMMANDS: exit 0, the help on stdout and nothing on
 * stderr, nothing else done, and every option of the table the command's
 * parser reads (args.ts) listed with its meaning. The option tables' parser
 * itself is checked below (aliases, presets, `--`, unknown options).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../../server/cli/main.ts';
import { asksForHelp, optionSpellings, parseArgs, type OptionSpec } from '../../../server/cli/args.ts';

const BIN = fileURLToPath(new URL('../../../bin/pacscope.js', import.meta.url));
const NAMES = Object.keys(COMMANDS);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/pacscope.js …` as a user runs it; a command that started a server instead would hit the timeout. */
function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** main() in this process, stdout and stderr captured. */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The spelling as a whole option in the text: `--record` is not found in `--record-dir`, `-P` not in `-PX`. */
const hasOption = (text: string, spelling: string) => new RegExp(`(^|[\\s,])${escape(spelling)}(?=[\\s,=]|$)`, 'm').test(text);
const words = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');

describe('pacscope COMMAND --help', () => {
  /** `node bin/pacscope.js NAME --help` of every command, three processes at a time (each starts tsx). */
  const spawned = new Map<string, Run>();
  beforeAll(async () => {
    const queue = [...NAMES];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) spawned.set(name, await cli([name, '--help']));
    };
    await Promise.all([worker(), worker(), worker()]);
  });

  it('COMMANDS lists the commands (the issue names summary)', () => {
    expect(NAMES).toContain('summary');
    expect(NAMES.length).toBeGreaterThanOrEqual(12);
  });

  // In-process runs capture process.stdout: one at a time.
  describe.each(NAMES)('%s', (name) => {
    it('--help: exit 0, usage and every option of its parser on stdout, nothing on stderr', async () => {
      const { help } = await COMMANDS[name]();
      const r = spawned.get(name)!;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: pacscope ${name}\\b`));
      const [, options] = r.stdout.split('\noptions:\n');
      expect(options, 'an options section').toBeDefined();
      for (const option of help.options) {
        for (const spelling of optionSpellings(option)) expect(hasOption(options, spelling), `${name}: ${spelling}`).toBe(true);
        expect(words(options), `${name} --${option.name}: its meaning`).toContain(words(option.help));
      }
      for (const spelling of ['--help', '-h']) expect(hasOption(options, spelling), spelling).toBe(true);
      // -h and `pacscope help NAME` print the same text.
      expect(await inProcess([name, '-h'])).toEqual({ code: 0, stdout: r.stdout, stderr: '' });
      expect(await inProcess(['help', name])).toEqual({ code: 0, stdout: r.stdout, stderr: '' });
    });

    it('an option its parser does not take is refused, not ignored', async () => {
      const r = await inProcess([name, '--no-such-option', '127.0.0.1', '1']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('unknown option --no-such-option');
      expect(r.stderr).toContain(`pacscope ${name} --help`);
    });
  });

  it('--help wins over everything else on the line: no file is read', async () => {
    const r = await inProcess(['summary', '/no/such/file.pcapng', '--json', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: pacscope summary FILE/);
    const bad = await inProcess(['summary', '/no/such/file.pcapng']);
    expect([bad.code, bad.stderr]).toEqual([1, 'pacscope summary: /no/such/file.pcapng: no such file\n']);
  });

  it('pacscope help NOSUCH is a usage error', async () => {
    const r = await inProcess(['help', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pacscope: unknown command "nosuch"/);
  });
});

describe('option tables (args.ts)', () => {
  const OPTIONS: OptionSpec[] = [
    { name: 'aet', value: 'AE', aliases: ['-aet'], help: '' },
    { name: 'model', value: 'M', presets: { '-P': 'patient', '-S': 'study' }, help: '' },
    { name: 'key', value: 'K', aliases: ['-k'], help: '' },
    { name: 'verbose', aliases: ['-v'], help: '' },
  ];

  it('reads long names, aliases, presets and values, and ends options at --', () => {
    const args = parseArgs(['-aet', 'ME', '-S', '-k', 'A=1', '--key=B', '-v', 'h', '104', '--', '-x'], OPTIONS);
    expect(args.positionals).toEqual(['h', '104', '-x']);
    expect([...args.flags]).toEqual(['verbose']);
    expect(Object.fromEntries(args.values)).toEqual({ aet: ['ME'], model: ['study'], key: ['A=1', 'B'] });
  });

  it('refuses what the table does not have', () => {
    expect(() => parseArgs(['-x'], OPTIONS)).toThrow('unknown option -x');
    expect(() => parseArgs(['--bogus=1'], OPTIONS)).toThrow('unknown option --bogus');
    expect(() => parseArgs(['--verbose=1'], OPTIONS)).toThrow('option --verbose takes no value');
    expect(() => parseArgs(['--aet'], OPTIONS)).toThrow('option --aet needs a value');
  });

  it('a -h that is the value of an option is not a request for help', () => {
    expect(asksForHelp(['--aet', '-h', 'h', '1'], OPTIONS)).toBe(false);
    expect(asksForHelp(['-S', '-h'], OPTIONS)).toBe(true);
    expect(asksForHelp(['--', '--help'], OPTIONS)).toBe(false);
  });
});
