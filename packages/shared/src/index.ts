export { LEVELS, LEVEL_RANK, isLevel, normalizeLevel, isAtLeast, type Level } from './schema/levels.js';
export {
  SERVICES,
  EVENT_CATALOG,
  EVENT_NAMES,
  FIELD_KINDS,
  isEventName,
  type ServiceName,
  type EventSpec,
  type EventName,
  type KnownFields,
  type FieldName,
  type RequiredFieldOf,
} from './schema/event-catalog.js';
export { parseTime, formatTime } from './schema/parse-time.js';
export {
  normalizeRecord,
  type NormalizedRecord,
  type NormalizeResult,
  type NormalizeOptions,
  type RecordProblem,
} from './schema/normalize-record.js';
export { checkRecord } from './schema/check-record.js';
export { newId, isUuidV4, parseIncomingId } from './ids.js';
export {
  createLogger,
  REDACT_PATHS,
  type ServiceLogger,
  type LoggerOptions,
  type LogBindings,
  type EventFields,
  type EventOptions,
} from './logger/create-logger.js';
export {
  createSafeDestination,
  type SafeDestination,
  type SafeDestinationOptions,
  type DestinationHealth,
} from './logger/safe-destination.js';
export { createEnvReader, ConfigError, type EnvReader } from './config/read-env.js';
