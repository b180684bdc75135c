import { createTimeWindow } from '../core/time-window.js';
import { UsageError } from '../logtrace-error.js';
import { chooseSlot } from './overview-charts.js';

/** The window a page shows when none is asked for: the last day of data, ms. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** The window a view covers: ISO bounds, the slot width of its charts, and the data's latest time. */
export interface ViewWindow {
  readonly since: string;
  readonly until: string | null;
  /** Width of the chart slots, ms. */
  readonly slot_ms: number;
  /** Start of the first slot, epoch ms. */
  readonly start: number;
  readonly slots: number;
  /** Latest record time in the logs (relative windows count back from it), ISO. */
  readonly latest: string;
}

/**
 * The window of a page's `since` and `until` (the command-line forms): relative times
 * count back from `clock` (the data's latest record), the last day of data when
 * `since` is not given; a window longer than `maxWindowMs` is a UsageError saying so.
 */
export function windowBounds(since: string | undefined, until: string | undefined, clock: number, maxWindowMs: number): WindowBounds {
  const asked = createTimeWindow(since, until, clock);
  const end = asked.until ?? clock + 1;
  const start = asked.since ?? end - DEFAULT_WINDOW_MS;
  if (start >= end) throw new UsageError('since: the window ends before it starts (no data after it)');
  if (end - start > maxWindowMs) {
    throw new UsageError(
      `the window covers ${formatSpan(end - start)}, more than the ${formatSpan(maxWindowMs)} one page may read ` +
        '(narrow since/until, or start the server with a larger --max-window)',
    );
  }
  return { since: start, end, until: asked.until, latest: clock };
}

/** A window's ends, epoch ms: since (inclusive), end (exclusive: until, else just after the latest record). */
export interface WindowBounds {
  readonly since: number;
  readonly end: number;
  readonly until: number | undefined;
  readonly latest: number;
}

/** The ViewWindow of a window whose data starts at `firstMinute` (epoch ms; Infinity without data): its charts span the data, not the empty hours before it. */
export function slotWindow(bounds: WindowBounds, firstMinute: number): ViewWindow {
  const from = Number.isFinite(firstMinute) ? Math.max(bounds.since, firstMinute) : bounds.since;
  const slot = chooseSlot(bounds.end - from);
  const start = Math.floor(from / slot) * slot;
  return {
    since: new Date(bounds.since).toISOString(),
    until: bounds.until === undefined ? null : new Date(bounds.until).toISOString(),
    slot_ms: slot,
    start,
    slots: Math.max(1, Math.ceil((bounds.end - start) / slot)),
    latest: new Date(bounds.latest).toISOString(),
  };
}

/** The earliest minute any error group was seen in (epoch ms), or Infinity. */
export function firstErrorMinute(minutes: ReadonlyMap<string, ReadonlyMap<number, number>>): number {
  let first = Infinity;
  for (const group of minutes.values()) for (const minute of group.keys()) first = Math.min(first, minute);
  return first;
}

function formatSpan(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${Math.round(hours / 24)} d` : `${Math.round(hours * 10) / 10} h`;
}
