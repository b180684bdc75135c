import { createCallSignal } from '../http/create-call-signal.js';
import { describeFetchError } from '../http/describe-fetch-error.js';
import { readCappedBody } from '../http/read-capped-body.js';
import { COMFYUI_ERROR_CODES as CODES, ComfyuiError } from './comfyui-error.js';

/** One HTTP call to ComfyUI. */
export interface ComfyuiCall {
  readonly fetch: typeof fetch;
  readonly url: string;
  /** `GET /history/...`, for messages. */
  readonly label: string;
  readonly init?: RequestInit;
  /** This call's own deadline, headers and body, in milliseconds. */
  readonly timeoutMs: number;
  /** The job's signal (overall deadline, caller gone), if any. */
  readonly signal?: AbortSignal;
  /** Largest body read, in bytes; a larger one is refused and cancelled. */
  readonly maxBytes: number;
  /** The code for a body over `maxBytes`. */
  readonly tooLargeCode?: string;
}

/** What came back: status, headers, and the whole body (read within the deadline). */
export interface ComfyuiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

// undici codes for a connection that broke or never came up, in the socket's own terms.
const SOCKET_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  fetch_failed: CODES.unreachable,
};

/**
 * Makes one call under its own deadline combined with the job's signal, and reads the
 * body under the same deadline with a byte cap, so the body is always consumed or
 * cancelled. Every failure is a ComfyuiError: the socket error's code (`ECONNREFUSED`,
 * `ECONNRESET`, ...), `comfyui_timeout`, `client_closed_request` or the too-large code.
 */
export async function callComfyui(call: ComfyuiCall): Promise<ComfyuiAnswer> {
  const deadline = createCallSignal(call.timeoutMs, { job: call.signal });
  try {
    const response = await call.fetch(call.url, { ...call.init, signal: deadline.signal });
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    const body =
      Number.isFinite(declared) && declared > call.maxBytes
        ? await response.body?.cancel().then(() => undefined)
        : await readCappedBody(response.body, call.maxBytes);
    if (body === undefined) {
      throw new ComfyuiError(call.tooLargeCode ?? CODES.responseTooLarge, `${call.label} answered more than ${call.maxBytes} bytes`);
    }
    return { status: response.status, headers: response.headers, body };
  } catch (err) {
    if (err instanceof ComfyuiError) throw err;
    const firedBy = deadline.firedBy();
    if (firedBy === 'job' && call.signal !== undefined) throw abortedError(call.signal, call.label, err);
    if (firedBy === 'timeout') {
      throw new ComfyuiError(CODES.timeout, `${call.label} got no answer within ${call.timeoutMs} ms`, { cause: err });
    }
    const failure = describeFetchError(err);
    throw new ComfyuiError(SOCKET_CODES[failure.code] ?? failure.code, `${call.label} failed: ${failure.message}`, { cause: err });
  } finally {
    deadline.dispose();
  }
}

/** The error for a job signal that aborted: its deadline passed, or its caller went away. */
export function abortedError(signal: AbortSignal, label: string, cause?: unknown): ComfyuiError {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new ComfyuiError(CODES.timeout, `${label}: the job deadline passed`, { cause });
  }
  if (reason instanceof ComfyuiError) return reason;
  return new ComfyuiError(CODES.clientClosed, `${label}: cancelled because the caller went away`, { cause });
}

/** True for failures worth one retry of an idempotent GET: the connection broke or was refused. */
export function isRetryable(error: ComfyuiError): boolean {
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(error.code);
}
