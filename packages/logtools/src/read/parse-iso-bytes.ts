import { parseTime, subMilliseconds, type TimeZone } from '@logtrace/shared/schema';
import { latin1 } from './latin1.js';

let cachedDay = -1;
let cachedDayMs = 0;

/**
 * parseTime of the text bytes[p, end), read from the bytes when it has the common
 * shapes (`2026-11-28T05:03:21.123Z`, Python's zone-less microseconds), with the
 * day's start cached; any other form goes to parseTime itself. Date.UTC is linear in
 * hours, minutes, seconds and ms, so the sum equals parseTime's result exactly. A time
 * without a zone is a wall-clock time in `zone` (default UTC), as parseTime reads it.
 */
export function parseIsoBytes(bytes: Buffer, p: number, end: number, zone?: TimeZone): number | undefined {
  const len = end - p;
  const sep = bytes[p + 10];
  if (
    len < 19 ||
    bytes[p + 4] !== 0x2d ||
    bytes[p + 7] !== 0x2d ||
    (sep !== 0x54 && sep !== 0x20) ||
    bytes[p + 13] !== 0x3a ||
    bytes[p + 16] !== 0x3a
  ) {
    return parseTime(latin1(bytes, p, end), zone);
  }
  const y1 = twoDigits(bytes, p);
  const y2 = twoDigits(bytes, p + 2);
  const mo = twoDigits(bytes, p + 5);
  const day = twoDigits(bytes, p + 8);
  const h = twoDigits(bytes, p + 11);
  const mi = twoDigits(bytes, p + 14);
  const sec = twoDigits(bytes, p + 17);
  if ((y1 | y2 | mo | day | h | mi | sec) < 0) return parseTime(latin1(bytes, p, end), zone);
  let q = p + 19;
  let ms = 0;
  let sub = 0;
  if (q < end && (bytes[q] === 0x2e || bytes[q] === 0x2c)) {
    q++;
    const first = q;
    for (let c = (bytes[q] ?? 0) - 0x30; q < end && c >= 0 && c <= 9; c = (bytes[q] ?? 0) - 0x30) {
      if (q - first < 3) ms = ms * 10 + c;
      q++;
    }
    const digits = q - first;
    if (digits === 0 || digits > 9) return parseTime(latin1(bytes, p, end), zone);
    if (digits === 1) ms *= 100;
    else if (digits === 2) ms *= 10;
    else if (digits > 3) sub = subMilliseconds(latin1(bytes, first, q));
  }
  const zoned = q < end && (bytes[q] === 0x5a || bytes[q] === 0x7a);
  if (zoned) q++;
  if (q !== end) return parseTime(latin1(bytes, p, end), zone);
  const dayKey = ((y1 * 100 + y2) * 100 + mo) * 100 + day;
  if (dayKey !== cachedDay) {
    const base = Date.UTC(y1 * 100 + y2, mo - 1, day);
    if (!Number.isFinite(base)) return undefined;
    cachedDay = dayKey;
    cachedDayMs = base;
  }
  const time = cachedDayMs + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms + sub;
  return zoned || zone === undefined || zone.utc ? time : zone.fromWallClock(time);
}

/** The two ASCII digits at bytes[at, at + 2) as a number, or -1. */
function twoDigits(bytes: Buffer, at: number): number {
  const a = (bytes[at] ?? 0) - 0x30;
  const b = (bytes[at + 1] ?? 0) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
