import path from 'node:path';
import { createLogger, type LoggerOptions, type ServiceLogger, type ServiceName } from '@logtrace/shared';
import { openLogFile, type LogFile, type LogFileOptions } from './open-log-file.js';

/** Options of createServiceLogger. */
export interface ServiceLoggerOptions extends LogFileOptions {
  readonly service: ServiceName;
  /** Directory of `<service>.log` (created when missing). */
  readonly logDir: string;
  /** Write to this file instead of `<logDir>/<service>.log`. */
  readonly file?: string;
  /** Lowest level written (default `debug`). */
  readonly level?: LoggerOptions['level'];
}

/**
 * The logger of a service process: the shared catalog logger writing to
 * `<logDir>/<service>.log` through openLogFile, so a full disk costs lines (counted on
 * `health()`: `writeErrors` failed writes, `dropped` lines lost) but never a crash,
 * and no line is glued to a torn one. Throws only when the file cannot be opened.
 */
export function createServiceLogger(options: ServiceLoggerOptions): ServiceLogger {
  const file = openLogFile(options.file ?? path.join(options.logDir, `${options.service}.log`), options);
  const logger = createLogger({
    service: options.service,
    logDir: options.logDir,
    level: options.level ?? 'debug',
    destination: { write: (line: string) => void file.write(line) },
  });
  return withLogFile(logger, file);
}

/** The logger and all its children report the file's counters and reopen it. */
function withLogFile(logger: ServiceLogger, file: LogFile): ServiceLogger {
  return {
    pino: logger.pino,
    event: logger.event,
    child: (bindings) => withLogFile(logger.child(bindings), file),
    // Every line is written before the log call returns: nothing to flush.
    flush: () => undefined,
    reopen: () => file.reopen(),
    health: () => {
      const { writeErrors, linesLost, lastError } = file.health();
      return { writeErrors, dropped: linesLost, lastError };
    },
  };
}
