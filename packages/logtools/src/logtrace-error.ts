/** Process exit codes of `logtrace` (docs/log-format.md "Exit codes"). */
export const EXIT_CODES = Object.freeze({
  /** The command ran and found what it reports. */
  ok: 0,
  /** Nothing found (unknown id, no matching records), or `--strict` saw bad lines. */
  notFound: 1,
  /** Usage error or an input that could not be read. */
  usage: 2,
} as const);

/** One of the exit codes above. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Base class of every error logtrace turns into an exit code; carries that code. */
export class LogtraceError extends Error {
  /** Exit code the CLI entry point uses for this error. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A command line that cannot be run: bad option value, missing argument. Exit 2. */
export class UsageError extends LogtraceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.usage, options);
  }
}

/** An input that cannot be read at all: missing directory, no log files. Exit 2. */
export class InputError extends LogtraceError {
  /** The path that failed. */
  readonly path: string;

  constructor(message: string, path: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.usage, options);
    this.path = path;
  }
}

/** The thing asked for is not in the logs (e.g. an unknown id). Exit 1. */
export class NotFoundError extends LogtraceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.notFound, options);
  }
}

/** An id prefix that matches ids of more than one trace. Exit 2. */
export class AmbiguousIdError extends LogtraceError {
  /** The full ids that share the prefix, with where they were first seen. */
  readonly candidates: readonly IdCandidate[];

  constructor(prefix: string, candidates: readonly IdCandidate[]) {
    super(`id prefix "${prefix}" is ambiguous: it matches ${candidates.length} ids; give more characters`, EXIT_CODES.usage);
    this.candidates = candidates;
  }
}

/** A full id that an ambiguous prefix matched. */
export interface IdCandidate {
  readonly id: string;
  /** Which field holds it: request_id, generation_id or prompt_id. */
  readonly field: string;
  /** Epoch ms of the first line carrying it. */
  readonly time: number;
  readonly service: string;
}
