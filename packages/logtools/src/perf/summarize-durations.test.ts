import { describe, expect, it } from 'vitest';
import { DurationList } from './duration-list.js';
import { nearestRank, summarizeDurations } from './summarize-durations.js';
import { TopN } from './top-n.js';

function listOf(values: readonly number[]): DurationList {
  const list = new DurationList(2);
  for (const v of values) list.add(v);
  return list;
}

describe('summarizeDurations', () => {
  it('uses nearest rank: the value at rank ceil(p/100 * n)', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200, shuffled below
    const shuffled = [...values].sort((a, b) => ((a * 7919) % 23) - ((b * 7919) % 23));
    const s = summarizeDurations(listOf(shuffled));
    expect(s).toEqual({
      count: 20,
      avg_ms: 105,
      min_ms: 10,
      p50_ms: 100, // rank 10
      p90_ms: 180, // rank 18
      p95_ms: 190, // rank 19
      p99_ms: 200, // rank ceil(19.8) = 20
      max_ms: 200,
    });
  });

  it('handles one value and no values', () => {
    expect(summarizeDurations(listOf([42]))).toMatchObject({ count: 1, p50_ms: 42, p99_ms: 42, avg_ms: 42 });
    expect(summarizeDurations(listOf([]))).toMatchObject({ count: 0, avg_ms: null, p95_ms: null });
  });

  it('agrees with a sort-based reference on random data', () => {
    let seed = 7;
    const values = Array.from({ length: 1001 }, () => {
      seed = (seed * 48271) % 2147483647;
      return seed % 100_000;
    });
    const sorted = Float64Array.from(values).sort();
    for (const p of [1, 50, 90, 95, 99, 99.9, 100]) {
      expect(nearestRank(sorted, p)).toBe([...values].sort((a, b) => a - b)[Math.ceil((p / 100) * 1001) - 1]);
    }
  });
});

describe('DurationList', () => {
  /** Pseudo-random whole milliseconds (and fractions when `fractions`). */
  function randomValues(n: number, seed: number, max: number, fractions = false): number[] {
    let x = seed;
    return Array.from({ length: n }, () => {
      x = (x * 48271) % 2147483647;
      return (x % max) + (fractions ? 0.25 : 0);
    });
  }

  it('sorts in place, by radix passes for many whole ms and by comparison otherwise, reusing its buffers', () => {
    // Large then small then large again: the digit buffers kept from a larger sort must not leak into a smaller one.
    for (const [n, max, fractions] of [
      [50_000, 5_000_000, false],
      [5000, 300, false],
      [4095, 90_000, false],
      [20_000, 90_000, true],
      [70_000, 2 ** 32 - 1, false],
    ] as const) {
      const values = randomValues(n, n + 1, max, fractions);
      const list = DurationList.concat([Float64Array.from(values.slice(0, 10)), Float64Array.from(values.slice(10))]);
      const sum = list.sum;
      const sorted = list.sort();
      expect(Array.from(sorted)).toEqual([...values].sort((a, b) => a - b));
      expect(list.view()).toEqual(sorted);
      expect(list.count).toBe(n);
      expect(list.sum).toBe(sum);
    }
  });

  it('concatenates in order with the total add() would give', () => {
    const parts = [Float64Array.of(0.1, 0.2), Float64Array.of(), Float64Array.of(0.3)];
    const byAdd = listOf([0.1, 0.2, 0.3]);
    const list = DurationList.concat(parts);
    expect(Array.from(list.view())).toEqual([0.1, 0.2, 0.3]);
    expect(list.sum).toBe(byAdd.sum);
    list.add(4);
    expect(list.count).toBe(4);
  });
});

describe('TopN', () => {
  it('keeps the largest items, largest first, earlier first on ties', () => {
    const top = new TopN<{ v: number; id: string }>(3, (x) => x.v);
    for (const [v, id] of [
      [5, 'a'],
      [9, 'b'],
      [1, 'c'],
      [9, 'd'],
      [7, 'e'],
      [9, 'f'],
    ] as const)
      top.add({ v, id });
    expect(top.items().map((x) => x.id)).toEqual(['b', 'd', 'f']);
    const zero = new TopN<number>(0, (x) => x);
    zero.add(1);
    expect(zero.items()).toEqual([]);
  });
});
