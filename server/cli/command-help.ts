/**
 * What `pacscope COMMAND --help` (and `-h`, and `pacscope help COMMAND`)
 * prints: the usage lines, what the command does, and its options, written
 * from the same table the command's parser reads (args.ts), so every option
 * it accepts is listed with its meaning and default.
 */
import { optionSpellings, type OptionSpec } from './args.ts';

export interface CommandHelp {
  /** The command's name, as in main.ts's COMMANDS. */
  readonly name: string;
  /** What follows `pacscope NAME` on each usage line. */
  readonly synopsis: readonly string[];
  /** What the command does, in a few lines. */
  readonly description: string;
  /** Every option the parser accepts, help excepted (main.ts answers it). */
  readonly options: readonly OptionSpec[];
  /** After the options: exit codes, notes. */
  readonly epilogue?: string;
}

/** A command of main.ts: its help, and what runs it (the exit code, not process.exit). */
export interface CliCommand {
  readonly help: CommandHelp;
  run(argv: string[]): Promise<number>;
}

const WIDTH = 100;
const COLUMN = 28;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, line];
}

function optionLines(option: OptionSpec): string[] {
  const [long, ...others] = optionSpellings(option);
  const head = `  ${option.value === undefined ? long : `${long} ${option.value}`}${others.length ? `, ${others.join(', ')}` : ''}`;
  const text = wrap(option.help, WIDTH - COLUMN);
  if (head.length + 2 > COLUMN) return [head, ...text.map((t) => `${' '.repeat(COLUMN)}${t}`)];
  return [`${head.padEnd(COLUMN)}${text[0] ?? ''}`, ...text.slice(1).map((t) => `${' '.repeat(COLUMN)}${t}`)];
}

const HELP_LINE: OptionSpec = { name: 'help', aliases: ['-h'], help: 'print this help and exit (nothing else is done)' };

/** The usage lines alone: `usage: pacscope NAME …`, one per synopsis. */
export function formatUsage(help: CommandHelp): string {
  return help.synopsis.map((s, i) => `${i === 0 ? 'usage:' : '      '} pacscope ${help.name}${s ? ` ${s}` : ''}`).join('\n') + '\n';
}

export function formatHelp(help: CommandHelp): string {
  const out = [formatUsage(help).trimEnd(), '', ...help.description.trim().split('\n'), '', 'options:'];
  for (const option of [...help.options, HELP_LINE]) out.push(...optionLines(option));
  if (help.epilogue) out.push('', ...help.epilogue.trim().split('\n'));
  return `${out.join('\n')}\n`;
}
