import type { ServiceLogger } from '@logtrace/shared';
import { ApiError, clientClosedError } from '../http/api-error.js';
import type { GpuOutcome } from './call-gpu-server.js';
import type { GpuSuccess } from './parse-gpu-response.js';

/** GPU server statuses that mean the caller's own mistake, passed through with their reasons. */
export const PASSED_THROUGH_STATUSES: ReadonlySet<number> = new Set([400, 404]);

/**
 * Logs how a GPU call ended (`gpu_response`, `timeout_error` or `gpu_error`) and returns
 * the image, or throws the ApiError the client gets:
 * 200 → the image; a contract error with 400/404 (invalid params, `prompt_invalid`,
 * `workflow_not_found`) → the same status and reasons; any other error status or an
 * invalid body → 502; deadline → 504; network failure → 502; client gone → 499;
 * shutdown → 503. `timeoutMs` is the deadline that was used, in ms.
 */
export function settleGpuOutcome(outcome: GpuOutcome, log: ServiceLogger, timeoutMs: number): GpuSuccess {
  switch (outcome.kind) {
    case 'timeout':
      log.event('timeout_error', { timeout_ms: timeoutMs, duration_ms: outcome.durationMs });
      throw new ApiError(504, 'gpu_timeout', `GPU server did not answer within ${timeoutMs} ms`);
    case 'unreachable':
      log.event('gpu_error', { error_code: outcome.errorCode, error: outcome.error, duration_ms: outcome.durationMs });
      throw new ApiError(502, outcome.errorCode, 'GPU server unreachable');
    case 'cancelled':
      if (outcome.by === 'client') throw clientClosedError();
      throw new ApiError(503, 'service_stopping', 'backend is shutting down; retry the request', {
        headers: { 'retry-after': '5' },
      });
    case 'answered':
      break;
  }
  const { status, durationMs: duration_ms, parsed } = outcome;
  if (parsed.kind === 'image') {
    const { success } = parsed;
    log.event('gpu_response', {
      generation_id: success.generation_id,
      status,
      duration_ms,
      image_bytes: success.image.size_bytes,
    });
    return success;
  }
  if (parsed.kind === 'invalid') {
    log.event('gpu_response', { status, duration_ms, error_code: parsed.errorCode, error: parsed.problem }, { level: 'ERROR' });
    throw new ApiError(502, parsed.errorCode, 'GPU server gave an invalid answer');
  }
  const { failure } = parsed;
  const ids = failure.generation_id === undefined ? {} : { generation_id: failure.generation_id };
  log.event('gpu_response', { ...ids, status, duration_ms, error_code: failure.error_code, error: failure.error }, { level: 'ERROR' });
  if (PASSED_THROUGH_STATUSES.has(status)) {
    const details = failure.details === undefined ? {} : { details: failure.details };
    throw new ApiError(status, failure.error_code, failure.error, { fields: { ...ids, ...details } });
  }
  throw new ApiError(502, failure.error_code, 'image generation failed on the GPU server', {
    fields: { ...ids, gpu_status: status },
  });
}
