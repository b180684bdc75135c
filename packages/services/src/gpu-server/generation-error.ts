import { ApiError } from '../http/api-error.js';

/** HTTP status the GPU server answers for each error code (502 for any other ComfyUI failure). */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  invalid_request: 400,
  prompt_invalid: 400,
  unauthorized: 401,
  not_found: 404,
  workflow_not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  client_closed_request: 499,
  internal_error: 500,
  workflow_invalid: 500,
  comfyui_timeout: 504,
});

/** The HTTP status for an error code: the table above, else 502 (ComfyUI failed or was unreachable). */
export function statusForCode(code: string): number {
  return ERROR_STATUS[code] ?? 502;
}

/**
 * The ApiError a failed generation request answers with: statusForCode(code) and the
 * body `{error, error_code, request_id, generation_id?, details?}` (made by handleError).
 */
export function generationError(
  code: string,
  message: string,
  options: { generationId?: string; details?: unknown; cause?: unknown; headers?: Record<string, string> } = {},
): ApiError {
  const fields: Record<string, unknown> = {};
  if (options.generationId !== undefined) fields['generation_id'] = options.generationId;
  if (options.details !== undefined) fields['details'] = options.details;
  return new ApiError(statusForCode(code), code, message, {
    fields,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/** The `internal_error` event fields of an unexpected exception (a bug): message, type, stack. */
export function describeInternalError(err: unknown): { error_code: string; error: string; error_type: string; stack: string } {
  const error = err instanceof Error ? err : new Error(String(err));
  return {
    error_code: 'internal_error',
    error: error.message.slice(0, 1024),
    error_type: error.name,
    stack: (error.stack ?? '').slice(0, 4096),
  };
}
