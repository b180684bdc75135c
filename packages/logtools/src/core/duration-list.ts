/**
 * A growable list of durations in milliseconds kept in a Float64Array (8 bytes per
 * value, no per-value objects), so exact percentiles stay cheap for millions of values.
 */
export class DurationList {
  private values: Float64Array;
  private size = 0;
  private total = 0;

  constructor(capacity = 1024) {
    this.values = new Float64Array(Math.max(16, capacity));
  }

  /** Number of values. */
  get count(): number {
    return this.size;
  }

  /** Sum of the values, in ms. */
  get sum(): number {
    return this.total;
  }

  /** Appends one duration (ms). */
  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
    this.total += ms;
  }

  /** Appends every value of another list. */
  addAll(other: DurationList): void {
    for (const v of other.view()) this.add(v);
  }

  /** The values in insertion order (a view; do not keep it across add()). */
  view(): Float64Array {
    return this.values.subarray(0, this.size);
  }

  /** A sorted copy of the values, ascending. */
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
}
