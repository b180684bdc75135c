import type { Context, MiddlewareHandler } from 'hono';
import { newSpanId, newTraceId, parseTraceparent } from '@logtrace/shared/otel';

/** A request's place in its trace, as the services log and propagate it. */
export interface RequestTrace {
  readonly traceId: string;
  /** This service's span of the request: the `span_id` of its log lines. */
  readonly spanId: string;
  /** The caller's span, from a valid `traceparent`. */
  readonly parentSpanId?: string;
  /** Whether the trace is sampled (a new trace is; a caller's flag is kept). */
  readonly sampled: boolean;
  /** The caller's well-formed `tracestate`, passed on unchanged. */
  readonly tracestate?: string;
}

/** Hono variables set by the traceContext middleware. */
export type TraceVariables = { trace: RequestTrace };

/** Options of the traceContext middleware (ids are injectable for tests). */
export interface TraceContextOptions {
  readonly newTraceId?: () => string;
  readonly newSpanId?: () => string;
}

/**
 * Middleware that gives every request its trace context (`c.var.trace`): the trace of
 * a valid W3C `traceparent` header (version 00, lower-case hex, ids not all zeros) with
 * the caller's span as parent, else a new trace; and a new span id for this service's
 * span. A malformed header is ignored — never an error, never stored or logged.
 */
export function traceContext(options: TraceContextOptions = {}): MiddlewareHandler<{ Variables: TraceVariables }> {
  const makeTrace = options.newTraceId ?? newTraceId;
  const makeSpan = options.newSpanId ?? newSpanId;
  return async function traceContextMiddleware(c, next) {
    const incoming = parseTraceparent(c.req.header('traceparent'), c.req.header('tracestate'));
    c.set(
      'trace',
      incoming === undefined
        ? { traceId: makeTrace(), spanId: makeSpan(), sampled: true }
        : {
            traceId: incoming.traceId,
            spanId: makeSpan(),
            parentSpanId: incoming.spanId,
            sampled: incoming.sampled,
            ...(incoming.tracestate === undefined ? {} : { tracestate: incoming.tracestate }),
          },
    );
    await next();
  };
}

/** `{ trace_id, span_id }` of the request, for a logger's bindings (`{}` outside the middleware). */
export function traceBindings(c: Context): { trace_id?: string; span_id?: string } {
  const trace = (c.var as Partial<TraceVariables>).trace;
  return trace === undefined ? {} : { trace_id: trace.traceId, span_id: trace.spanId };
}
