import type { Context, Handler } from 'hono';
import type { ServiceLogger } from '@logtrace/shared';
import { DEFAULT_GENERATE_LIMITS, validateGenerateRequest, type GenerateLimits } from '../generation/validate-generate-request.js';
import { ApiError, clientClosedError } from '../http/api-error.js';
import { readJsonBody, type FieldProblem } from '../http/read-json-body.js';
import { clientRequestIdField } from '../http/request-id.js';
import type { BackendEnv } from './backend-env.js';
import { callGpuServer } from './call-gpu-server.js';
import { describeGenerateRequest } from './describe-generate-request.js';
import type { BackendConfig } from './load-backend-config.js';
import { readRequestDeadline } from './read-request-deadline.js';
import { settleGpuOutcome } from './settle-gpu-outcome.js';

/** What the generate handler needs. */
export interface GenerateHandlerDeps {
  readonly config: BackendConfig;
  readonly fetch: typeof fetch;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  /** Aborts in-flight GPU calls when the backend stops waiting for them. */
  readonly shutdownSignal: AbortSignal | undefined;
}

/**
 * The `POST /api/generate` handler: reads and validates the body, logs
 * `generate_request` (for every request; parameters only when valid; the caller's
 * client_request_id when it sent one), then either
 * `validation_error` and 400/413 with every problem, or `gpu_request` and calls the
 * GPU server under `GPU_TIMEOUT_MS` (or the caller's shorter `X-Request-Timeout-Ms`)
 * and the client's disconnect signal, and answers
 * with the image and ids (see settleGpuOutcome for the failure statuses).
 */
export function createGenerateHandler(deps: GenerateHandlerDeps): Handler<BackendEnv> {
  const { config } = deps;
  const limits: GenerateLimits = { ...DEFAULT_GENERATE_LIMITS, maxPromptChars: config.maxPromptChars };
  const gpuUrl = `${config.gpuServerUrl}/generate`;
  return async function generate(c) {
    const log = c.get('log');
    const clientSignal = c.req.raw.signal;
    const body = await readJsonBody(c.req.raw, config.maxBodyBytes);
    const validation = body.ok ? validateGenerateRequest(body.value, limits) : undefined;
    // Every request gets its generate_request line, valid or not, so counts add up.
    log.event('generate_request', {
      ...describeGenerateRequest(validation?.ok ? validation.params : undefined, clientOf(c), config),
      ...clientRequestIdField(c),
      ...(c.var.trace?.parentSpanId === undefined ? {} : { parent_span_id: c.var.trace.parentSpanId }),
    });
    if (clientSignal.aborted) throw clientClosedError();
    // The body may be unread (wrong type, too large): the connection cannot be reused.
    if (!body.ok) reject(log, body.status, body.errors, { connection: 'close' });
    if (validation === undefined || !validation.ok) reject(log, 400, validation?.errors ?? [], {});
    const { params } = validation;
    const timeoutMs = readRequestDeadline(c.req.header('x-request-timeout-ms'), config.gpuTimeoutMs);
    log.event('gpu_request', { gpu_url: gpuUrl, timeout_ms: timeoutMs });
    const outcome = await callGpuServer(
      {
        url: gpuUrl,
        requestId: c.get('requestId'),
        ...(c.var.trace === undefined ? {} : { trace: c.var.trace }),
        params,
        token: config.gpuServerToken,
        timeoutMs,
        maxResponseBytes: config.gpuMaxResponseBytes,
        clientSignal,
        shutdownSignal: deps.shutdownSignal,
      },
      deps,
    );
    return c.json({ ...settleGpuOutcome(outcome, log, timeoutMs), ...clientRequestIdField(c) }, 200);
  };
}

function reject(log: ServiceLogger, status: 400 | 413, errors: readonly FieldProblem[], headers: Record<string, string>): never {
  log.event('validation_error', { status, errors });
  if (status === 413) {
    throw new ApiError(413, 'payload_too_large', 'request body too large', { fields: { errors }, headers });
  }
  throw new ApiError(400, 'invalid_request', 'invalid request', { fields: { errors }, headers });
}

function clientOf(c: Context<BackendEnv>): { address: string | undefined; userAgent: string | undefined } {
  return { address: c.env?.incoming?.socket.remoteAddress, userAgent: c.req.header('user-agent') };
}
