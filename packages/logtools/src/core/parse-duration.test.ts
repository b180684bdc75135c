import { describe, expect, it } from 'vitest';
import { UsageError } from '../logtrace-error.js';
import { parseDuration } from './parse-duration.js';
import { createTimeWindow, isInWindow, parseTimeBound } from './time-window.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['60000', 60_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['2 H', 7_200_000],
    ['1d', 86_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--slow')).toBe(ms);
  });

  it.each(['', 'fast', '-5s', '5 parsecs', '1e3'])('rejects %j', (text) => {
    expect(() => parseDuration(text, '--slow')).toThrow(UsageError);
  });
});

describe('time bounds', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);

  it.each([
    ['2h', now - 7_200_000],
    ['30m', now - 1_800_000],
    ['-90s', now - 90_000],
    ['2026-11-28T05:03:21.123Z', Date.UTC(2026, 10, 28, 5, 3, 21, 123)],
    ['2026-11-28T05:03:21', Date.UTC(2026, 10, 28, 5, 3, 21)],
    ['2026-11-28', Date.UTC(2026, 10, 28)],
    ['1795842201123', 1795842201123],
    ['1795842201', 1795842201000],
  ])('reads %s', (text, expected) => {
    expect(parseTimeBound(text, '--since', now)).toBe(expected);
  });

  it('rejects nonsense and an empty window', () => {
    expect(() => parseTimeBound('yesterday-ish', '--since', now)).toThrow(/--since/);
    expect(() => createTimeWindow('1h', '2h', now)).toThrow(/earlier/);
  });

  it('includes since and excludes until', () => {
    const window = createTimeWindow('2026-11-28T05:00:00Z', '2026-11-28T06:00:00Z', now);
    expect(isInWindow(Date.UTC(2026, 10, 28, 5), window)).toBe(true);
    expect(isInWindow(Date.UTC(2026, 10, 28, 6), window)).toBe(false);
    expect(isInWindow(Date.UTC(2026, 10, 28, 4, 59, 59, 999), window)).toBe(false);
  });
});
