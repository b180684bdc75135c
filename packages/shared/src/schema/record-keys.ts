/** The fields that link the records of one request: what `logtrace trace` follows. */
export const ID_FIELDS = ['request_id', 'generation_id', 'prompt_id'] as const;

/** One of ID_FIELDS. */
export type IdField = (typeof ID_FIELDS)[number];

/**
 * The keys a reader takes a record's core fields from, each field's keys in order of
 * preference: our names first, then other producers' — Python's `json.dumps` style
 * (`timestamp`, `message`), python-json-logger (`asctime`, `levelname`, `name`,
 * `exc_info`), structlog (`exception`), pino (`name`, `err`), ECS and others
 * (`@timestamp`, `ts`, `severity`, `log.level`, `logger`).
 */
export const RECORD_KEY_ALIASES = Object.freeze({
  time: ['time', 'timestamp', '@timestamp', 'ts', 'asctime'],
  level: ['level', 'levelname', 'severity', 'log.level'],
  service: ['service', 'name', 'logger'],
  event: ['event'],
  msg: ['msg', 'message'],
  request_id: ['request_id'],
  generation_id: ['generation_id'],
  prompt_id: ['prompt_id'],
  duration_ms: ['duration_ms'],
  error_code: ['error_code'],
  error: ['error', 'err'],
  error_type: ['error_type'],
  stack: ['stack', 'exc_info', 'exception'],
} as const);

/** A key of RECORD_KEY_ALIASES. */
export type RecordKey = (typeof RECORD_KEY_ALIASES)[keyof typeof RECORD_KEY_ALIASES][number];

/** Every key of RECORD_KEY_ALIASES, in that order (the scan kernel's slots follow it). */
export const RECORD_KEYS: readonly RecordKey[] = Object.freeze(Object.values(RECORD_KEY_ALIASES).flat());
