/** A binary min-heap under a `before(a, b)` order (true when a comes out first). */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.at(i), this.at(parent))) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last !== undefined) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Replaces the first item (cheaper than pop + push). */
  replaceTop(item: T): void {
    this.items[0] = item;
    this.down(0);
  }

  /** The items in heap order (not sorted). */
  toArray(): T[] {
    return [...this.items];
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.before(this.at(l), this.at(m))) m = l;
      if (r < this.items.length && this.before(this.at(r), this.at(m))) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private at(i: number): T {
    return this.items[i] as T;
  }

  private swap(a: number, b: number): void {
    const t = this.at(a);
    this.items[a] = this.at(b);
    this.items[b] = t;
  }
}
