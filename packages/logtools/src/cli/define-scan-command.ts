import type { Argv, Options, PositionalOptions } from 'yargs';
import type { CliIo } from './cli-io.js';
import type { CommandContext } from './command-context.js';
import type { CommandSpec, ParsedArgs } from './command-spec.js';

/** What a scanning command does once it runs: loaded only then, so `logtrace` starts without the other commands' modules. */
export interface ScanHandler<Prepared> {
  /** Reads and checks the command's own arguments, before any file is opened; throws UsageError. */
  prepare(args: ParsedArgs): Prepared;
  /** Reads the open inputs, renders and writes the answer; returns whether anything was found. */
  run(ctx: CommandContext, prepared: Prepared, io: CliIo): Promise<boolean>;
}

/** A command that reads the log directory: what its help says, and where its handler is. */
export interface ScanCommandDefinition<Prepared> {
  /** yargs command string, e.g. `trace <id>`. */
  readonly command: string;
  readonly describe: string;
  /** The command's options, besides the common ones. */
  readonly options?: Readonly<Record<string, Options>>;
  /** Its positional argument, if any (named in `command`). */
  readonly positional?: { readonly name: string; readonly options: PositionalOptions };
  /** Example command lines and what they do, for `--help`. */
  readonly examples: readonly (readonly [string, string])[];
  readonly epilogue: string;
  /** Imports the handler (lazily). */
  readonly load: () => Promise<ScanHandler<Prepared>>;
}

/**
 * Makes a CommandSpec of a scanning command: the steps every such command shares —
 * scanning threads, then its own arguments, then the inputs opened, the handler run
 * and the exit code from what it found and what could not be read.
 */
export function defineScanCommand<Prepared>(definition: ScanCommandDefinition<Prepared>): CommandSpec {
  const options = definition.options ?? {};
  return {
    command: definition.command,
    describe: definition.describe,
    options,
    builder(yargs: Argv): Argv {
      let built = yargs.options(options);
      if (definition.positional !== undefined) built = built.positional(definition.positional.name, definition.positional.options);
      for (const [command, description] of definition.examples) built = built.example(command, description);
      return built.epilogue(definition.epilogue);
    },
    async run(args, io) {
      const [{ withScanThreads }, { withInputs, finishCommand }, { createScanIndex }, handler] = await Promise.all([
        import('../engine/scan-pool.js'),
        import('./command-context.js'),
        import('../cache/create-scan-index.js'),
        definition.load(),
      ]);
      return withScanThreads(io.env, async (threads) => {
        const prepared = handler.prepare(args);
        const index = createScanIndex(args, io);
        return withInputs(args, io, { ...threads, index }, async (ctx) => finishCommand(ctx, io, await handler.run(ctx, prepared, io)));
      });
    },
  };
}
