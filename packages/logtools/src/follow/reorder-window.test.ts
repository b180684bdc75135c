import { describe, expect, it } from 'vitest';
import { ReorderWindow } from './reorder-window.js';

describe('ReorderWindow', () => {
  it('holds each line for the window, then releases what arrived in time order', () => {
    const w = new ReorderWindow<string>(500);
    w.push('b', 1_010, 1_000);
    w.push('a', 1_005, 1_100);
    expect(w.release(1_400)).toEqual([]);
    expect(w.nextDue()).toBe(1_500);
    // b is due; a, which arrived later but is older, comes out first.
    expect(w.release(1_500)).toEqual(['a', 'b']);
    expect(w.size).toBe(0);
    expect(w.nextDue()).toBeUndefined();
    expect(w.late).toBe(0);
  });

  it('keeps a newer line held until its own time is due', () => {
    const w = new ReorderWindow<string>(500);
    w.push('old', 1_000, 1_000);
    w.push('new', 2_000, 1_200);
    expect(w.release(1_500)).toEqual(['old']);
    expect(w.release(1_699)).toEqual([]);
    expect(w.release(1_700)).toEqual(['new']);
  });

  it('releases history at once, sorted, with equal times in arrival order', () => {
    const w = new ReorderWindow<string>(500);
    w.push('x2', 20, -Infinity);
    w.push('x1', 10, -Infinity);
    w.push('y1', 10, -Infinity);
    expect(w.release(0)).toEqual(['x1', 'y1', 'x2']);
  });

  it('lets a line later than the window through at once and counts it', () => {
    const w = new ReorderWindow<string>(100);
    w.push('new', 5_000, 5_000);
    expect(w.release(5_100)).toEqual(['new']);
    w.push('stale', 4_000, 5_150);
    expect(w.release(5_250)).toEqual(['stale']);
    expect(w.late).toBe(1);
  });

  it('does not hold a line read late a further window: it is due a window after its own time', () => {
    const w = new ReorderWindow<string>(500);
    w.push('x', 1_000, 1_400);
    expect(w.nextDue()).toBe(1_500);
    expect(w.release(1_500)).toEqual(['x']);
  });

  it('holds a line stamped in the future (a clock ahead) a window after its arrival only', () => {
    const w = new ReorderWindow<string>(500);
    w.push('ahead', 60_000, 1_000);
    expect(w.release(1_500)).toEqual(['ahead']);
  });

  it('orders a line without a time by its arrival', () => {
    const w = new ReorderWindow<string>(100);
    w.push('timed', 1_050, 1_000);
    w.push('untimed', Number.NaN, 1_020);
    expect(w.release(2_000)).toEqual(['untimed', 'timed']);
  });
});
