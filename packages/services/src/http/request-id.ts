import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { newId, parseIncomingId } from '@logtrace/shared';
import type { ClientRejection } from './describe-client-error.js';
import { incomingState } from './incoming-state.js';

/** Hono variables set by the requestId middleware. */
export type RequestIdVariables = {
  requestId: string;
  /** The caller's own valid X-Request-ID, when the service made its own id beside it. */
  clientRequestId?: string | undefined;
};

/** Options of the requestId middleware. */
export interface RequestIdOptions {
  /** Makes a fresh id (default: a random UUID v4). */
  readonly newId?: () => string;
  /**
   * Take a valid incoming `X-Request-ID` as this request's id (default false). Only for
   * an internal hop whose caller made the id (the GPU server behind the backend), so
   * both logs share it; a public entry point makes its own.
   */
  readonly adoptIncoming?: boolean;
}

/**
 * Middleware that gives every request an id and sets `c.var.requestId` and the
 * `X-Request-ID` response header on every response, including those made by `onError`
 * and `notFound`. The id is fresh for every request: a caller's `X-Request-ID` that is a
 * UUID v4 is kept (lower-cased) as `c.var.clientRequestId` and echoed in
 * `X-Client-Request-ID`, so a replayed or borrowed id can never merge two requests'
 * traces. With `adoptIncoming` that id becomes the request id instead. Anything else in
 * the header is ignored and never stored.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  const create = options.newId ?? newId;
  const adopt = options.adoptIncoming ?? false;
  return async function requestIdMiddleware(c, next) {
    const incoming = parseIncomingId(c.req.header('x-request-id'));
    const id = adopt && incoming !== undefined ? incoming : create();
    const client = adopt ? undefined : incoming;
    c.set('requestId', id);
    if (client !== undefined) c.set('clientRequestId', client);
    // The server's clientError handler answers a request it cuts off with these ids.
    const state = incomingState((c.env as { incoming?: IncomingMessage } | undefined)?.incoming);
    state.requestId = id;
    if (client !== undefined) state.clientRequestId = client;
    await next();
    c.header('X-Request-ID', id);
    if (client !== undefined) c.header('X-Client-Request-ID', client);
  };
}

/** `{ client_request_id }` when the caller sent a valid X-Request-ID of its own, else `{}`: spread into log fields and bodies. */
export function clientRequestIdField(c: Context): { client_request_id?: string } {
  const id = (c.var as Partial<RequestIdVariables>).clientRequestId;
  return id === undefined ? {} : { client_request_id: id };
}

/**
 * How the server cut this request off (the request timeout) and what it answered, if
 * it did: the app's own answer never reached the client, so this is what to log.
 */
export function cutOffOf(c: Context): ClientRejection | undefined {
  return incomingState((c.env as { incoming?: IncomingMessage } | undefined)?.incoming).cutOff;
}
