import { describe, expect, it } from 'vitest';
import { PostAttemptList } from './post-attempt-list.js';

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
});
