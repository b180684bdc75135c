import { parseTime } from '@logtrace/shared/schema';
import type { SpanSourceRecord } from '@logtrace/shared/otel';
import type { TraceEvent } from '../core/to-event.js';

/**
 * A stitched trace's events (toEvent's shape: ISO `time`, `service`, `event` and every
 * other field) as the span mapping reads them. Events without a time or an event name
 * (another producer's lines) have no place in a span and are left out. Pure.
 */
export function toSpanRecords(events: readonly TraceEvent[]): SpanSourceRecord[] {
  const records: SpanSourceRecord[] = [];
  for (const event of events) {
    const time = parseTime(event['time']);
    const name = event['event'];
    const service = event['service'];
    if (time === undefined || typeof name !== 'string' || typeof service !== 'string') continue;
    records.push({ time, service, event: name, fields: event });
  }
  return records;
}
