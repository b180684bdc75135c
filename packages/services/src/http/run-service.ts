import { ConfigError, type ServiceLogger } from '@logtrace/shared';
import { makeStdioSafe } from '../process/make-stdio-safe.js';
import type { RunningServer } from './start-server.js';

/** What runService needs to start, describe and stop one service process. */
export interface ServiceProcess {
  readonly logger: ServiceLogger;
  /** Starts listening; called once. */
  start(): Promise<RunningServer>;
  /** Configuration summary for the service_start line (no secrets). */
  readonly summary: Readonly<Record<string, unknown>>;
  /** Milliseconds SIGTERM/SIGINT waits for in-flight requests (default 10 000). */
  readonly shutdownDeadlineMs?: number;
  /** Called after the server stopped, before the final log line (close clients, queues). */
  onStop?(): Promise<void> | void;
}

/**
 * The process shell every service main uses: starts the server and logs
 * `service_start`; on SIGTERM/SIGINT drains and logs `service_stop`, then exits 0;
 * on an uncaught exception or unhandled rejection logs `fatal_error` at FATAL and
 * exits 1; on SIGHUP reopens the log file (logrotate `create` mode).
 */
export async function runService(service: ServiceProcess): Promise<void> {
  const { logger } = service;
  const die = (kind: string, err: unknown): void => {
    const error = err instanceof Error ? err : new Error(String(err));
    logger.event('fatal_error', { error: error.message, error_code: kind, stack: error.stack ?? '' });
    logger.flush();
    process.stderr.write(`fatal ${kind}: ${error.stack ?? error.message}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => die('uncaught_exception', err));
  process.on('unhandledRejection', (reason) => die('unhandled_rejection', reason));

  const running = await service.start();
  logger.event('service_start', { port: running.port, ...service.summary });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    await running.stop(service.shutdownDeadlineMs ?? 10_000);
    await service.onStop?.();
    logger.event('service_stop', { signal, duration_ms: Date.now() - started });
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGHUP', () => logger.reopen());
}

/**
 * Runs a service main: first makes stdout/stderr writes unable to throw (they go to the
 * log disk, which may be full; see makeStdioSafe); then a configuration error is printed with every problem and exits
 * 2; any other start failure (port in use, log directory unwritable) is printed as one
 * line and exits 1. Never prints a stack trace for those.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  makeStdioSafe();
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${name}: cannot start: ${message}\n`);
    process.exit(1);
  });
}
