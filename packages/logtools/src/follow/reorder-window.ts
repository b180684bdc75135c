import { MinHeap } from '../core/min-heap.js';

/** One item held for reordering. */
interface Held<T> {
  readonly item: T;
  /** Sort key, epoch ms (the record's time, or its arrival when it has none). */
  readonly time: number;
  /** When it may come out at the latest, epoch ms. */
  readonly due: number;
  /** Arrival order, the tie-break: equal times keep the order they came in. */
  readonly seq: number;
  /** Already released (ahead of its due time, by the watermark). */
  out: boolean;
}

/**
 * Merges lines that arrive from several files by their time, within a bounded reorder
 * window. A line is due `windowMs` after its own time, or after it arrived if that is
 * earlier (a time in the future, a clock ahead): so a line read late is not held a
 * further window, and none is held longer than the window. At each release, the latest
 * time among the due lines is the watermark: every held line at or before it comes out,
 * in time order. A line that arrives more than the window behind the lines already out
 * comes out at once, out of order (`late` counts them). Pure: the clock is passed in.
 */
export class ReorderWindow<T> {
  /** Lines released out of time order (they arrived after a later line had been released). */
  late = 0;
  private readonly byTime = new MinHeap<Held<T>>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  private readonly byDue = new MinHeap<Held<T>>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));
  private seq = 0;
  private released = -Infinity;

  constructor(private readonly windowMs: number) {}

  /** Number of lines held. */
  get size(): number {
    return this.byTime.size;
  }

  /** Holds a line that arrived at `arrival` (epoch ms; -Infinity for history, due at once) with time `time` (NaN: use its arrival). */
  push(item: T, time: number, arrival: number): void {
    const t = Number.isFinite(time) ? time : arrival;
    const held = { item, time: t, due: Math.min(arrival, t) + this.windowMs, seq: this.seq++, out: false };
    this.byTime.push(held);
    this.byDue.push(held);
  }

  /** The lines due at `now`, in time order (with any held line at or before the latest due one). */
  release(now: number): T[] {
    let watermark = -Infinity;
    for (let top = this.byDue.peek(); top !== undefined && (top.out || top.due <= now); top = this.byDue.peek()) {
      this.byDue.pop();
      if (!top.out) watermark = Math.max(watermark, top.time);
    }
    const out: T[] = [];
    for (let top = this.byTime.peek(); top !== undefined && top.time <= watermark; top = this.byTime.peek()) {
      this.byTime.pop();
      top.out = true;
      if (top.time < this.released) this.late++;
      else this.released = top.time;
      out.push(top.item);
    }
    return out;
  }

  /** Everything held, in time order (at the end). */
  drain(): T[] {
    const out: T[] = [];
    for (let top = this.byTime.pop(); top !== undefined; top = this.byTime.pop()) out.push(top.item);
    while (this.byDue.pop() !== undefined);
    return out;
  }

  /** Epoch ms at which the next line falls due, or undefined when none is held. */
  nextDue(): number | undefined {
    while (this.byDue.peek()?.out === true) this.byDue.pop();
    return this.byDue.peek()?.due;
  }
}
