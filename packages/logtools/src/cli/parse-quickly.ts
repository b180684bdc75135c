import type { Options } from 'yargs';
import type { CommandSpec, ParsedArgs } from './command-spec.js';
import { COMMON_OPTIONS } from './common-options.js';

/** A command line read without yargs: the command to run and its arguments. */
export interface QuickParse {
  readonly spec: CommandSpec;
  readonly args: ParsedArgs;
}

/**
 * Reads a plain command line (`<command> [--option value]... [positional]`) with
 * yargs-parser, the parser yargs itself uses, configured from the same option
 * definitions, so that a command starts without loading yargs and its help renderer
 * (about 100 ms). Anything else gives undefined and is left to yargs: help, version,
 * an unknown command or option, a wrong number of positionals, short flags, `--`,
 * or any parse error. Tested against yargs's own result on a corpus of command lines.
 */
export async function parseQuickly(argv: readonly string[], commands: readonly CommandSpec[]): Promise<QuickParse | undefined> {
  const spec = commands.find((c) => c.command.split(' ')[0] === argv[0]);
  if (spec === undefined) return undefined;
  const rest = argv.slice(1);
  if (rest.some((a) => a === '--' || /^-[^-]/.test(a) || /^--(?:no-)?(?:help|version)(?:=|$)/.test(a))) return undefined;
  const options: Readonly<Record<string, Options>> = { ...COMMON_OPTIONS, ...spec.options };
  const { default: parser } = await import('yargs-parser');
  const parsed = parser.detailed([...rest], {
    ...parserHints(options),
    configuration: { 'parse-positional-numbers': false, 'populate--': true },
  });
  if (parsed.error !== null) return undefined;
  // yargs-parser also gives a hyphenated option (`--by-node`) in camel case (`byNode`), as yargs does.
  const known = new Set(Object.keys(options).flatMap((key) => [key, key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]));
  if (Object.keys(parsed.argv).some((key) => key !== '_' && key !== '--' && !known.has(key))) return undefined;
  const positionals = [...spec.command.matchAll(/<(\w+)>/g)].map((m) => m[1] ?? '');
  const given = parsed.argv._;
  if (given.length !== positionals.length) return undefined;
  const args: Record<string, unknown> = { ...parsed.argv, _: [argv[0], ...given] };
  positionals.forEach((name, i) => (args[name] = String(given[i])));
  return { spec, args };
}

interface ParserHints {
  string: string[];
  boolean: string[];
  number: string[];
  array: string[];
  default: Record<string, unknown>;
}

/** The type, array and default lists yargs gives yargs-parser for these options. */
function parserHints(options: Readonly<Record<string, Options>>): ParserHints {
  const hints: ParserHints = { string: [], boolean: [], number: [], array: [], default: {} };
  for (const [key, option] of Object.entries(options)) {
    if (option.type === 'string') hints.string.push(key);
    if (option.type === 'boolean') hints.boolean.push(key);
    if (option.type === 'number') hints.number.push(key);
    if (option.array === true) hints.array.push(key);
    if (option.default !== undefined) hints.default[key] = option.default;
  }
  return hints;
}
