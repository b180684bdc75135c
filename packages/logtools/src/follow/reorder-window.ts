import { MinHeap } from '../core/min-heap.js';

/** One item held for reordering. */
interface Held<T> {
  readonly item: T;
  /** Sort key, epoch ms (the record's time, or its arrival when it has none). */
  readonly time: number;
  /** When it arrived, epoch ms (-Infinity for history: due at once). */
  readonly arrival: number;
  /** Arrival order, the tie-break: equal times keep the order they came in. */
  readonly seq: number;
}

/**
 * Merges lines that arrive from several files by their time, holding each at most
 * `windowMs` after it arrived (a bounded reorder window). At each release, the latest
 * time among the lines held long enough is the watermark: every held line at or before
 * it comes out, in time order. A line that arrives later than `windowMs` behind the
 * others comes out at once, out of order (`late` counts them). Pure: the clock is passed in.
 */
export class ReorderWindow<T> {
  /** Lines released out of time order (they arrived after a later line had been released). */
  late = 0;
  private readonly byTime = new MinHeap<Held<T>>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  private readonly byArrival: Held<T>[] = [];
  private arrivalStart = 0;
  private seq = 0;
  private released = -Infinity;
  private readonly gone = new Set<number>();

  constructor(private readonly windowMs: number) {}

  /** Number of lines held. */
  get size(): number {
    return this.byTime.size;
  }

  /** Holds a line that arrived at `arrival` (epoch ms) with time `time` (NaN: use its arrival). */
  push(item: T, time: number, arrival: number): void {
    const held = { item, time: Number.isFinite(time) ? time : arrival, arrival, seq: this.seq++ };
    this.byTime.push(held);
    this.byArrival.push(held);
  }

  /** The lines due at `now`, in time order. */
  release(now: number): T[] {
    let watermark = -Infinity;
    while (this.arrivalStart < this.byArrival.length) {
      const held = this.byArrival[this.arrivalStart] as Held<T>;
      if (this.gone.has(held.seq)) {
        this.gone.delete(held.seq);
        this.arrivalStart++;
        continue;
      }
      if (held.arrival + this.windowMs > now) break;
      watermark = Math.max(watermark, held.time);
      this.arrivalStart++;
    }
    if (this.arrivalStart > 1024 && this.arrivalStart * 2 > this.byArrival.length) {
      this.byArrival.splice(0, this.arrivalStart);
      this.arrivalStart = 0;
    }
    const out: T[] = [];
    for (let top = this.byTime.peek(); top !== undefined && top.time <= watermark; top = this.byTime.peek()) {
      this.byTime.pop();
      // Released ahead of its turn in the arrival queue: skip it there later.
      if (top.arrival + this.windowMs > now) this.gone.add(top.seq);
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
    this.byArrival.length = 0;
    this.arrivalStart = 0;
    this.gone.clear();
    return out;
  }

  /** Epoch ms at which the next line falls due, or undefined when none is held. */
  nextDue(): number | undefined {
    for (let i = this.arrivalStart; i < this.byArrival.length; i++) {
      const held = this.byArrival[i] as Held<T>;
      if (!this.gone.has(held.seq)) return held.arrival + this.windowMs;
    }
    return undefined;
  }
}
