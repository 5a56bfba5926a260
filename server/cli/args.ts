/**
 * A small argument parser for the CLI commands: positionals, `--flag`,
 * `--key value` / `--key=value`, repeatable keys, DCMTK-style single-dash
 * spellings (`-aet AE`, `-v`, `-P`). Each command declares its options once,
 * as a table of OptionSpec; the parser and the command's `--help`
 * (command-help.ts) both read that table, so the help cannot leave out an
 * option the parser accepts. Unknown options are errors, so a typo is never
 * silently ignored; `--` ends the options (a file named `-x` after it is a
 * positional).
 */
/** A command line the option table does not allow (unknown option, missing value): main.ts points to --help. */
export class ArgumentError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

export interface OptionSpec {
  /** The long name: `--NAME`, and the key in ParsedArgs. */
  readonly name: string;
  /** What the value is called in the help (`AE`, `FILE`); absent for a flag. */
  readonly value?: string;
  /** Other spellings of the same option: `-aet` for `--aet`, `-v` for `--verbose`. */
  readonly aliases?: readonly string[];
  /** Spellings that stand for the option with a fixed value: `-P` = `--model patient`. */
  readonly presets?: Readonly<Record<string, string>>;
  /** One line: what it does and its default. */
  readonly help: string;
  /** How many values follow the option (default 1 when `value` is set): DCMTK's `+tls KEY CERT` takes 2, stored in order. */
  readonly arity?: 1 | 2;
}

/** `--help` and `-h`: not in any command's table; main.ts answers them for every command. */
export const HELP_SPELLINGS: readonly string[] = ['--help', '-h'];

interface Spelling {
  option: OptionSpec;
  /** The value a preset spelling stands for. */
  preset?: string;
}

function spellings(options: readonly OptionSpec[]): Map<string, Spelling> {
  const map = new Map<string, Spelling>();
  for (const option of options) {
    map.set(`--${option.name}`, { option });
    for (const alias of option.aliases ?? []) map.set(alias, { option });
    for (const [spelling, preset] of Object.entries(option.presets ?? {})) map.set(spelling, { option, preset });
  }
  return map;
}

/** Every spelling of an option, long name first, as the help shows them. */
export function optionSpellings(option: OptionSpec): string[] {
  return [`--${option.name}`, ...(option.aliases ?? []), ...Object.keys(option.presets ?? {})];
}

/** A token that looks like an option rather than a positional (`-`, stdin by convention, does not). */
const looksLikeOption = (arg: string): boolean => /^--?[A-Za-z]/.test(arg);

export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const known = spellings(options);
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (name: string, value: string) => values.set(name, [...(values.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const spelled = eq < 0 ? arg : arg.slice(0, eq);
    const hit = known.get(spelled);
    if (!hit) {
      if (looksLikeOption(arg)) throw new ArgumentError(`unknown option ${spelled}`);
      positionals.push(arg);
      continue;
    }
    const { option, preset } = hit;
    if (preset !== undefined) {
      add(option.name, preset);
    } else if (option.value === undefined) {
      if (eq >= 0) throw new ArgumentError(`option ${spelled} takes no value`);
      flags.add(option.name);
    } else if (option.arity === 2) {
      const first = argv[++i];
      const second = argv[++i];
      if (eq >= 0 || first === undefined || second === undefined) throw new ArgumentError(`option ${spelled} needs two values: ${spelled} ${option.value}`);
      add(option.name, first);
      add(option.name, second);
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ArgumentError(`option ${spelled} needs a value`);
      add(option.name, value);
    }
  }
  return { positionals, flags, values };
}

/**
 * True when the command line asks for help (`--help` or `-h`) anywhere before
 * `--`, a value of an option excepted (`--salt -h` is a salt).
 */
export function asksForHelp(argv: readonly string[], options: readonly OptionSpec[]): boolean {
  const known = spellings(options);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return false;
    if (HELP_SPELLINGS.includes(arg)) return true;
    const hit = known.get(arg);
    if (hit && hit.preset === undefined && hit.option.value !== undefined) i += hit.option.arity ?? 1;
  }
  return false;
}
