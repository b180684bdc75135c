import { describe, expect, it } from 'vitest';
import { formatTime, parseTime } from './parse-time.js';

const T = Date.UTC(2026, 10, 28, 5, 3, 21, 123);

describe('parseTime', () => {
  it.each([
    ['2026-11-28T05:03:21.123Z', T],
    ['2026-11-28T05:03:21.123456', T],
    ['2026-11-28T05:03:21.123456+00:00', T],
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

  it.each([['yesterday'], ['2026-13-99'], [''], [null], [Number.NaN], [0], ['1795843296']])(
    'rejects %j',
    (input) => {
      expect(parseTime(input)).toBeUndefined();
    },
  );

  it('round-trips with formatTime', () => {
    expect(parseTime(formatTime(T))).toBe(T);
    expect(formatTime(T)).toBe('2026-11-28T05:03:21.123Z');
  });
});
