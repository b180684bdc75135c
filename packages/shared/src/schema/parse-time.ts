import type { TimeZone } from './time-zone.js';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Reads a log time written by any supported producer and returns epoch milliseconds,
 * or undefined when the value is not a time. The precision the value has is kept:
 * digits past the millisecond are a fraction (subMilliseconds), so lines of the same
 * millisecond keep their order.
 *
 * Strings: ISO-8601 / RFC 3339 with `T` or a space, `.` or `,` before the fraction;
 * a time without a zone is a wall-clock time in `zone` (default UTC: Python's
 * `datetime.utcnow().isoformat()`).
 * Numbers: epoch seconds, milliseconds, microseconds or nanoseconds, told apart by
 * magnitude (pino writes milliseconds).
 */
export function parseTime(value: unknown, zone?: TimeZone): number | undefined {
  if (typeof value === 'number') return parseEpoch(value);
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, written] = m;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!Number.isFinite(base)) return undefined;
  const time = base + subMilliseconds(frac ?? '');
  if (written === undefined) return zone === undefined || zone.utc ? time : zone.fromWallClock(time);
  return time - zoneOffsetMs(written);
}

/**
 * The part of a fraction of a second's digits past the millisecond, in ms: `123456` →
 * 0.456 (456 / 10^3). One exact division, so every reader of the digits (the scan
 * kernel's host side too) gets the same double.
 */
export function subMilliseconds(fractionDigits: string): number {
  const rest = fractionDigits.slice(3);
  return rest === '' || /^0*$/.test(rest) ? 0 : Number(rest) / 10 ** rest.length;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

function parseEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return value * 1000;
  if (value < 1e14) return value;
  if (value < 1e17) return value / 1000;
  return value / 1e6;
}

/**
 * Formats epoch milliseconds as the log format's time: ISO-8601 UTC with milliseconds,
 * and microseconds when the time has them (`2026-11-28T05:03:21.939792Z`).
 */
export function formatTime(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const micros = Math.round((epochMs - whole) * 1000);
  if (micros === 0 || micros === 1000) return new Date(micros === 0 ? whole : whole + 1).toISOString();
  return `${new Date(whole).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
