import { parseTime } from '@logtrace/shared/schema';
import { UsageError } from '../logtrace-error.js';
import { parseDuration } from './parse-duration.js';

/** A time range in epoch ms; either end may be open. `since` is inclusive, `until` exclusive. */
export interface TimeWindow {
  readonly since: number | undefined;
  readonly until: number | undefined;
}

/** The window with both ends open. */
export const ALL_TIME: TimeWindow = Object.freeze({ since: undefined, until: undefined });

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH = /^\d{10,16}$/;

/**
 * Reads a `--since`/`--until` value: ISO time (`2026-11-28T05:00:00Z`, zone-less means
 * UTC), a date (`2026-11-28`, midnight UTC), epoch seconds or milliseconds, or a time
 * relative to `now` (`2h`, `30m`, `90s`, `1d` ago). Returns epoch ms.
 */
export function parseTimeBound(text: string, option: string, now: number): number {
  const value = text.trim();
  if (DATE_ONLY.test(value)) return Date.parse(`${value}T00:00:00Z`);
  if (EPOCH.test(value)) {
    const epoch = parseTime(Number(value));
    if (epoch !== undefined) return epoch;
  }
  const iso = parseTime(value);
  if (iso !== undefined) return iso;
  try {
    return now - parseDuration(value.replace(/^-/, ''), option);
  } catch {
    throw new UsageError(
      `${option}: expected an ISO time (2026-11-28T05:00:00Z), a date, or a relative time such as 2h or 30m, got "${text}"`,
    );
  }
}

/** Builds a window from the two options, checking that it is not empty. */
export function createTimeWindow(since: string | undefined, until: string | undefined, now: number): TimeWindow {
  const window = {
    since: since === undefined ? undefined : parseTimeBound(since, '--since', now),
    until: until === undefined ? undefined : parseTimeBound(until, '--until', now),
  };
  if (window.since !== undefined && window.until !== undefined && window.since >= window.until) {
    throw new UsageError('--since must be earlier than --until');
  }
  return window;
}

/** True when epoch-ms `time` lies in the window. */
export function isInWindow(time: number, window: TimeWindow): boolean {
  return (window.since === undefined || time >= window.since) && (window.until === undefined || time < window.until);
}

/** True when the window has at least one closed end. */
export function isBounded(window: TimeWindow): boolean {
  return window.since !== undefined || window.until !== undefined;
}
