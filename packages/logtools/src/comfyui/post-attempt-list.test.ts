import { describe, expect, it } from 'vitest';
import { hashId, PostAttemptList } from './post-attempt-list.js';

describe('PostAttemptList', () => {
  it('sorts into POST order and knows which attempts ran', () => {
    const list = new PostAttemptList();
    for (let i = 0; i < 3000; i++) {
      // Added out of time order, as several files would add them.
      const time = (i * 7919) % 3000;
      list.add(time, i, time % 3 !== 0, `prompt-${time}`);
    }
    list.markDequeued(new Set(['prompt-1', 'prompt-2999', 'not-there']));
    list.sort();
    expect(list.length).toBe(3000);
    expect(Array.from({ length: 5 }, (_, i) => list.time(i))).toEqual([0, 1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4].map((i) => list.runs(i))).toEqual([false, false, true, false, true]);
    expect(list.runs(2999)).toBe(false);
    expect(list.runs(2998)).toBe(true);
    expect(list.orderOf(0)).toBe(0);
  });

  it('keeps input order among equal times', () => {
    const list = new PostAttemptList();
    list.add(5, 2, true, undefined);
    list.add(5, 1, false, undefined);
    list.sort();
    expect([list.orderOf(0), list.orderOf(1)]).toEqual([1, 2]);
  });

  it('passes attempts between threads as arrays, and joins units with their order bases', () => {
    // Two scan units, their attempts numbered by line from the unit's start.
    const units = [0, 1].map((u) => {
      const unit = new PostAttemptList(1);
      for (let line = 0; line < 1500; line++)
        unit.addHashed(u * 10_000 + line, line, line % 2 === 0, line % 5 === 0 ? -1 : hashId(`p-${u}-${line}`));
      return unit.toArrays();
    });
    expect(units[0]?.times.length).toBe(1500);
    const joined = PostAttemptList.concat(units.map((arrays, u) => ({ arrays, orderBase: u * 1_000_000 })));
    joined.markDequeued(new Set(['p-1-2']));
    expect(joined.length).toBe(3000);
    expect([0, 1, 1500, 2999].map((i) => [joined.time(i), joined.orderOf(i)])).toEqual([
      [0, 0],
      [1, 1],
      [10_000, 1_000_000],
      [11_499, 1_001_499],
    ]);
    // Accepted on even lines; line 2 of the second unit was taken out of the queue.
    expect([0, 1, 1500, 1502, 1504].map((i) => joined.runs(i))).toEqual([true, false, true, false, true]);

    // Appending past the capacity grows the arrays.
    const small = new PostAttemptList(2);
    for (const arrays of units) small.addArrays(arrays, 0);
    expect(small.length).toBe(3000);
    expect(small.time(2999)).toBe(11_499);
  });
});
