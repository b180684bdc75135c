/**
 * Stable error codes of the ComfyUI client (they appear in `error_comfyui` events and in
 * GPU server answers). Transport failures use the socket error's own code
 * (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, ...); an unexpected HTTP status is
 * `comfyui_http_<status>`.
 */
export const COMFYUI_ERROR_CODES = Object.freeze({
  /** POST /prompt answered 400: ComfyUI's validation rejected the graph. */
  promptInvalid: 'prompt_invalid',
  /** A node raised while executing (history `execution_error`). */
  executionError: 'comfyui_execution_error',
  /** The prompt was interrupted (history `execution_interrupted`). */
  interrupted: 'comfyui_interrupted',
  /** A call or the whole job passed its deadline. */
  timeout: 'comfyui_timeout',
  /** A body that is not what ComfyUI sends (not JSON, wrong shape, not an image). */
  badResponse: 'comfyui_bad_response',
  /** The prompt is neither in the queue nor in the history (ComfyUI restarted?). */
  promptLost: 'comfyui_prompt_lost',
  /** The prompt finished without an image output. */
  noImage: 'comfyui_no_image',
  /** GET /view answered 404. */
  imageNotFound: 'image_not_found',
  /** The image is larger than the configured cap. */
  imageTooLarge: 'image_too_large',
  /** A JSON answer larger than the client accepts. */
  responseTooLarge: 'comfyui_response_too_large',
  /** The caller gave up (our own client disconnected); the backend's code for the same. */
  clientClosed: 'client_closed_request',
  /** A transport failure without a socket error code. */
  unreachable: 'comfyui_unreachable',
});

/** ComfyUI's top-level error object of a 400 answer. */
export interface PromptErrorInfo {
  readonly type: string;
  readonly message: string;
  readonly details: string;
}

/** What ComfyUI reported about a failed execution. */
export interface ExecutionFailureInfo {
  readonly node_id: string | undefined;
  readonly node_type: string | undefined;
  readonly exception_type: string | undefined;
  readonly exception_message: string | undefined;
}

/** Extra data carried by a ComfyuiError. */
export interface ComfyuiErrorOptions {
  /** The HTTP status ComfyUI answered, when the failure was an answer. */
  readonly status?: number;
  /** ComfyUI's `node_errors`, unchanged (a 400 from POST /prompt). */
  readonly nodeErrors?: unknown;
  readonly promptError?: PromptErrorInfo;
  readonly execution?: ExecutionFailureInfo;
  readonly cause?: unknown;
}

/** A failed ComfyUI call or job, with a stable `code` and what ComfyUI said. */
export class ComfyuiError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly nodeErrors: unknown;
  readonly promptError: PromptErrorInfo | undefined;
  readonly execution: ExecutionFailureInfo | undefined;

  constructor(code: string, message: string, options: ComfyuiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ComfyuiError';
    this.code = code;
    this.status = options.status;
    this.nodeErrors = options.nodeErrors;
    this.promptError = options.promptError;
    this.execution = options.execution;
  }
}

/** Up to `max` characters of a body for an error message, control characters escaped. */
export function snippet(text: string, max = 160): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) =>
    ch === '\n' ? '\\n' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
