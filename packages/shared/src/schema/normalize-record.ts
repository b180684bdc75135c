import { isEventName } from './event-catalog.js';
import { normalizeLevel, type Level } from './levels.js';
import { parseTime } from './parse-time.js';
import type { TimeZone } from './time-zone.js';
import { RECORD_KEY_ALIASES, RECORD_KEYS } from './record-keys.js';

/** A log line from any supported producer, read into one shape. */
export interface NormalizedRecord {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly level: Level;
  readonly service: string;
  /** Catalog event name, or undefined when the producer wrote none. */
  readonly event: string | undefined;
  readonly msg: string;
  readonly request_id: string | undefined;
  readonly generation_id: string | undefined;
  readonly prompt_id: string | undefined;
  /** Milliseconds, when the line carries a numeric duration_ms. */
  readonly duration_ms: number | undefined;
  readonly error_code: string | undefined;
  /** The error's text: `error` (or pino's `err`) as a string, or its `message`. */
  readonly error: string | undefined;
  /** The error's class: `error_type`, or the `type` of an error object (pino's serializer). */
  readonly error_type: string | undefined;
  /** A stack trace or Python traceback: an error object's `stack`, else `stack`, `exc_info` (python-json-logger) or `exception` (structlog). */
  readonly stack: string | undefined;
  /** Every other field, as written (null prototype; unknown fields are kept). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Why a JSON value could not be read as a log record. */
export type RecordProblem = 'not_object' | 'no_time' | 'no_level';

/** Result of normalizeRecord: a record, or the reason there is none. */
export type NormalizeResult =
  { readonly ok: true; readonly record: NormalizedRecord } | { readonly ok: false; readonly problem: RecordProblem };

/** Options for normalizeRecord. */
export interface NormalizeOptions {
  /** Service to assume when the line names none (e.g. from the file name). */
  readonly defaultService?: string;
  /** Zone of a time written without one (default UTC). */
  readonly timeZone?: TimeZone | undefined;
}

// The service's fallbacks (pino's and Python's logger `name`, `logger`) stay in `extra`
// unless they gave the service.
const SERVICE_FALLBACKS: readonly string[] = RECORD_KEY_ALIASES.service.filter((key) => key !== 'service');

// Error objects and tracebacks are read, and stay in `extra` as written too (a trace shows them).
const ERROR_DETAILS: readonly string[] = ['err', ...RECORD_KEY_ALIASES.error_type, ...RECORD_KEY_ALIASES.stack];

// Keys read into the record's own fields, so not repeated in `extra`.
const CORE_KEYS: ReadonlySet<string> = new Set(
  RECORD_KEYS.filter((key) => !SERVICE_FALLBACKS.includes(key) && !ERROR_DETAILS.includes(key)),
);

/**
 * Reads one parsed JSON value into a NormalizedRecord. Understands our format
 * (ISO `time`, upper-case `level`), Python `json.dumps` style (`timestamp`,
 * `WARNING`/`CRITICAL`, `message`), pino defaults (numeric `level`, epoch-ms `time`,
 * `name` as the service, `err` objects) and the other producers of RECORD_KEY_ALIASES.
 * A structlog record names its message `event`: an `event` that is no catalog event
 * is the message when there is no other. Unknown fields are kept in `extra`.
 */
export function normalizeRecord(value: unknown, options: NormalizeOptions = {}): NormalizeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'not_object' };
  }
  const obj = value as Record<string, unknown>;
  const time = parseTime(first(obj, RECORD_KEY_ALIASES.time), options.timeZone);
  if (time === undefined) return { ok: false, problem: 'no_time' };
  const level = normalizeLevel(first(obj, RECORD_KEY_ALIASES.level));
  if (level === undefined) return { ok: false, problem: 'no_level' };

  const extra: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!CORE_KEYS.has(key)) extra[key] = obj[key];
  }
  const serviceKey = RECORD_KEY_ALIASES.service.find((key) => asString(own(obj, key)) !== undefined);
  const named = serviceKey === undefined ? undefined : (obj[serviceKey] as string);
  if (serviceKey !== undefined && serviceKey !== 'service' && own(obj, 'service') === undefined) delete extra[serviceKey];
  const errorField = first(obj, RECORD_KEY_ALIASES.error);
  const error = errorText(errorField);
  // An `error` that gives no text (null, an object without a message) stays as written.
  if (error === undefined && own(obj, 'error') !== undefined) extra['error'] = obj['error'];
  const errorObject = isObject(errorField) ? errorField : undefined;
  const event = asString(own(obj, 'event'));

  return {
    ok: true,
    record: {
      time,
      level,
      service: named ?? options.defaultService ?? 'unknown',
      event,
      msg: asString(own(obj, 'msg')) ?? asString(own(obj, 'message')) ?? (event !== undefined && !isEventName(event) ? event : ''),
      request_id: asString(own(obj, 'request_id')),
      generation_id: asString(own(obj, 'generation_id')),
      prompt_id: asString(own(obj, 'prompt_id')),
      duration_ms: asNumber(own(obj, 'duration_ms')),
      error_code: asString(own(obj, 'error_code')),
      error,
      error_type: asString(own(obj, 'error_type')) ?? asString(errorObject?.['type']),
      stack: asString(errorObject?.['stack']) ?? asString(first(obj, RECORD_KEY_ALIASES.stack)),
      extra,
    },
  };
}

/** The value of the first of `keys` that is neither missing nor null (as `a ?? b`). */
function first(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  let value: unknown;
  for (const key of keys) {
    value = own(obj, key);
    if (value !== undefined && value !== null) return value;
  }
  return value;
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** pino serialises errors as `{type, message, stack}`; our format writes a string. */
function errorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isObject(value) ? asString(value['message']) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
