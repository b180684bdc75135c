/** HTTP status the GPU server answers for each error code (502 for any other ComfyUI failure). */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  invalid_request: 400,
  prompt_invalid: 400,
  unauthorized: 401,
  not_found: 404,
  workflow_not_found: 404,
  body_too_large: 413,
  client_closed: 499,
  workflow_invalid: 500,
  internal: 500,
  comfyui_timeout: 504,
});

/** The HTTP status for an error code: the table above, else 502 (ComfyUI failed or was unreachable). */
export function statusForCode(code: string): number {
  return ERROR_STATUS[code] ?? 502;
}

/**
 * A generation request that ends in an error answer: `app.onError` turns it into
 * `{error, error_code, request_id, generation_id?, details?}` with statusForCode(code).
 */
export class GenerationError extends Error {
  readonly code: string;
  readonly status: number;
  readonly generationId: string | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, options: { generationId?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GenerationError';
    this.code = code;
    this.status = statusForCode(code);
    this.generationId = options.generationId;
    this.details = options.details;
  }
}
