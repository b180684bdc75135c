import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_MS, slotWindow, windowBounds } from './view-window.js';

const CLOCK = Date.UTC(2026, 10, 28, 12, 0, 0);
const WEEK = 7 * 86_400_000;

describe('windowBounds', () => {
  it('is the last day of data by default, and counts relative times back from the latest record', () => {
    expect(windowBounds(undefined, undefined, CLOCK, WEEK)).toEqual({
      since: CLOCK + 1 - DEFAULT_WINDOW_MS,
      end: CLOCK + 1,
      until: undefined,
      latest: CLOCK,
    });
    expect(windowBounds('1h', undefined, CLOCK, WEEK).since).toBe(CLOCK - 3_600_000);
    expect(windowBounds('2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', CLOCK, WEEK)).toMatchObject({
      since: Date.UTC(2026, 10, 28, 10),
      end: Date.UTC(2026, 10, 28, 11),
    });
  });

  it('refuses a window longer than the limit, or one that ends before it starts, with the reason', () => {
    expect(() => windowBounds('30d', undefined, CLOCK, WEEK)).toThrow('the window covers 30 d, more than the 7 d one page may read');
    expect(() => windowBounds('1h', '2h', CLOCK, WEEK)).toThrow('--since must be earlier than --until');
    expect(() => windowBounds('2026-11-29', undefined, CLOCK, WEEK)).toThrow('the window ends before it starts');
  });
});

describe('slotWindow', () => {
  it('spans the data of the window, not its empty start, in minutes for under two hours of data', () => {
    const bounds = windowBounds(undefined, undefined, CLOCK, WEEK);
    const window = slotWindow(bounds, CLOCK - 40 * 60_000);
    expect(window).toMatchObject({ slot_ms: 60_000, start: CLOCK - 40 * 60_000, slots: 41, until: null });
    expect(slotWindow(bounds, Infinity)).toMatchObject({ slot_ms: 15 * 60_000, slots: 97 });
  });
});
