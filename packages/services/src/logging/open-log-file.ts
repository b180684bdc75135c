import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Write-failure counters of a log file, shown on /health. */
export interface LogFileHealth {
  /** Failed `write(2)` calls (a line, or the newline that ends a torn line) and failed reopens. */
  readonly writeErrors: number;
  /** Lines that are not whole in the file: refused, or cut short by a failing write. */
  readonly linesLost: number;
  /** The last error's message, if any. */
  readonly lastError: string | undefined;
}

/** An append-only log file that never throws once open. */
export interface LogFile {
  /** Appends one line (with its `\n`) in one `write(2)`; a failure is counted, never thrown. */
  write(line: string | Uint8Array): boolean;
  /** Opens the path again (after logrotate moved the file away); a failure keeps the old file. */
  reopen(): void;
  health(): LogFileHealth;
  close(): void;
}

/** Options of openLogFile. */
export interface LogFileOptions {
  /** Where failures are reported, at most once per `reportEveryMs` (default: stderr). */
  readonly report?: (message: string) => void;
  /** Minimum milliseconds between two failure reports (default 10 000). */
  readonly reportEveryMs?: number;
  /** Epoch-ms clock for the report rate (default Date.now). */
  readonly now?: () => number;
}

const NEWLINE = 0x0a;

/**
 * Opens a log file for synchronous appends (its directory is created): each line is one
 * `write(2)` on an O_APPEND descriptor, so it is in the kernel when the call returns and
 * survives SIGKILL. A full disk or an unwritable file never throws into the caller and
 * never grows memory: the line is lost and counted, and reported at most every 10 s.
 * A file that does not end with `\n` (a writer died mid-line, or a write was cut short
 * by a full disk) gets one before the next line, so no line is ever glued to a torn one.
 * Throws only when the file cannot be opened.
 */
export function openLogFile(file: string, options: LogFileOptions = {}): LogFile {
  const report = options.report ?? ((message: string) => process.stderr.write(`${message}\n`));
  const reportEveryMs = options.reportEveryMs ?? 10_000;
  const now = options.now ?? Date.now;
  mkdirSync(path.dirname(file), { recursive: true });
  let fd = openSync(file, 'a+');
  let torn = endsTorn(fd);
  let writeErrors = 0;
  let linesLost = 0;
  let lastError: string | undefined;
  let lastReport = -Infinity;

  const fail = (err: unknown, what: string): void => {
    writeErrors += 1;
    lastError = err instanceof Error ? err.message : String(err);
    const at = now();
    if (at - lastReport >= reportEveryMs) {
      lastReport = at;
      report(`logtrace: cannot ${what} log file ${file}: ${lastError} (${linesLost} lines lost so far)`);
    }
  };

  /** Writes all of `bytes`; returns how many were written before a failure (or all). */
  const writeAll = (bytes: Uint8Array): { written: number; error?: unknown } => {
    let written = 0;
    while (written < bytes.length) {
      try {
        const n = writeSync(fd, bytes, written, bytes.length - written);
        if (n <= 0) return { written, error: new Error('write(2) wrote nothing') };
        written += n;
      } catch (error) {
        return { written, error };
      }
    }
    return { written };
  };

  return {
    write(line) {
      const body = typeof line === 'string' ? Buffer.from(line) : line;
      const bytes = torn ? Buffer.concat([Buffer.of(NEWLINE), body]) : body;
      const { written, error } = writeAll(bytes);
      if (written > 0) torn = bytes[written - 1] !== NEWLINE;
      if (error === undefined) return true;
      linesLost += 1;
      fail(error, 'write');
      return false;
    },
    reopen() {
      try {
        const next = openSync(file, 'a+');
        closeSync(fd);
        fd = next;
        torn = endsTorn(fd);
      } catch (err) {
        fail(err, 'reopen');
      }
    },
    health: () => ({ writeErrors, linesLost, lastError }),
    close() {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}

/** True when the open file is not empty and its last byte is not `\n`. */
function endsTorn(fd: number): boolean {
  const { size } = fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== NEWLINE;
}
