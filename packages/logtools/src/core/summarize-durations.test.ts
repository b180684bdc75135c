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

describe('TopN', () => {
  it('keeps the largest items, largest first, earlier first on ties', () => {
    const top = new TopN<{ v: number; id: string }>(3, (x) => x.v);
    for (const [v, id] of [[5, 'a'], [9, 'b'], [1, 'c'], [9, 'd'], [7, 'e'], [9, 'f']] as const) top.add({ v, id });
    expect(top.items().map((x) => x.id)).toEqual(['b', 'd', 'f']);
    const zero = new TopN<number>(0, (x) => x);
    zero.add(1);
    expect(zero.items()).toEqual([]);
  });
});
