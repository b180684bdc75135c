import { MinHeap } from '../core/min-heap.js';

interface Entry<T> {
  readonly time: number;
  readonly seq: number;
  readonly item: T;
}

/**
 * Items ordered by time, equal times in insertion order: lets the generator compute
 * a whole request at once and still append every file in time order.
 */
export class TimedQueue<T> {
  private readonly heap = new MinHeap<Entry<T>>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  private seq = 0;

  /** Number of queued items. */
  get size(): number {
    return this.heap.size;
  }

  push(time: number, item: T): void {
    this.heap.push({ time, seq: this.seq++, item });
  }

  /** Removes and returns, in order, every item with time < `limit`. */
  popBefore(limit: number): { time: number; item: T }[] {
    const out: { time: number; item: T }[] = [];
    for (let top = this.heap.peek(); top !== undefined && top.time < limit; top = this.heap.peek()) {
      this.heap.pop();
      out.push({ time: top.time, item: top.item });
    }
    return out;
  }
}
