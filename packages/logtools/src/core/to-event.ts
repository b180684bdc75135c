import { formatTime, ID_FIELDS, type NormalizedRecord } from '@logtrace/shared/schema';

/** A record's fields as trace events and `errors --no-group` show them: all of them. */
export type TraceEvent = Readonly<Record<string, unknown>>;

/** Nesting levels kept in an event's field values (printing walks them recursively). */
export const MAX_FIELD_DEPTH = 64;

/** What replaces a value nested deeper than MAX_FIELD_DEPTH. */
export const TOO_DEEP = `[nested deeper than ${MAX_FIELD_DEPTH} levels]`;

/**
 * A record as a plain object with every field, and `host` after `service` when the
 * record's host is known (recordHost: its own field, or its directory's when several
 * are read; it then stands for a record's own `host` field); null prototype, so a `__proto__` key
 * stays data. Values nested deeper than MAX_FIELD_DEPTH are cut there (TOO_DEEP):
 * JSON.stringify and the renderers recurse, and a line of a few kB can nest
 * thousands of levels.
 */
export function toEvent(record: NormalizedRecord, host?: string): TraceEvent {
  const event = Object.create(null) as Record<string, unknown>;
  event['time'] = formatTime(record.time);
  event['service'] = record.service;
  if (host !== undefined) event['host'] = host;
  event['event'] = record.event ?? null;
  event['level'] = record.level;
  event['msg'] = record.msg;
  for (const key of [...ID_FIELDS, 'duration_ms', 'error_code', 'error'] as const) {
    if (record[key] !== undefined) event[key] = record[key];
  }
  for (const key of Object.keys(record.extra)) {
    if (!(key in event)) event[key] = capDepth(record.extra[key], MAX_FIELD_DEPTH);
  }
  return event;
}

/** A parsed JSON value with whatever lies deeper than `levels` levels replaced by TOO_DEEP (the value itself when nothing does). */
function capDepth(value: unknown, levels: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (levels === 0) return TOO_DEEP;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const capped = capDepth(item, levels - 1);
      if (capped !== item) (copy ??= [...value])[i] = capped;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const capped = capDepth(item, levels - 1);
    if (capped === item) continue;
    // Null prototype: a `__proto__` key stays data.
    copy ??= Object.assign(Object.create(null) as Record<string, unknown>, value);
    copy[key] = capped;
  }
  return copy ?? value;
}
