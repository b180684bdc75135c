import type { Context, MiddlewareHandler } from 'hono';
import type { ServiceLogger } from '@logtrace/shared';
import { mapTraceSpans, type SpanSourceRecord } from '@logtrace/shared/otel';
import type { SpanExport } from '../otel/create-span-export.js';
import { tapLogger } from '../otel/tap-logger.js';
import { traceBindings } from '../otel/trace-context-middleware.js';
import { ApiError } from '../http/api-error.js';
import { INTERNAL_ERROR } from '../http/handle-error.js';
import type { BackendEnv } from './backend-env.js';
import { clipText } from './clip-text.js';
import { clientRequestIdField, cutOffOf } from '../http/request-id.js';

/** Options of the response_sent middleware. */
export interface ResponseSentOptions {
  readonly logger: ServiceLogger;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  /** Requests that get no `response_sent` line (health checks). */
  readonly skip: (c: Context<BackendEnv>) => boolean;
  /** Where the request's spans go once its response_sent is written (span export on). */
  readonly spans?: SpanExport | undefined;
}

/**
 * Middleware (after requestId and traceContext) that gives each request its child logger (`c.var.log`,
 * stamped with request_id, trace_id and span_id) and writes exactly one `response_sent` line per request:
 * status, duration_ms (whole request inside the backend), method and path, the
 * caller's client_request_id when it sent one, and for a failure its error_code. A
 * request the server cut off (request timeout, see handleClientErrors) is logged with
 * the 408 the client got, not what the app made of its broken body. An unexpected
 * exception is first logged as `internal_error` (ERROR) with its message, type and
 * stack, which the 500 body never shows. The line is written before the response is
 * handed to the server, so a response a client saw always has its line on disk.
 */
export function logResponseSent(options: ResponseSentOptions): MiddlewareHandler<BackendEnv> {
  return async function responseSentMiddleware(c, next) {
    const started = options.now();
    const bindings = { request_id: c.get('requestId'), ...traceBindings(c) };
    if (options.skip(c)) {
      c.set('log', options.logger.child(bindings));
      await next();
      return;
    }
    // With span export on, the request's lines are also kept: its spans are made from them.
    const records: SpanSourceRecord[] | undefined = options.spans !== undefined && c.var.trace?.sampled === true ? [] : undefined;
    const log =
      records === undefined ? options.logger.child(bindings) : tapLogger(options.logger.child(bindings), 'backend', bindings, records);
    c.set('log', log);
    const write = (answered: number, err: unknown): void => {
      if (err !== undefined && !(err instanceof ApiError)) log.event('internal_error', describeInternalError(err));
      // Cut off by the request timeout: the server answered 408 itself, whatever the app made of it.
      const cutOff = cutOffOf(c);
      const status = cutOff?.status ?? answered;
      const errorCode = cutOff?.errorCode ?? (err === undefined ? undefined : err instanceof ApiError ? err.code : INTERNAL_ERROR.code);
      log.event('response_sent', {
        status,
        duration_ms: Math.max(0, Math.round(options.now() - started)),
        method: c.req.method,
        path: clipText(c.req.path, 256, { replaceControls: true }),
        ...clientRequestIdField(c),
        ...(errorCode === undefined ? {} : { error_code: errorCode }),
      });
      if (records !== undefined) options.spans?.emit(mapTraceSpans(records));
    };
    try {
      await next();
    } catch (err) {
      // Only an error escaping onError/notFound lands here; Hono answers it with a 500.
      write(500, err);
      throw err;
    }
    write(c.res.status, c.error);
  };
}

function describeInternalError(err: unknown): { error_code: string; error: string; [key: string]: unknown } {
  const error = err instanceof Error ? err : new Error(String(err));
  return {
    error_code: INTERNAL_ERROR.code,
    error: clipText(error.message, 1024),
    error_type: error.name,
    stack: clipText(error.stack ?? '', 4096),
  };
}
