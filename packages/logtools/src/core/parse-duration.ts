import { UsageError } from '../logtrace-error.js';

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d|w)?$/i;

/**
 * Reads a duration given on the command line and returns milliseconds: `90s`, `2m`,
 * `1.5h`, `500ms`, `1d`, or a bare number of milliseconds (`60000`). Throws a
 * UsageError naming `option` for anything else.
 */
export function parseDuration(text: string, option: string): number {
  const m = DURATION.exec(text.trim());
  if (m === null) {
    throw new UsageError(`${option}: expected a duration such as 90s, 2m, 1h or 60000 (ms), got "${text}"`);
  }
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Math.round(Number(m[1]) * (UNIT_MS[unit] ?? 1));
}
