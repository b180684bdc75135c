import { Hono } from 'hono';
import type { ServiceLogger } from '@logtrace/shared';
import { ComfyuiError } from '../comfyui/comfyui-error.js';
import type { ComfyuiClient } from '../comfyui/create-comfyui-client.js';
import type { ComfyuiWatcher } from '../comfyui/create-comfyui-watcher.js';
import { ApiError } from '../http/api-error.js';
import { createInFlightTracker, type InFlightTracker } from '../http/create-in-flight-tracker.js';
import { describeLogHealth } from '../http/describe-log-health.js';
import { handleError } from '../http/handle-error.js';
import { readJsonBody, type FieldProblem } from '../http/read-json-body.js';
import { cutOffOf, requestId, type RequestIdVariables } from '../http/request-id.js';
import { validateGenerateRequest } from '../generation/validate-generate-request.js';
import { checkBearerToken } from './check-bearer-token.js';
import { describeInternalError, generationError, statusForCode } from './generation-error.js';
import type { GpuServerConfig } from './load-gpu-server-config.js';
import { runGeneration } from './run-generation.js';
import { formatTraceparent, mapGenerationSpans, type SpanSourceRecord } from '@logtrace/shared/otel';
import type { SpanExport } from '../otel/create-span-export.js';
import { tapLogger } from '../otel/tap-logger.js';
import { traceBindings, traceContext, type TraceVariables } from '../otel/trace-context-middleware.js';

/** What the GPU server app needs; the bin passes real ones, tests fakes. */
export interface GpuServerDeps {
  readonly config: GpuServerConfig;
  readonly logger: ServiceLogger;
  readonly comfyui: ComfyuiClient;
  newId(): string;
  /** Epoch milliseconds. */
  now(): number;
  randomSeed(): number;
  /** Counts generations in flight, for /health and for draining on shutdown (default: a fresh tracker). */
  readonly inFlight?: InFlightTracker;
  /** ComfyUI's websocket (per-node timing, cache hits, progress); without it generations are only polled. */
  readonly watcher?: Pick<ComfyuiWatcher, 'clientId' | 'watch' | 'health'>;
  /** This server's instance id, in every prompt's marker (GPU_SERVER_ID or defaultInstanceId). */
  readonly instanceId: string;
  /** The generation ids in flight, kept up to date by the app (cancelOrphanedPrompts spares them). */
  readonly liveGenerations?: Set<string>;
  /** Span export (only when OTEL_EXPORTER_OTLP_ENDPOINT is set); without it no span is made. */
  readonly spans?: SpanExport;
}

/** Largest `POST /generate` body, in bytes (prompts are at most 4000 characters each). */
export const MAX_GENERATE_BODY_BYTES = 64 * 1024;

type Env = { Variables: RequestIdVariables & TraceVariables };

/**
 * The GPU server: `GET /health` (ComfyUI reachability via /system_stats, its websocket
 * when watched, log write errors) and `POST /generate` (405 with `Allow: POST` for other methods; optional bearer auth, request_id from a valid
 * X-Request-ID or a new one, a new generation_id, the generation flow). Every answer
 * carries X-Request-ID; errors are `{error, error_code, request_id, generation_id?, details?}`
 * with the statuses of generation-error.ts, made only by the shared handleError.
 */
export function createGpuServerApp(deps: GpuServerDeps): Hono<Env> {
  const { config, logger, comfyui } = deps;
  const app = new Hono<Env>();

  const inFlight = deps.inFlight ?? createInFlightTracker();
  const live = deps.liveGenerations ?? new Set<string>();
  // The backend made the id: both logs must carry the same one.
  app.use(requestId({ newId: deps.newId, adoptIncoming: true }));
  // The backend's traceparent names its call span: this server's span is its child.
  app.use(traceContext());
  app.use('/generate', inFlight.middleware);

  app.get('/health', async (c) => {
    const started = deps.now();
    let probe: Record<string, unknown>;
    try {
      const stats = await comfyui.systemStats(Math.min(2000, config.pollTimeoutMs));
      probe = { url: config.comfyuiUrl, reachable: true, version: stats.comfyuiVersion ?? null, latency_ms: deps.now() - started };
    } catch (err) {
      const code = err instanceof ComfyuiError ? err.code : 'internal_error';
      probe = { url: config.comfyuiUrl, reachable: false, error_code: code, latency_ms: deps.now() - started };
    }
    const health = logger.health();
    return c.json({
      status: probe['reachable'] === true && health.writeErrors === 0 ? 'ok' : 'degraded',
      service: 'gpu_server',
      comfyui: probe,
      ...(deps.watcher === undefined ? {} : { comfyui_ws: deps.watcher.health() }),
      in_flight: inFlight.count(),
      ...describeLogHealth(health),
      ...(deps.spans === undefined ? {} : { otel_spans_dropped: deps.spans.dropped() }),
      request_id: c.get('requestId'),
    });
  });

  app.post('/generate', async (c) => {
    const id = c.get('requestId');
    const trace = c.var.trace;
    const bindings = { request_id: id, ...traceBindings(c) };
    // With span export on, the generation's lines are also kept: its spans are made from them.
    const records: SpanSourceRecord[] | undefined = deps.spans !== undefined && trace.sampled ? [] : undefined;
    const base = records === undefined ? logger : tapLogger(logger, 'gpu_server', {}, records);
    const log = base.child(bindings);
    // The body is left unread here (401) or partly read (413, wrong type): the connection
    // cannot carry another request, and a client that reused it would see a reset.
    if (config.token !== undefined && !checkBearerToken(c.req.header('authorization'), config.token)) {
      reject(log, 'unauthorized', 'missing or wrong bearer token', [UNAUTHORIZED], {
        'WWW-Authenticate': 'Bearer realm="gpu_server"',
        connection: 'close',
      });
    }
    const body = await readJsonBody(c.req.raw, MAX_GENERATE_BODY_BYTES);
    const cutOff = cutOffOf(c);
    // The request timeout cut the body off and the server answered 408: log that.
    if (cutOff !== undefined) reject(log, cutOff.errorCode, cutOff.message, [{ field: 'body', message: 'was not received in time' }]);
    if (!body.ok) {
      const code = body.status === 413 ? 'payload_too_large' : 'invalid_request';
      reject(log, code, 'the request body is not acceptable JSON', body.errors, { connection: 'close' });
    }
    const validation = validateGenerateRequest(body.value);
    if (!validation.ok) reject(log, 'invalid_request', 'invalid generation parameters', validation.errors);
    const generationId = deps.newId();
    live.add(generationId);
    try {
      const result = await runGeneration(
        validation.params,
        {
          requestId: id,
          generationId,
          logger: base.child({ ...bindings, generation_id: generationId }),
          signal: c.req.raw.signal,
          trace: {
            traceId: trace.traceId,
            traceparent: formatTraceparent(trace.traceId, trace.spanId, trace.sampled),
            ...(trace.parentSpanId === undefined ? {} : { parentSpanId: trace.parentSpanId }),
          },
        },
        {
          ...config,
          comfyui,
          instanceId: deps.instanceId,
          now: deps.now,
          randomSeed: deps.randomSeed,
          newId: deps.newId,
          ...(deps.watcher === undefined ? {} : { watcher: deps.watcher }),
        },
      );
      return c.json(result, 200);
    } finally {
      live.delete(generationId);
      if (records !== undefined) deps.spans?.emit(mapGenerationSpans(records, generationId));
    }
  });
  app.all('/generate', () => {
    throw new ApiError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  });

  app.notFound((c) => handleError(new ApiError(404, 'not_found', 'no such endpoint'), c));
  app.onError((err, c) => {
    // Generations log their own unexpected errors; this catches the rest.
    if (!(err instanceof ApiError))
      logger.child({ request_id: c.get('requestId'), ...traceBindings(c) }).event('internal_error', describeInternalError(err));
    return handleError(err, c);
  });
  return app;
}

const UNAUTHORIZED: FieldProblem = { field: 'authorization', message: 'must be Bearer and the configured token' };

/**
 * Refuses a request before any generation started: one `request_rejected` line (WARN,
 * with our own field names and messages, never a received value), then the error answer.
 */
function reject(
  log: ServiceLogger,
  code: string,
  message: string,
  errors: readonly FieldProblem[],
  headers?: Record<string, string>,
): never {
  log.event('request_rejected', { status: statusForCode(code), error_code: code, errors });
  throw generationError(code, message, { details: errors, ...(headers === undefined ? {} : { headers }) });
}
