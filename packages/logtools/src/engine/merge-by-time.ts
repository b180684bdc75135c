/**
 * Merges streams that are each in time order into one stream in time order (a k-way
 * merge holding one item per stream). Equal times keep stream order. Items without a
 * time (NaN or Infinity) come after the timed ones of their stream.
 */
export async function* mergeByTime<T>(streams: readonly AsyncIterable<T>[], timeOf: (item: T) => number): AsyncGenerator<T> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: ({ item: T; time: number } | undefined)[] = [];
  const advance = async (i: number): Promise<void> => {
    const next = await (iterators[i] as AsyncIterator<T>).next();
    const time = next.done === true ? 0 : timeOf(next.value);
    heads[i] = next.done === true ? undefined : { item: next.value, time: Number.isNaN(time) ? Infinity : time };
  };
  try {
    await Promise.all(iterators.map((_, i) => advance(i)));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head !== undefined && (best === -1 || head.time < (heads[best]?.time ?? Infinity))) best = i;
      }
      if (best === -1) return;
      yield (heads[best] as { item: T }).item;
      await advance(best);
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}
