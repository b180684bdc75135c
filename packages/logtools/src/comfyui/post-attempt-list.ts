import type { PostAttempts } from './attribute-comfyui.js';

const ACCEPTED = 1;
const DEQUEUED = 2;

/** POST attempts as plain typed arrays, one entry per attempt (what a scan unit sends back). */
export interface PostAttemptArrays {
  readonly times: Float64Array;
  /** Input order keys, or whatever numbering the collector used (a unit's line numbers). */
  readonly orders: Float64Array;
  /** hashId of the prompt id, -1 for none. */
  readonly hashes: Float64Array;
  /** 1 when ComfyUI queued the prompt, else 0. */
  readonly accepted: Uint8Array;
}

/**
 * POST attempts collected while scanning, in typed arrays (25 bytes per attempt, no
 * objects): a gigabyte of logs has hundreds of thousands. Prompt ids are kept as
 * 53-bit hashes, only to match a later "taken out of the queue" line.
 */
export class PostAttemptList implements PostAttempts {
  private times: Float64Array;
  private orders: Float64Array;
  private hashes: Float64Array;
  private flags: Uint8Array;
  private size = 0;

  /**
   * `capacity`: attempts before the arrays grow. Growing is costly here (fresh memory
   * is paged in: doubling up to 270 000 attempts took 40 ms), so give the count when it is known.
   */
  constructor(capacity = 1024) {
    const n = Math.max(1, capacity);
    this.times = new Float64Array(n);
    this.orders = new Float64Array(n);
    this.hashes = new Float64Array(n);
    this.flags = new Uint8Array(n);
  }

  /** The attempts of several scan units, in the order given, in one list sized for them all. */
  static concat(parts: readonly { readonly arrays: PostAttemptArrays; readonly orderBase: number }[]): PostAttemptList {
    const list = new PostAttemptList(parts.reduce((n, p) => n + p.arrays.times.length, 0));
    for (const { arrays, orderBase } of parts) list.addArrays(arrays, orderBase);
    return list;
  }

  /** Number of attempts. */
  get length(): number {
    return this.size;
  }

  /** Adds one attempt: its time (epoch ms), input order key, whether it was accepted, and its prompt id. */
  add(time: number, order: number, accepted: boolean, promptId: string | undefined): void {
    this.addHashed(time, order, accepted, promptId === undefined ? -1 : hashId(promptId));
  }

  /** add() with the prompt id already hashed by hashId (-1 for none). */
  addHashed(time: number, order: number, accepted: boolean, promptHash: number): void {
    if (this.size === this.times.length) this.grow();
    this.times[this.size] = time;
    this.orders[this.size] = order;
    this.hashes[this.size] = promptHash;
    this.flags[this.size] = accepted ? ACCEPTED : 0;
    this.size++;
  }

  /** Copies of the attempts added so far, in the order they were added. */
  toArrays(): PostAttemptArrays {
    const n = this.size;
    return {
      times: this.times.slice(0, n),
      orders: this.orders.slice(0, n),
      hashes: this.hashes.slice(0, n),
      accepted: this.flags.slice(0, n).map((f) => f & ACCEPTED),
    };
  }

  /** Adds every attempt of `arrays`, with `orderBase` added to its `orders` entry to make its input order key. */
  addArrays(arrays: PostAttemptArrays, orderBase: number): void {
    const n = arrays.times.length;
    while (this.size + n > this.times.length) this.grow();
    this.times.set(arrays.times, this.size);
    this.hashes.set(arrays.hashes, this.size);
    this.flags.set(arrays.accepted, this.size);
    for (let i = 0; i < n; i++) this.orders[this.size + i] = orderBase + (arrays.orders[i] ?? 0);
    this.size += n;
  }

  /** Marks the attempts of these prompt ids as taken out of the queue (they never ran). */
  markDequeued(promptIds: ReadonlySet<string>): void {
    if (promptIds.size === 0) return;
    const hashes = new Set([...promptIds].map(hashId));
    for (let i = 0; i < this.size; i++) if (hashes.has(this.hashes[i] ?? -1)) this.flags[i] = (this.flags[i] ?? 0) | DEQUEUED;
  }

  /** Sorts the attempts into POST order: by time, then input order. */
  sort(): void {
    if (this.isSorted()) return;
    const index = Array.from({ length: this.size }, (_, i) => i);
    index.sort((a, b) => (this.times[a] ?? 0) - (this.times[b] ?? 0) || (this.orders[a] ?? 0) - (this.orders[b] ?? 0));
    const take = <A extends Float64Array | Uint8Array>(source: A, target: A): A => {
      index.forEach((from, to) => (target[to] = source[from] ?? 0));
      return target;
    };
    this.times = take(this.times, new Float64Array(this.times.length));
    this.orders = take(this.orders, new Float64Array(this.orders.length));
    this.hashes = take(this.hashes, new Float64Array(this.hashes.length));
    this.flags = take(this.flags, new Uint8Array(this.flags.length));
  }

  /** True when the attempts are already in POST order (the usual case: a log is written in time order). */
  private isSorted(): boolean {
    for (let i = 1; i < this.size; i++) {
      const dt = (this.times[i] ?? 0) - (this.times[i - 1] ?? 0);
      if (dt < 0 || (dt === 0 && (this.orders[i] ?? 0) < (this.orders[i - 1] ?? 0))) return false;
    }
    return true;
  }

  time(index: number): number {
    return this.times[index] ?? Infinity;
  }

  runs(index: number): boolean {
    return this.flags[index] === ACCEPTED;
  }

  /** The input order key of attempt `index` (which line logged it). */
  orderOf(index: number): number {
    return this.orders[index] ?? -1;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const grow = <A extends Float64Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.times = grow(this.times, (k) => new Float64Array(k));
    this.orders = grow(this.orders, (k) => new Float64Array(k));
    this.hashes = grow(this.hashes, (k) => new Float64Array(k));
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
  }
}

/** A 53-bit hash of a string (two FNV-1a variants), exact as a double. */
export function hashId(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a * 0x200000 + (b & 0x1fffff);
}
