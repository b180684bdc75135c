import pino from 'pino';

/** Write-failure counters of a log destination, shown on /health. */
export interface DestinationHealth {
  /** Lines that could not be written (disk full, file unwritable, ...). */
  readonly writeErrors: number;
  /** Lines dropped because the retry buffer was full. */
  readonly dropped: number;
  /** The last write error's message, if any. */
  readonly lastError: string | undefined;
}

/** A pino destination stream that never throws into the caller. */
export interface SafeDestination {
  write(line: string): void;
  flushSync(): void;
  /** Reopens the file (after logrotate moved it away). */
  reopen(): void;
  health(): DestinationHealth;
}

/** Options for createSafeDestination. */
export interface SafeDestinationOptions {
  /** Path of the log file; its directory is created. */
  readonly file: string;
  /** Where to report write failures (default: stderr). Called at most every `reportEveryMs`. */
  readonly report?: (message: string) => void;
  /** Minimum milliseconds between two failure reports (default 10 000). */
  readonly reportEveryMs?: number;
  /** Bytes of unwritten lines kept for retry before new lines are dropped (default 1 MiB). */
  readonly maxBufferBytes?: number;
}

/**
 * Opens an append-only, synchronous log file (one `write(2)` per line, so a line is in
 * the kernel once the log call returns and survives SIGKILL) and wraps it so that a
 * full disk or an unwritable file is counted and reported instead of throwing into
 * request handlers or hanging the process. Throws only at open time.
 */
export function createSafeDestination(options: SafeDestinationOptions): SafeDestination {
  const report = options.report ?? ((message: string) => process.stderr.write(`${message}\n`));
  const reportEveryMs = options.reportEveryMs ?? 10_000;
  const dest = pino.destination({
    dest: options.file,
    sync: true,
    mkdir: true,
    maxLength: options.maxBufferBytes ?? 1024 * 1024,
  });
  let writeErrors = 0;
  let dropped = 0;
  let lastError: string | undefined;
  let lastReport = -Infinity;

  const note = (err: unknown): void => {
    writeErrors += 1;
    lastError = err instanceof Error ? err.message : String(err);
    const now = Date.now();
    if (now - lastReport >= reportEveryMs) {
      lastReport = now;
      report(`logtrace: cannot write log file ${options.file}: ${lastError} (${writeErrors} failed writes so far)`);
    }
  };
  dest.on('error', note);
  dest.on('drop', () => {
    dropped += 1;
  });

  return {
    write(line) {
      try {
        dest.write(line);
      } catch (err) {
        note(err);
      }
    },
    flushSync() {
      try {
        dest.flushSync();
      } catch (err) {
        note(err);
      }
    },
    reopen() {
      try {
        dest.reopen();
      } catch (err) {
        note(err);
      }
    },
    health: () => ({ writeErrors, dropped, lastError }),
  };
}
