import type { Argv, Options } from 'yargs';
import type { CliIo } from './cli-io.js';

/** Parsed arguments as yargs returns them; each command reads and checks its own. */
export type ParsedArgs = Readonly<Record<string, unknown>>;

/** One `logtrace` command: its yargs definition and what it runs. */
export interface CommandSpec {
  /** yargs command string, e.g. `trace <id>`. */
  readonly command: string;
  readonly describe: string;
  /** The command's options (besides the common ones), as yargs options: the builder adds them, and the quick parser reads them. */
  readonly options: Readonly<Record<string, Options>>;
  /** Adds the command's options (`options`), positionals and examples. */
  readonly builder: (yargs: Argv) => Argv;
  /** Runs the command and returns the exit code; may throw a LogtraceError. */
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>;
}
