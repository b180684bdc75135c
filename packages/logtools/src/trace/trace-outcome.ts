import { EVENT, LEVEL_RANK, type NormalizedRecord } from '@logtrace/shared/schema';

/** How a request ended. */
export type TraceOutcome = 'ok' | 'validation_error' | 'timeout' | 'error' | 'incomplete';

/**
 * The outcome of a request from its records: `validation_error` when the backend
 * rejected it, `timeout` when the backend gave up waiting (`timeout_error`), `error`
 * when any record is at ERROR or above or the response status is 4xx/5xx, `ok` when
 * a response was sent, `incomplete` when none was (still running, or a crash).
 */
export function traceOutcome(records: readonly NormalizedRecord[]): TraceOutcome {
  if (records.some((r) => r.event === EVENT.validation_error)) return 'validation_error';
  if (records.some((r) => r.event === EVENT.timeout_error)) return 'timeout';
  const response = records.find((r) => r.event === EVENT.response_sent);
  const status = response?.extra['status'];
  if (records.some((r) => LEVEL_RANK[r.level] >= LEVEL_RANK.ERROR)) return 'error';
  if (typeof status === 'number' && status >= 400) return 'error';
  return response === undefined ? 'incomplete' : 'ok';
}
