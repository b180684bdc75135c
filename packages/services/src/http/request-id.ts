import type { MiddlewareHandler } from 'hono';
import { newId, parseIncomingId } from '@logtrace/shared';

/** Hono variables set by the requestId middleware. */
export type RequestIdVariables = { requestId: string };

/** Options of the requestId middleware. */
export interface RequestIdOptions {
  /** Makes a fresh id (default: a random UUID v4). */
  readonly newId?: () => string;
}

/**
 * Middleware that gives every request an id: the incoming `X-Request-ID` when it is a
 * UUID v4 (lower-cased), otherwise a fresh one; anything else in the header is ignored
 * and never stored. Sets `c.var.requestId` and the `X-Request-ID` response header on
 * every response, including those made by `onError` and `notFound`.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  const create = options.newId ?? newId;
  return async function requestIdMiddleware(c, next) {
    const id = parseIncomingId(c.req.header('x-request-id')) ?? create();
    c.set('requestId', id);
    await next();
    c.header('X-Request-ID', id);
  };
}
