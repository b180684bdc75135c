// The log schema alone, without the logger: what readers such as logtrace import, so
// they do not load pino at startup.
export { LEVELS, LEVEL_RANK, LEVEL_ALIASES, isLevel, normalizeLevel, isAtLeast, type Level } from './levels.js';
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
} from './event-catalog.js';
export { parseTime, formatTime, subMilliseconds } from './parse-time.js';
export { LOCAL_ZONE, machineTimeZone, resolveTimeZone, UTC_ZONE, type TimeZone } from './time-zone.js';
export { ID_FIELDS, RECORD_KEY_ALIASES, RECORD_KEYS, type IdField, type RecordKey } from './record-keys.js';
export { EVENT, POST_ATTEMPT_EVENTS } from './event-names.js';
export { formatStamp, STAMP_PATTERN, STAMP_SEPARATOR } from './comfyui-stamp.js';
export {
  normalizeRecord,
  type NormalizedRecord,
  type NormalizeResult,
  type NormalizeOptions,
  type RecordProblem,
} from './normalize-record.js';
export { checkRecord } from './check-record.js';
export { isUuidV4, parseIncomingId } from './uuid-format.js';
