import { MinHeap } from '../core/min-heap.js';

interface Entry<T> {
  readonly key: number;
  readonly seq: number;
  readonly item: T;
}

/**
 * Keeps the `limit` largest items seen, by a numeric key, in a min-heap: memory stays
 * bounded however many items pass. Ties keep the earlier item.
 */
export class TopN<T> {
  // The heap's top is the item to drop next: smallest key, latest among equal keys.
  private readonly heap = new MinHeap<Entry<T>>((a, b) => a.key < b.key || (a.key === b.key && a.seq > b.seq));
  private seq = 0;

  constructor(
    private readonly limit: number,
    private readonly keyOf: (item: T) => number,
  ) {}

  /** Offers one item. */
  add(item: T): void {
    if (this.limit <= 0) return;
    const entry = { key: this.keyOf(item), seq: this.seq++, item };
    const top = this.heap.peek();
    if (this.heap.size < this.limit) this.heap.push(entry);
    else if (top !== undefined && (top.key < entry.key || (top.key === entry.key && top.seq > entry.seq))) this.heap.replaceTop(entry);
  }

  /** The kept items, largest key first (earlier first among equal keys). */
  items(): T[] {
    return this.heap
      .toArray()
      .sort((a, b) => b.key - a.key || a.seq - b.seq)
      .map((e) => e.item);
  }
}
