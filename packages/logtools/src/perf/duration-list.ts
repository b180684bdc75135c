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

  /**
   * A list of all the values of `arrays`, in order, sized for them at once: fresh
   * memory is slow to touch on some machines (3 ms a MB measured here), so merging
   * partial lists does not grow one by doubling.
   */
  static concat(arrays: readonly Float64Array[]): DurationList {
    const list = new DurationList(arrays.reduce((n, a) => n + a.length, 0));
    for (const values of arrays) list.addValues(values);
    return list;
  }

  /** Appends every value of an array, in order. */
  addValues(values: Float64Array): void {
    if (this.size + values.length > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, this.size + values.length));
      grown.set(this.values.subarray(0, this.size));
      this.values = grown;
    }
    this.values.set(values, this.size);
    this.size += values.length;
    // Summed one by one, in order, so the total is the one add() would give.
    let total = this.total;
    for (let i = 0; i < values.length; i++) total += values[i] ?? 0;
    this.total = total;
  }

  /** The values in insertion order, until sort() (a view; do not keep it across add()). */
  view(): Float64Array {
    return this.values.subarray(0, this.size);
  }

  /** Sorts the values ascending, in place (insertion order is lost), and returns them (a view). */
  sort(): Float64Array {
    const values = this.values.subarray(0, this.size);
    if (this.size >= RADIX_MIN && values.every(isUint32)) radixSort(values);
    else values.sort();
    return values;
  }
}

/** Below this many values the built-in sort is as quick. */
const RADIX_MIN = 4096;

function isUint32(v: number): boolean {
  return v >= 0 && v <= 0xffffffff && Math.floor(v) === v;
}

/**
 * Sorts whole milliseconds in place by counting passes over digits of at most 11 bits (two
 * passes for durations under 70 minutes: linear time, small cache-friendly counts),
 * several times quicker than comparison sorting for the millions of durations of a
 * large log.
 */
function radixSort(values: Float64Array): void {
  const n = values.length;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, values[i] ?? 0);
  const bits = Math.max(1, Math.ceil(Math.log2(max + 1)));
  const passes = Math.ceil(bits / 11);
  const width = Math.ceil(bits / passes);
  const mask = (1 << width) - 1;
  if (scratch.length < 2 * n) scratch = new Uint32Array(2 * n);
  let from = scratch.subarray(0, n);
  let to = scratch.subarray(n, 2 * n);
  from.set(values);
  const counts = new Uint32Array(mask + 1);
  for (let pass = 0, shift = 0; pass < passes; pass++, shift += width) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = ((from[i] ?? 0) >>> shift) & mask;
      counts[d] = (counts[d] ?? 0) + 1;
    }
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d] ?? 0;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = from[i] ?? 0;
      const d = (v >>> shift) & mask;
      const at = counts[d] ?? 0;
      counts[d] = at + 1;
      to[at] = v;
    }
    [from, to] = [to, from];
  }
  values.set(from);
}

/** The two digit-pass buffers of radixSort, kept for the next sort (fresh memory is the slow part). */
let scratch = new Uint32Array(0);
