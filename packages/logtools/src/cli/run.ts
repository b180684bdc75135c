import { cacheCommand } from '../cache/cache-command.js';
import { errorsCommand } from '../errors/errors-command.js';
import { perfCommand } from '../perf/perf-command.js';
import { traceCommand } from '../trace/trace-command.js';
import { reportCommand } from '../serve/report-command.js';
import { serveCommand } from '../serve/serve-command.js';
import { AmbiguousIdError, EXIT_CODES, LogtraceError, UsageError } from '../logtrace-error.js';
import type { CliIo } from './cli-io.js';
import type { CommandSpec } from './command-spec.js';
import { addCommonOptions } from './common-options.js';
import { parseQuickly, type QuickParse } from './parse-quickly.js';
import { readFileSync } from 'node:fs';
import { escapeTerminal } from '../render/escape-terminal.js';
import { VERSION } from './version.js';

export { VERSION };

/** The commands of `logtrace`, in help order. */
export const COMMANDS: readonly CommandSpec[] = [traceCommand, perfCommand, errorsCommand, serveCommand, reportCommand, cacheCommand];

/**
 * Runs `logtrace` with `argv` (without node and script) and returns the exit code:
 * 0 ok, 1 nothing found (or `--strict` saw unusable lines), 2 usage or I/O error.
 * The only place errors become exit codes; all output goes through `io`. A plain
 * command line starts without yargs (parseQuickly) and `--help` is served as yargs
 * rendered it at build time when the width matches; everything else goes through yargs.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const width = Math.min(110, io.stdout.columns ?? 100);
  const help = cachedHelp(argv, width);
  if (help !== undefined) {
    io.stdout.write(help);
    return EXIT_CODES.ok;
  }
  const quick = await parseQuickly(argv, COMMANDS);
  const parsed = quick ?? (await parseWithYargs(argv, io, width));
  if (typeof parsed === 'number') return parsed;
  try {
    return await parsed.spec.run(parsed.args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Parses the command line with yargs: a command and its arguments, or the exit code
 * when yargs printed help or the version (0) or the command line is wrong (2).
 */
export async function parseWithYargs(argv: readonly string[], io: CliIo, width: number): Promise<QuickParse | number> {
  const { default: yargs } = await import('yargs');
  let selected: QuickParse | undefined;
  let parser = addCommonOptions(yargs())
    .scriptName('logtrace')
    .usage('$0 <command> [options]\n\nAnswers from the log files alone: what happened to a request, how fast are we, what is failing.')
    .strict()
    .demandCommand(1, 'Choose a command: trace, perf, errors, serve, report or cache')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .wrap(width)
    // Help and messages in English whatever the locale, like the rest of the output (and so cacheable).
    .detectLocale(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(message ?? error?.message ?? 'invalid command line');
    })
    .epilogue(
      'Exit codes: 0 ok, 1 nothing found (unknown id, no records; or --strict saw unusable lines), 2 usage or I/O error.\n' +
        'Environment: LOGTRACE_DIR (default --dir), LOGTRACE_CACHE_DIR and LOGTRACE_CACHE_MAX_MB (the cache), NO_COLOR. Run "logtrace <command> --help" for examples.',
    );
  for (const spec of COMMANDS) {
    parser = parser.command(spec.command, spec.describe, spec.builder, (args) => {
      selected = { spec, args };
    });
  }
  let output = '';
  try {
    await parser.parseAsync([...argv], {}, (_error, _args, text) => {
      output = text;
    });
  } catch (error) {
    return reportError(error, io);
  }
  if (selected === undefined) {
    if (output !== '') io.stdout.write(`${output}\n`);
    return EXIT_CODES.ok;
  }
  return selected;
}

/** Help texts yargs rendered at build time (scripts/cache-help.mjs), by width and command ('' for the top level). */
type HelpCache = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The command lines that only ask for help: `--help`, `-h`, `<command> --help`. */
export function helpTopic(argv: readonly string[]): string | undefined {
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  if (argv.length === 1 && isHelp(argv[0])) return '';
  if (argv.length === 2 && isHelp(argv[1]) && COMMANDS.some((c) => c.command.split(' ')[0] === argv[0])) return argv[0];
  return undefined;
}

/** Help as yargs rendered it at build time for this width, when the command line only asks for help (saves loading yargs). */
function cachedHelp(argv: readonly string[], width: number): string | undefined {
  const topic = helpTopic(argv);
  if (topic === undefined) return undefined;
  try {
    const cache = JSON.parse(readFileSync(new URL('../help-cache.json', import.meta.url), 'utf8')) as HelpCache;
    return cache[String(width)]?.[topic];
  } catch {
    return undefined;
  }
}

/** Writes an error's message (escaped: ids and paths may come from the logs) and returns its exit code. */
function reportError(error: unknown, io: CliIo): number {
  const say = (text: string) => io.stderr.write(`logtrace: ${text.split('\n').map(escapeTerminal).join('\n')}\n`);
  if (error instanceof AmbiguousIdError) {
    say(error.message);
    for (const c of error.candidates) {
      io.stderr.write(
        `  ${escapeTerminal(c.id)}  (${c.field}, ${escapeTerminal(c.service)}, first seen ${new Date(c.time).toISOString()})\n`,
      );
    }
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    say(error.message);
    io.stderr.write('Run "logtrace --help" for usage.\n');
    return error.exitCode;
  }
  if (error instanceof LogtraceError) {
    say(error.message);
    return error.exitCode;
  }
  say(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (io.env['LOGTRACE_DEBUG'] !== undefined && error instanceof Error) io.stderr.write(`${error.stack ?? ''}\n`);
  return EXIT_CODES.usage;
}
