import { describe, expect, it } from 'vitest';
import { chooseSlot, countsPerSlot, histogram } from './overview-charts.js';

describe('histogram', () => {
  it('spreads sorted durations over equal bins, the maximum in the last', () => {
    const bins = histogram(Float64Array.from([0, 1, 5, 9, 10]), 2);
    expect(bins).toEqual([
      { from_ms: 0, to_ms: 5, count: 2 },
      { from_ms: 5, to_ms: 10, count: 3 },
    ]);
  });
  it('puts equal durations in one bin and nothing in none', () => {
    expect(histogram(Float64Array.from([7, 7]), 10)).toEqual([{ from_ms: 7, to_ms: 8, count: 2 }]);
    expect(histogram(new Float64Array(0), 10)).toEqual([]);
  });
});

describe('countsPerSlot', () => {
  it('adds minutes into wider slots and leaves out those outside', () => {
    const minutes = new Map([
      [0, 1],
      [60_000, 2],
      [300_000, 4],
      [-60_000, 8],
    ]);
    expect(countsPerSlot(minutes, 0, 300_000, 2)).toEqual([3, 4]);
  });
});

describe('chooseSlot', () => {
  it('keeps to about 120 slots', () => {
    expect(chooseSlot(60 * 60_000)).toBe(60_000);
    expect(chooseSlot(24 * 3_600_000)).toBe(15 * 60_000);
  });
});
