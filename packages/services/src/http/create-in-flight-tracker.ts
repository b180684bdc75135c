import type { MiddlewareHandler } from 'hono';

/** Counts the requests being handled, for /health and for draining on shutdown. */
export interface InFlightTracker {
  /** Middleware that counts a request from its start until its response is ready. */
  readonly middleware: MiddlewareHandler;
  /** Requests in flight now. */
  count(): number;
  /** Resolves true once no request is in flight, or false after `timeoutMs` milliseconds. */
  idle(timeoutMs: number): Promise<boolean>;
}

/**
 * Creates an in-flight request tracker. After the server stopped accepting, awaiting
 * `idle()` lets handlers that were cut off (their sockets closed at the shutdown
 * deadline) still write their last log lines before the process exits.
 */
export function createInFlightTracker(): InFlightTracker {
  let active = 0;
  let waiters: Array<() => void> = [];
  return {
    middleware: async function countInFlight(_c, next) {
      active += 1;
      try {
        await next();
      } finally {
        active -= 1;
        if (active === 0) for (const wake of waiters.splice(0)) wake();
      }
    },
    count: () => active,
    idle(timeoutMs) {
      if (active === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== wake);
          resolve(false);
        }, timeoutMs);
        const wake = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        waiters.push(wake);
      });
    },
  };
}
