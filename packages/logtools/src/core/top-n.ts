/**
 * Keeps the `limit` largest items seen, by a numeric key, in a binary min-heap: memory
 * stays bounded however many items pass. Ties keep the earlier item.
 */
export class TopN<T> {
  private readonly heap: { key: number; seq: number; item: T }[] = [];
  private seq = 0;

  constructor(
    private readonly limit: number,
    private readonly keyOf: (item: T) => number,
  ) {}

  /** Offers one item. */
  add(item: T): void {
    if (this.limit <= 0) return;
    const entry = { key: this.keyOf(item), seq: this.seq++, item };
    if (this.heap.length < this.limit) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else if (this.less(this.heap[0] as typeof entry, entry)) {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  /** The kept items, largest key first (earlier first among equal keys). */
  items(): T[] {
    return [...this.heap].sort((a, b) => b.key - a.key || a.seq - b.seq).map((e) => e.item);
  }

  /** a ranks below b: smaller key, or same key and later. */
  private less(a: { key: number; seq: number }, b: { key: number; seq: number }): boolean {
    return a.key < b.key || (a.key === b.key && a.seq > b.seq);
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i] as never, this.heap[parent] as never)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.heap.length && this.less(this.heap[l] as never, this.heap[smallest] as never)) smallest = l;
      if (r < this.heap.length && this.less(this.heap[r] as never, this.heap[smallest] as never)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a] as (typeof this.heap)[number];
    this.heap[a] = this.heap[b] as (typeof this.heap)[number];
    this.heap[b] = t;
  }
}
