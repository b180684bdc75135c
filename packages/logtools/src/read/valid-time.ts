/** The largest distance from the epoch a JavaScript Date can hold, ms (ECMA-262: 8.64e15). */
export const MAX_DATE_MS = 8.64e15;

/**
 * A record time (epoch ms, as parseTime gives it) that can be printed, or undefined:
 * parseTime accepts any finite epoch number, and `"time": 1e25` would make every
 * command fail formatting it. Such a line has no usable time (`no_time`).
 */
export function validTime(ms: number | undefined): number | undefined {
  return ms !== undefined && Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}
