import type { Context, Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { newId } from '@logtrace/shared';
import { ApiError } from './api-error.js';
import type { RequestIdVariables } from './request-id.js';

/** Stable code and caller-facing message of a 500 for an unexpected exception. */
export const INTERNAL_ERROR = Object.freeze({ code: 'internal_error', message: 'internal server error' });

/**
 * The app's error handler (`app.onError`), the one place errors become responses:
 * an ApiError becomes `{error, error_code, request_id, client_request_id?, ...fields}` with its status and
 * headers; a Hono HTTPException becomes the same shape with its status; anything else
 * becomes a generic 500 whose body carries no message or stack (log `c.error` for
 * those). Never throws.
 */
export function handleError<E extends Env>(err: Error, c: Context<E>): Response {
  // Set by the requestId middleware; absent only if the error came before it ran.
  const requestId = (c.var as Partial<RequestIdVariables>).requestId ?? newId();
  let status: number;
  let body: Record<string, unknown>;
  let headers: Record<string, string> = {};
  if (err instanceof ApiError) {
    status = err.status;
    body = { ...err.fields, error: err.message, error_code: err.code };
    headers = { ...err.headers };
  } else if (err instanceof HTTPException) {
    status = err.status;
    body = { error: err.message === '' ? `HTTP ${err.status}` : err.message, error_code: `http_${err.status}` };
  } else {
    status = 500;
    body = { error: INTERNAL_ERROR.message, error_code: INTERNAL_ERROR.code };
  }
  body['request_id'] = requestId;
  const clientRequestId = (c.var as Partial<RequestIdVariables>).clientRequestId;
  if (clientRequestId !== undefined) body['client_request_id'] = clientRequestId;
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
  });
}
