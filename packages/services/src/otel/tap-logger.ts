import type { LogBindings, ServiceLogger } from '@logtrace/shared';
import type { SpanSourceRecord } from '@logtrace/shared/otel';

/** Records a tapped logger collected, at most this many per request (a stuck prompt's polls must not grow it without end). */
export const MAX_TAPPED_RECORDS = 2000;

/**
 * A logger that writes as `logger` does and also keeps each event, with its bindings,
 * fields and time, in `records`: what the span mapping reads when the request ends.
 * Children share the list. Used only while spans are exported.
 */
export function tapLogger(
  logger: ServiceLogger,
  service: string,
  bindings: Readonly<Record<string, unknown>>,
  records: SpanSourceRecord[],
  now: () => number = Date.now,
): ServiceLogger {
  return {
    event(name, fields, options) {
      // The clock is read before the write, as the logger reads it: a slow disk must not
      // push the record's time (hence a span's edge) past the time on its line.
      const time = now();
      logger.event(name, fields, options);
      if (records.length < MAX_TAPPED_RECORDS) records.push({ time, service, event: name, fields: { ...bindings, ...fields } });
    },
    child: (more: LogBindings) => tapLogger(logger.child(more), service, { ...bindings, ...more }, records, now),
    flush: () => logger.flush(),
    reopen: () => logger.reopen(),
    health: () => logger.health(),
    pino: logger.pino,
  };
}
