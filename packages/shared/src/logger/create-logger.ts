import os from 'node:os';
import path from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { EVENT_CATALOG, type EventName, type KnownFields, type RequiredFieldOf, type ServiceName } from '../schema/event-catalog.js';
import type { Level } from '../schema/levels.js';
import { ID_FIELDS } from '../schema/record-keys.js';
import { createSafeDestination, type DestinationHealth } from './safe-destination.js';

/** Ids a child logger stamps on every line. */
export interface LogBindings {
  readonly request_id?: string;
  readonly generation_id?: string;
  readonly prompt_id?: string;
}

type IdField = keyof LogBindings;

/**
 * Fields of one event: the catalog's required fields (ids may come from the child
 * logger's bindings instead), any other known field, and extra fields.
 */
export type EventFields<E extends EventName> = {
  readonly [K in Exclude<RequiredFieldOf<E>, IdField>]: KnownFields[K];
} & Partial<KnownFields> & { readonly [key: string]: unknown };

/** Per-call overrides: the message, and the level where the catalog allows several. */
export interface EventOptions {
  readonly msg?: string;
  readonly level?: Level;
}

/** A logger that writes catalog events in the log format (docs/log-format.md "JSON-lines format"). */
export interface ServiceLogger {
  /** Writes one catalog event at its catalog level (or an allowed override). */
  event<E extends EventName>(name: E, fields: EventFields<E>, options?: EventOptions): void;
  /** A logger whose lines all carry these ids. */
  child(bindings: LogBindings): ServiceLogger;
  /** Flushes buffered lines synchronously (a no-op for the default sync file). */
  flush(): void;
  /** Reopens the log file, for logrotate's `create` + SIGHUP. */
  reopen(): void;
  /** Write-failure counters for /health. */
  health(): DestinationHealth;
  /** The underlying pino logger. */
  readonly pino: Logger;
}

/** Options for createLogger. */
export interface LoggerOptions {
  readonly service: ServiceName;
  /** Directory of `<service>.log` (created when missing). */
  readonly logDir: string;
  /** Write to this file instead of `<logDir>/<service>.log`. */
  readonly file?: string;
  /** Lowest level written; `silent` writes nothing (default `debug`). */
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Write here instead of the file (tests). */
  readonly destination?: DestinationStream;
  /** Where write failures are reported (default stderr). */
  readonly report?: (message: string) => void;
  /** The machine written in every line's `hostname` (default `os.hostname()`, as pino's default base). */
  readonly hostname?: string;
}

/**
 * Paths pino blanks out, a backstop behind the rule that secrets are never passed to
 * a log call in the first place.
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'password',
  'api_key',
  'apiKey',
  'secret',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.token',
  '*.password',
  '*.api_key',
  '*.secret',
  'headers.authorization',
  'req.headers.authorization',
  'extra_data.api_key_comfy_org',
  'extra_data.auth_token_comfy_org',
  '*.extra_data.api_key_comfy_org',
  '*.extra_data.auth_token_comfy_org',
];

/** Keys owned by the logger; a caller's field of the same name is dropped so it cannot forge them. */
const RESERVED = new Set(['time', 'level', 'service', 'event', 'msg', 'pid', 'hostname']);

const PINO_METHOD = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal' } as const;

/**
 * Creates the logger of one service: JSON lines with ISO `time`, upper-case `level`,
 * `service`, `event` and `msg`, appended synchronously to `<logDir>/<service>.log`.
 * Synchronous writes are the default because a line is then on disk (page cache) when
 * the call returns: SIGKILL or a crash loses nothing already logged.
 */
export function createLogger(options: LoggerOptions): ServiceLogger {
  const file = options.file ?? path.join(options.logDir, `${options.service}.log`);
  const safe =
    options.destination === undefined ? createSafeDestination({ file, ...(options.report ? { report: options.report } : {}) }) : undefined;
  const stream: DestinationStream = options.destination ?? (safe as DestinationStream);
  const root = pino(
    {
      level: options.level ?? 'debug',
      // pino's default base is pid and hostname; ours adds the service. The hostname tells
      // the machines apart when logs of several are read together (logtrace --dir … --dir …).
      base: { service: options.service, pid: process.pid, hostname: options.hostname ?? os.hostname() },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
    },
    stream,
  );
  const health = (): DestinationHealth => safe?.health() ?? { writeErrors: 0, dropped: 0, lastError: undefined };
  return wrap(root, new Set(), {
    flush: () => safe?.flushSync(),
    reopen: () => safe?.reopen(),
    health,
  });
}

interface Shared {
  flush(): void;
  reopen(): void;
  health(): DestinationHealth;
}

/** `bound` holds the id keys the child already writes, so a field of the same name is not written twice. */
function wrap(logger: Logger, bound: ReadonlySet<string>, shared: Shared): ServiceLogger {
  return {
    pino: logger,
    event(name, fields, options) {
      const spec = EVENT_CATALOG[name];
      const level = options?.level !== undefined && (spec.levels as readonly Level[]).includes(options.level) ? options.level : spec.level;
      const record: Record<string, unknown> = { event: name };
      for (const key of Object.keys(fields)) {
        if (!RESERVED.has(key) && !bound.has(key)) record[key] = fields[key];
      }
      logger[PINO_METHOD[level]](record, options?.msg ?? spec.msg);
    },
    child(bindings) {
      const clean: Record<string, string> = {};
      for (const key of ID_FIELDS) {
        const value = bindings[key];
        if (value !== undefined) clean[key] = value;
      }
      return wrap(logger.child(clean), new Set([...bound, ...Object.keys(clean)]), shared);
    },
    flush: shared.flush,
    reopen: shared.reopen,
    health: shared.health,
  };
}
