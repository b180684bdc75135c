import { EVENT_CATALOG, FIELD_KINDS, SERVICES, isEventName, type FieldName } from './event-catalog.js';
import { isLevel } from './levels.js';
import { isUuidV4 } from './uuid-format.js';

const TIME_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Checks that a parsed line is exactly in the format our services write (docs/log-format.md "JSON-lines format"):
 * common fields, a catalog event at one of its levels, its required fields with the
 * right types. Returns every problem found; an empty list means the line conforms.
 */
export function checkRecord(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['not a JSON object'];
  }
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  const time = obj['time'];
  if (typeof time !== 'string' || !TIME_FORMAT.test(time)) {
    problems.push(`time: expected ISO-8601 UTC with milliseconds, got ${describe(time)}`);
  }
  const level = obj['level'];
  if (!isLevel(level)) problems.push(`level: expected DEBUG|INFO|WARN|ERROR|FATAL, got ${describe(level)}`);
  const service = obj['service'];
  if (typeof service !== 'string' || !(SERVICES as readonly string[]).includes(service)) {
    problems.push(`service: expected one of ${SERVICES.join('|')}, got ${describe(service)}`);
  }
  if (typeof obj['msg'] !== 'string') problems.push(`msg: expected a string, got ${describe(obj['msg'])}`);
  if (typeof obj['hostname'] !== 'string' || obj['hostname'] === '') {
    problems.push(`hostname: expected the machine's name, got ${describe(obj['hostname'])}`);
  }
  const event = obj['event'];
  if (!isEventName(event)) {
    problems.push(`event: expected a catalog event name, got ${describe(event)}`);
    return problems;
  }
  const spec = EVENT_CATALOG[event];
  if (spec.service !== 'any' && service !== spec.service) {
    problems.push(`service: ${event} is written by ${spec.service}, got ${describe(service)}`);
  }
  if (isLevel(level) && !spec.levels.includes(level)) {
    problems.push(`level: ${event} is written at ${spec.levels.join('|')}, got ${level}`);
  }
  for (const field of spec.required as readonly FieldName[]) {
    if (!Object.hasOwn(obj, field)) problems.push(`${field}: required by ${event}, missing`);
  }
  for (const field of Object.keys(FIELD_KINDS) as FieldName[]) {
    if (Object.hasOwn(obj, field) && !hasKind(obj[field], FIELD_KINDS[field])) {
      problems.push(`${field}: expected ${FIELD_KINDS[field]}, got ${describe(obj[field])}`);
    }
  }
  return problems;
}

function hasKind(value: unknown, kind: (typeof FIELD_KINDS)[FieldName]): boolean {
  switch (kind) {
    case 'uuid':
      return isUuidV4(value);
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
