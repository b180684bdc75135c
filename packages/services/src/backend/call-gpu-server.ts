import { formatTraceparent, gpuClientSpanId } from '@logtrace/shared/otel';
import type { GenerateParams } from '../generation/validate-generate-request.js';
import type { RequestTrace } from '../otel/trace-context-middleware.js';
import { createCallSignal } from '../http/create-call-signal.js';
import { describeFetchError } from '../http/describe-fetch-error.js';
import { readCappedBody } from '../http/read-capped-body.js';
import { parseGpuResponse, type ParsedGpuResponse } from './parse-gpu-response.js';

/** One call of the GPU server's `POST /generate`. */
export interface GpuCall {
  /** Full URL of the endpoint, `<GPU_SERVER_URL>/generate`. */
  readonly url: string;
  readonly requestId: string;
  /** The backend's trace context: the call sends `traceparent` naming its own (CLIENT) span. */
  readonly trace?: RequestTrace;
  readonly params: GenerateParams;
  /** Bearer token, if the GPU server wants one. */
  readonly token: string | undefined;
  /** Deadline for the whole call, headers and body, in ms. */
  readonly timeoutMs: number;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
  /** Aborts when the backend's client went away. */
  readonly clientSignal: AbortSignal;
  /** Aborts when the backend is shutting down and stops waiting. */
  readonly shutdownSignal: AbortSignal | undefined;
}

/** What the world provides to a GPU call. */
export interface GpuCallDeps {
  readonly fetch: typeof fetch;
  /** Monotonic clock in ms. */
  readonly now: () => number;
}

/** How a GPU call ended; `durationMs` runs from the call to the end of the body. */
export type GpuOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly durationMs: number; readonly parsed: ParsedGpuResponse }
  | { readonly kind: 'timeout'; readonly durationMs: number }
  | { readonly kind: 'unreachable'; readonly durationMs: number; readonly errorCode: string; readonly error: string }
  | { readonly kind: 'cancelled'; readonly durationMs: number; readonly by: 'client' | 'shutdown' };

/**
 * Calls the GPU server and reads its whole answer under one deadline. Network failures
 * (refused, reset, DNS), the deadline and cancellations become outcomes; only a bug
 * (a non-network exception) is thrown. The response body is always read to the end or
 * cancelled, so no socket is left pinned.
 */
export async function callGpuServer(call: GpuCall, deps: GpuCallDeps): Promise<GpuOutcome> {
  const started = deps.now();
  const elapsed = (): number => Math.max(0, Math.round(deps.now() - started));
  const deadline = createCallSignal(call.timeoutMs, { client: call.clientSignal, shutdown: call.shutdownSignal });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-request-id': call.requestId,
  };
  if (call.trace !== undefined) {
    const { traceId, spanId, sampled, tracestate } = call.trace;
    headers['traceparent'] = formatTraceparent(traceId, gpuClientSpanId(traceId, spanId), sampled);
    if (tracestate !== undefined) headers['tracestate'] = tracestate;
  }
  if (call.token !== undefined) headers['authorization'] = `Bearer ${call.token}`;
  try {
    const response = await deps.fetch(call.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(call.params),
      signal: deadline.signal,
      // A redirect is a misconfigured GPU_SERVER_URL: report it, do not follow it.
      redirect: 'manual',
    });
    const bytes = await readCappedBody(response.body, call.maxResponseBytes);
    const parsed: ParsedGpuResponse =
      bytes === undefined
        ? {
            kind: 'invalid',
            errorCode: 'gpu_response_too_large',
            problem: `GPU server answered ${response.status} with a body over ${call.maxResponseBytes} bytes`,
          }
        : parseGpuResponse(response.status, bytes, call.requestId);
    return { kind: 'answered', status: response.status, durationMs: elapsed(), parsed };
  } catch (err) {
    const firedBy = deadline.firedBy();
    if (firedBy === 'timeout') return { kind: 'timeout', durationMs: elapsed() };
    if (firedBy !== undefined) return { kind: 'cancelled', durationMs: elapsed(), by: firedBy };
    // undici reports every network failure as a TypeError; anything else is a bug.
    if (!(err instanceof TypeError)) throw err;
    const failure = describeFetchError(err);
    return { kind: 'unreachable', durationMs: elapsed(), errorCode: failure.code, error: failure.message };
  } finally {
    deadline.dispose();
  }
}
