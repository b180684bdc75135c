import { COMFYUI_ERROR_CODES as CODES, ComfyUiError } from './comfyui-error.js';

/** One HTTP call to ComfyUI. */
export interface ComfyCall {
  readonly fetch: typeof fetch;
  readonly url: string;
  /** `GET /history/...`, for messages. */
  readonly label: string;
  readonly init?: RequestInit;
  /** This call's own deadline, in milliseconds. */
  readonly timeoutMs: number;
  /** The job's signal (overall deadline, caller gone), if any. */
  readonly signal?: AbortSignal;
  /** Largest body read, in bytes; a larger one is refused and cancelled. */
  readonly maxBytes: number;
  /** The code for a body over `maxBytes`. */
  readonly tooLargeCode?: string;
}

/** What came back: status, headers, and the whole body (read within the deadline). */
export interface ComfyAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * Makes one call under `AbortSignal.any([job signal, per-call timeout])` and reads the
 * body under the same signal with a byte cap, so the body is always consumed or
 * cancelled. Every failure is a ComfyUiError: the socket error's code
 * (`ECONNREFUSED`, ...), `comfyui_timeout`, `client_closed` or a too-large code.
 */
export async function callComfyUi(call: ComfyCall): Promise<ComfyAnswer> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]);
  let response: Response;
  try {
    response = await call.fetch(call.url, { ...call.init, signal });
  } catch (err) {
    throw transportError(err, call, timeout);
  }
  try {
    return { status: response.status, headers: response.headers, body: await readCapped(response, call) };
  } catch (err) {
    await response.body?.cancel().catch(() => undefined);
    throw err instanceof ComfyUiError ? err : transportError(err, call, timeout);
  }
}

async function readCapped(response: Response, call: ComfyCall): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > call.maxBytes) throw tooLarge(call, declared);
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > call.maxBytes) throw tooLarge(call, total);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(call: ComfyCall, bytes: number): ComfyUiError {
  return new ComfyUiError(
    call.tooLargeCode ?? CODES.responseTooLarge,
    `${call.label} answered more than ${call.maxBytes} bytes (${bytes} seen)`,
  );
}

// undici reports socket failures as TypeError('fetch failed') with the system error as cause.
const SOCKET_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_CLOSED: 'ECONNRESET',
};

function transportError(err: unknown, call: ComfyCall, timeout: AbortSignal): ComfyUiError {
  if (call.signal?.aborted === true) return abortedError(call.signal, call.label, err);
  if (timeout.aborted) {
    return new ComfyUiError(CODES.timeout, `${call.label} got no answer within ${call.timeoutMs} ms`, { cause: err });
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const raw = typeof cause?.code === 'string' ? cause.code : undefined;
  const code = raw === undefined ? CODES.unreachable : (SOCKET_CODES[raw] ?? (/^E[A-Z]+$/.test(raw) ? raw : CODES.unreachable));
  const detail = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return new ComfyUiError(code, `${call.label} failed: ${detail}`, { cause: err });
}

/** The error for a job signal that aborted: its deadline passed, or its caller went away. */
export function abortedError(signal: AbortSignal, label: string, cause?: unknown): ComfyUiError {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new ComfyUiError(CODES.timeout, `${label}: the job deadline passed`, { cause });
  }
  if (reason instanceof ComfyUiError) return reason;
  return new ComfyUiError(CODES.clientClosed, `${label}: cancelled because the caller went away`, { cause });
}

/** True for failures worth one retry of an idempotent GET: the connection broke or was refused. */
export function isRetryable(error: ComfyUiError): boolean {
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(error.code);
}
