/**
 * Command-line parsing on top of `node:util` `parseArgs`. Each command declares its options once
 * (`CommandSpec`); the same declaration drives validation and the `--help` text.
 */

import { parseArgs } from 'node:util';
import { CliError } from './errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. `h` for `--help`. */
  short?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Repeatable string option: every value is kept, in order. */
  multiple?: boolean;
  /** Placeholder for the value in the help text, e.g. `FILE`. */
  valueName?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list of `ibkr-am --help`. */
  summary: string;
  /** Further paragraph for `ibkr-am COMMAND --help`. */
  description?: string;
  /** Positional arguments as shown in the usage line, e.g. `FILE...`. */
  positionalUsage: string;
  minPositionals: number;
  /** `Infinity` for any number. */
  maxPositionals: number;
  options: Record<string, OptionSpec>;
  /** Extra help text printed after the options (environment variables, exit codes). */
  notes?: string;
}

/** Options that every command accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Print this help and exit.' },
  verbose: { type: 'boolean', description: 'Print timings and request names on stderr (never request content).' },
};

export class ParsedArgs {
  constructor(
    readonly command: CommandSpec,
    readonly positionals: string[],
    private readonly values: ReadonlyMap<string, string | boolean | string[]>,
  ) {}

  flag(name: string): boolean {
    return this.values.get(name) === true;
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  list(name: string): string[] {
    const value = this.values.get(name);
    return Array.isArray(value) ? value : [];
  }

  /** Returns the value of a string option with `choices`, or `fallback` when it is absent. */
  choice<T extends string>(name: string, fallback: T): T {
    return (this.string(name) ?? fallback) as T;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

export function usageError(command: CommandSpec, problem: string): CliError {
  // A problem may end in "FILE..." already; add no second period.
  const sentence = problem.endsWith('.') ? problem : `${problem}.`;
  return new CliError(`ibkr-am ${command.name}: ${sentence} Run "ibkr-am ${command.name} --help" for usage.`);
}

/**
 * Parses `argv` (the arguments after the command name) against `command`. Throws a `CliError`
 * (exit 4) naming the flag for an unknown option, a missing or invalid value, an option given
 * twice, or the wrong number of positional arguments.
 */
export function parseCommandArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const specs = { ...COMMON_OPTIONS, ...command.options };
  const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    parseOptions[name] = spec.short !== undefined ? { type: spec.type, short: spec.short } : { type: spec.type };
  }

  // strict: false, so that this function, not parseArgs, words the errors; the tokens keep the
  // information needed to do that.
  const { tokens } = parseArgs({
    args: [...argv],
    options: parseOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });

  const values = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') {
      continue;
    }

    const name = token.name;
    // hasOwn, so that `--constructor` and the like are unknown options rather than prototype members.
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) {
      throw usageError(command, `unknown option ${token.rawName}`);
    }

    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw usageError(command, `option ${token.rawName} takes no value, but got "${token.value}"`);
      }
      values.set(name, true);
      continue;
    }

    const placeholder = spec.valueName ?? 'VALUE';
    // A value that starts with "-" and was not written as --name=value is most likely the next
    // option, so the value was forgotten. A negative number is a value, which the command then
    // rejects naming it.
    const looksLikeOption = token.value !== undefined && token.inlineValue === false && token.value.startsWith('-') && !/^-\d/.test(token.value);
    if (token.value === undefined || looksLikeOption) {
      throw usageError(command, `option ${token.rawName} needs a value: ${token.rawName} ${placeholder}`);
    }
    if (spec.choices !== undefined && !spec.choices.includes(token.value)) {
      throw usageError(command, `invalid value "${token.value}" for ${token.rawName}; use one of ${spec.choices.join(', ')}`);
    }
    if (spec.multiple === true) {
      const previous = values.get(name);
      values.set(name, [...(Array.isArray(previous) ? previous : []), token.value]);
      continue;
    }
    if (values.has(name)) {
      throw usageError(command, `option ${token.rawName} is given twice; give it once`);
    }
    values.set(name, token.value);
  }

  const parsed = new ParsedArgs(command, positionals, values);
  if (parsed.flag('help')) {
    return parsed;
  }
  if (positionals.length < command.minPositionals) {
    throw usageError(command, `missing ${command.positionalUsage}`);
  }
  if (positionals.length > command.maxPositionals) {
    const extra = positionals[command.maxPositionals] ?? '';
    throw usageError(command, `unexpected argument "${extra}"`);
  }
  return parsed;
}

/** Formats the `--help` text of a command from its spec. */
export function formatCommandHelp(command: CommandSpec): string {
  const lines = [`Usage: ibkr-am ${command.name} [options] ${command.positionalUsage}`.trimEnd(), '', `${command.summary}.`];
  if (command.description !== undefined) {
    lines.push(command.description);
  }
  lines.push('', 'Options:');
  const specs = { ...command.options, ...COMMON_OPTIONS };
  const labels = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short !== undefined ? `-${spec.short}, ` : '';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    return { label: `  ${short}--${name}${value}`, spec };
  });
  const width = Math.max(...labels.map((entry) => entry.label.length)) + 2;
  for (const { label, spec } of labels) {
    const choices = spec.choices !== undefined ? ` One of: ${spec.choices.join(', ')}.` : '';
    const repeat = spec.multiple === true ? ' Repeatable.' : '';
    lines.push(`${label.padEnd(width)}${spec.description}${choices}${repeat}`);
  }
  if (command.notes !== undefined) {
    lines.push('', command.notes.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
