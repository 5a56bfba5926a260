/**
 * A small argument parser for the CLI commands: positionals, `--flag`,
 * `--key value` / `--key=value`, repeatable keys. Unknown options are errors,
 * so a typo is never silently ignored.
 */
export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

export interface ArgSpec {
  flags?: string[];
  values?: string[];
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new Error(`option --${name} takes no value`);
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`option --${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new Error(`unknown option --${name}`);
    }
  }
  return { positionals, flags, values };
}
