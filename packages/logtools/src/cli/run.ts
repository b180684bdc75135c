import { errorsCommand } from '../commands/errors-command.js';
import { perfCommand } from '../commands/perf-command.js';
import { traceCommand } from '../commands/trace-command.js';
import { AmbiguousIdError, EXIT_CODES, LogtraceError, UsageError } from '../errors.js';
import type { CliIo } from './cli-io.js';
import type { CommandSpec } from './command-spec.js';
import { addCommonOptions } from './common-options.js';

/** The commands of `logtrace`, in help order. */
export const COMMANDS: readonly CommandSpec[] = [traceCommand, perfCommand, errorsCommand];

/** Version printed by `--version`. */
export const VERSION = '0.1.0';

/**
 * Runs `logtrace` with `argv` (without node and script) and returns the exit code:
 * 0 ok, 1 nothing found (or `--strict` saw unusable lines), 2 usage or I/O error.
 * The only place errors become exit codes; all output goes through `io`.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { default: yargs } = await import('yargs');
  let selected: (() => Promise<number>) | undefined;
  const width = Math.min(110, io.stdout.columns ?? 100);
  let parser = addCommonOptions(yargs())
    .scriptName('logtrace')
    .usage('$0 <command> [options]\n\nAnswers from the log files alone: what happened to a request, how fast are we, what is failing.')
    .strict()
    .demandCommand(1, 'Choose a command: trace, perf or errors')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .wrap(width)
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(message ?? error?.message ?? 'invalid command line');
    })
    .epilogue(
      'Exit codes: 0 ok, 1 nothing found (unknown id, no records; or --strict saw unusable lines), 2 usage or I/O error.\n' +
        'Environment: LOGTRACE_DIR (default --dir), NO_COLOR. Run "logtrace <command> --help" for examples.',
    );
  for (const spec of COMMANDS) {
    parser = parser.command(spec.command, spec.describe, spec.builder, (args) => {
      selected = () => spec.run(args, io);
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
  try {
    return await selected();
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof AmbiguousIdError) {
    io.stderr.write(`logtrace: ${error.message}\n`);
    for (const c of error.candidates) {
      io.stderr.write(`  ${c.id}  (${c.field}, ${c.service}, first seen ${new Date(c.time).toISOString()})\n`);
    }
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`logtrace: ${error.message}\nRun "logtrace --help" for usage.\n`);
    return error.exitCode;
  }
  if (error instanceof LogtraceError) {
    io.stderr.write(`logtrace: ${error.message}\n`);
    return error.exitCode;
  }
  const detail = io.env['LOGTRACE_DEBUG'] !== undefined && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  io.stderr.write(`logtrace: internal error: ${error instanceof Error ? error.message : String(error)}${detail}\n`);
  return EXIT_CODES.usage;
}
