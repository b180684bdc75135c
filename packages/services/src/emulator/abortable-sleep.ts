import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return delay(ms, undefined, { signal }).catch(() => Promise.reject(signal.reason as unknown));
}
