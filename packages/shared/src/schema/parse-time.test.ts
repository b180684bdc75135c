import { describe, expect, it } from 'vitest';
import { formatTime, parseTime } from './parse-time.js';

const T = Date.UTC(2026, 10, 28, 5, 3, 21, 123);

describe('parseTime', () => {
  it.each([
    ['2026-11-28T05:03:21.123Z', T],
    ['2026-11-28T05:03:21.123000', T],
    ['2026-11-28T05:03:21.123456', T + 456 / 1000],
    ['2026-11-28T05:03:21.123456+00:00', T + 456 / 1000],
    ['2026-11-28T05:03:21.123456789Z', T + 456789 / 1e6],
    ['2026-11-28T06:03:21.123+01:00', T],
    ['2026-11-28 05:03:21,123', T],
    ['2026-11-28T05:03:21Z', T - 123],
    [T, T],
    [T / 1000, T],
    [T * 1000, T],
    [T * 1_000_000, T],
  ] as const)('reads %j', (input, expected) => {
    expect(parseTime(input)).toBe(expected);
  });

  it.each([['yesterday'], ['2026-13-99'], [''], [null], [Number.NaN], [0], ['1795843296']])('rejects %j', (input) => {
    expect(parseTime(input)).toBeUndefined();
  });

  it('round-trips with formatTime, microseconds included when the time has them', () => {
    expect(parseTime(formatTime(T))).toBe(T);
    expect(formatTime(T)).toBe('2026-11-28T05:03:21.123Z');
    expect(formatTime(T + 0.456)).toBe('2026-11-28T05:03:21.123456Z');
    expect(formatTime(T + 0.0004)).toBe('2026-11-28T05:03:21.123Z');
    expect(formatTime(T + 0.9996)).toBe('2026-11-28T05:03:21.124Z');
    expect(parseTime(formatTime(T + 0.456))).toBe(T + 0.456);
  });

  it('keeps lines of the same millisecond in their order', () => {
    const times = ['2026-11-28T05:03:21.939902', '2026-11-28T05:03:21.939792'].map((t) => parseTime(t) ?? 0);
    expect(times[1]).toBeLessThan(times[0] ?? 0);
  });
});
