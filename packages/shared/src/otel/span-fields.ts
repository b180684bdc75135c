import type { SpanAttributeValue, SpanEventSpec, SpanSourceRecord, SpanSpec } from './span-spec.js';

// Small readers of log records shared by the span mappings.

/** Status ERROR and an `exception` event (type from error_code, message from error) when `isError`. */
export function failed(
  isError: boolean,
  record: SpanSourceRecord | undefined,
  atMs: number,
): { status: SpanSpec['status']; events: SpanEventSpec[] } {
  if (!isError) return { status: { code: 'unset' }, events: [] };
  const type = str(record?.fields['error_code']) ?? str(record?.fields['event']) ?? record?.event ?? 'error';
  const message = str(record?.fields['error']) ?? str(record?.fields['msg']) ?? type;
  return {
    status: { code: 'error', message },
    events: [{ name: 'exception', timeMs: record?.time ?? atMs, attributes: { 'exception.type': type, 'exception.message': message } }],
  };
}

/** The first record of an event. */
export function find(records: readonly SpanSourceRecord[], event: string): SpanSourceRecord | undefined {
  return records.find((r) => r.event === event);
}

/** A non-empty string field, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A finite number field, else the fallback. */
export function num<D extends number | undefined>(value: unknown, fallback: D): number | D {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The attributes whose value is defined. */
export function compact(attributes: Record<string, SpanAttributeValue | undefined>): Record<string, SpanAttributeValue> {
  const kept: Record<string, SpanAttributeValue> = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}
