import type { ServiceLogger } from '@logtrace/shared';
import type { RefusedRequest } from './handle-client-errors.js';

/** Options of logRefusedRequests. */
export interface RefusalLogOptions {
  /** Lines written per one-second window before the rest are only counted (default 10). */
  readonly perSecond?: number;
  /** Epoch-ms clock (default Date.now). */
  readonly now?: () => number;
}

/**
 * Writes a `request_rejected` line (WARN: request_id, status, error_code, errors,
 * parse_error) for each request the HTTP server refused before the app saw it, at
 * most `perSecond` per one-second window, so a flood of garbage cannot fill the disk.
 * The refusals past that are counted: when the window ends, the last of them is
 * written with `suppressed`, the number of others not written. Nothing of the request
 * itself is logged, only our own code and message.
 */
export function logRefusedRequests(logger: ServiceLogger, options: RefusalLogOptions = {}): (refused: RefusedRequest) => void {
  const perSecond = options.perSecond ?? 10;
  const now = options.now ?? Date.now;
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  let last: RefusedRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const write = (refused: RefusedRequest, extra: { suppressed?: number } = {}): void => {
    logger.child({ request_id: refused.requestId }).event(
      'request_rejected',
      {
        status: refused.status,
        error_code: refused.errorCode,
        errors: [{ field: 'request', message: refused.message }],
        ...(refused.parseError === undefined ? {} : { parse_error: refused.parseError }),
        ...extra,
      },
      { msg: 'request refused by the HTTP server before it reached the app' },
    );
  };
  const flush = (): void => {
    timer = undefined;
    if (last !== undefined) write(last, { suppressed: suppressed - 1 });
    last = undefined;
    suppressed = 0;
  };

  return function logRefused(refused) {
    const at = now();
    if (at - windowStart >= 1000) {
      if (timer !== undefined) {
        clearTimeout(timer);
        flush();
      }
      windowStart = at;
      written = 0;
    }
    if (written < perSecond) {
      written += 1;
      write(refused);
      return;
    }
    suppressed += 1;
    last = refused;
    if (timer === undefined) {
      timer = setTimeout(flush, Math.max(0, windowStart + 1000 - at));
      timer.unref();
    }
  };
}
