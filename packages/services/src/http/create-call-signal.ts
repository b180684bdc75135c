/** The signal of one outbound call and what, if anything, aborted it. */
export interface CallSignal<K extends string> {
  /** Pass to `fetch`; aborts on the deadline or when any source signal aborts. */
  readonly signal: AbortSignal;
  /** What aborted the call: `timeout`, the key of a source signal, or undefined. */
  firedBy(): 'timeout' | K | undefined;
  /** Clears the timer and detaches from the sources; call when the call is over. */
  dispose(): void;
}

/**
 * Makes the AbortSignal of an outbound call: a deadline of `timeoutMs` milliseconds
 * (covering headers and body) combined with other signals, such as the inbound
 * request's (client went away) and the service's shutdown signal. Unlike
 * `AbortSignal.any`, it says which one fired, and it leaves no timer or listener
 * behind once disposed.
 */
export function createCallSignal<K extends string>(timeoutMs: number, sources: Readonly<Partial<Record<K, AbortSignal>>>): CallSignal<K> {
  const controller = new AbortController();
  let fired: 'timeout' | K | undefined;
  const fire = (why: 'timeout' | K): void => {
    if (fired !== undefined) return;
    fired = why;
    const name = why === 'timeout' ? 'TimeoutError' : 'AbortError';
    controller.abort(new DOMException(`call aborted: ${why}`, name));
  };
  const detach: Array<() => void> = [];
  for (const key of Object.keys(sources) as K[]) {
    const source = sources[key];
    if (source === undefined) continue;
    if (source.aborted) {
      fire(key);
      continue;
    }
    const onAbort = (): void => fire(key);
    source.addEventListener('abort', onAbort, { once: true });
    detach.push(() => source.removeEventListener('abort', onAbort));
  }
  const timer = setTimeout(() => fire('timeout'), timeoutMs);
  return {
    signal: controller.signal,
    firedBy: () => fired,
    dispose() {
      clearTimeout(timer);
      for (const undo of detach.splice(0)) undo();
    },
  };
}
