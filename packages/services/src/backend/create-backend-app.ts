import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { newId, type ServiceLogger } from '@logtrace/shared';
import { ApiError } from '../http/api-error.js';
import { describeLogHealth } from '../http/describe-log-health.js';
import { handleError } from '../http/handle-error.js';
import { clientRequestIdField, requestId } from '../http/request-id.js';
import { createInFlightTracker, type InFlightTracker } from '../http/create-in-flight-tracker.js';
import type { BackendEnv } from './backend-env.js';
import { createGenerateHandler } from './create-generate-handler.js';
import type { BackendConfig } from './load-backend-config.js';
import { logResponseSent } from './log-response-sent.js';
import type { SpanExport } from '../otel/create-span-export.js';
import { traceContext } from '../otel/trace-context-middleware.js';

/** Everything the backend app uses from the world; all but config and logger have defaults. */
export interface BackendDeps {
  readonly config: BackendConfig;
  readonly logger: ServiceLogger;
  /** Used for the GPU server call (default: global fetch). */
  readonly fetch?: typeof fetch;
  /** Monotonic clock in ms for durations (default: performance.now). */
  readonly now?: () => number;
  /** Makes request ids (default: random UUID v4). */
  readonly newId?: () => string;
  /** Counts /api requests in flight (default: a fresh tracker). */
  readonly inFlight?: InFlightTracker;
  /** Aborting it cancels in-flight GPU calls with 503 (main does so at the shutdown deadline). */
  readonly shutdownSignal?: AbortSignal;
  /** Span export (only when OTEL_EXPORTER_OTLP_ENDPOINT is set); without it no span is made. */
  readonly spans?: SpanExport;
  /** Make trace and span ids (default: random). */
  readonly newTraceId?: () => string;
  readonly newSpanId?: () => string;
}

/**
 * Builds the backend's Hono app: `GET /health`, `POST /api/generate`, JSON 404/405,
 * an `X-Request-ID` on every response and `request_id` in every JSON body (its own id,
 * always fresh; a caller's valid id comes back as `X-Client-Request-ID` and
 * `client_request_id`), exactly one
 * `response_sent` per request except health checks, and `handleError` as the only
 * place errors become responses. Does not listen; main serves it.
 */
export function createBackendApp(deps: BackendDeps): Hono<BackendEnv> {
  const now = deps.now ?? (() => performance.now());
  const inFlight = deps.inFlight ?? createInFlightTracker();
  const startedAt = now();
  const app = new Hono<BackendEnv>();

  app.use(requestId({ newId: deps.newId ?? newId }));
  app.use(
    traceContext({
      ...(deps.newTraceId === undefined ? {} : { newTraceId: deps.newTraceId }),
      ...(deps.newSpanId === undefined ? {} : { newSpanId: deps.newSpanId }),
    }),
  );
  app.use(logResponseSent({ logger: deps.logger, now, skip: (c) => c.req.path === '/health', spans: deps.spans }));
  // Plain HTTP on a private network: HSTS would mean nothing.
  app.use(secureHeaders({ strictTransportSecurity: false }));
  app.use('/api/*', inFlight.middleware);

  app.get('/health', (c) => {
    const log = deps.logger.health();
    return c.json({
      status: log.writeErrors > 0 ? 'degraded' : 'ok',
      service: 'backend',
      uptime_ms: Math.max(0, Math.round(now() - startedAt)),
      in_flight: inFlight.count(),
      gpu_server_url: deps.config.gpuServerUrl,
      ...describeLogHealth(log),
      ...(deps.spans === undefined ? {} : { otel_spans_dropped: deps.spans.dropped() }),
      request_id: c.get('requestId'),
      ...clientRequestIdField(c),
    });
  });

  app.post(
    '/api/generate',
    createGenerateHandler({
      config: deps.config,
      fetch: deps.fetch ?? globalThis.fetch,
      now,
      shutdownSignal: deps.shutdownSignal,
    }),
  );
  app.all('/api/generate', () => {
    throw new ApiError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  });

  app.notFound((c) => handleError(new ApiError(404, 'not_found', 'no such endpoint'), c));
  app.onError(handleError);
  return app;
}
