/** Options of an ApiError beyond status, code and message. */
export interface ApiErrorOptions {
  /** Extra JSON fields of the response body (never `error`, `error_code` or `request_id`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Extra response headers, e.g. `Allow` on a 405. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * An expected failure of a request, thrown by handlers and turned into the JSON body
 * `{error, error_code, request_id, ...fields}` with `status` by the error handler.
 * `message` is shown to the caller, so it must not carry internals.
 */
export class ApiError extends Error {
  /** HTTP status of the response (400..599; 499 for a client that went away). */
  readonly status: number;
  /** Stable machine code, e.g. `invalid_request`, `gpu_timeout`. */
  readonly code: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/**
 * The error for a request whose client went away before its answer was ready: status
 * 499 (nginx's "client closed request"), so the log shows what happened even though
 * no one reads the response.
 */
export function clientClosedError(): ApiError {
  return new ApiError(499, 'client_closed_request', 'client closed the connection');
}
