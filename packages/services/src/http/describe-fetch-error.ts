/** A transport failure of an outbound call, as logged in `error_code` / `error`. */
export interface FetchFailure {
  /** The system or undici code, e.g. `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`; `fetch_failed` when none. */
  readonly code: string;
  /** The error messages along the cause chain, at most 300 characters. */
  readonly message: string;
}

const CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/**
 * Describes an error thrown by `fetch` or by reading a response body. undici reports
 * network failures as `TypeError: fetch failed` (or `terminated`) with the real
 * error, and its code, in `cause` (an AggregateError when several addresses failed).
 */
export function describeFetchError(err: unknown): FetchFailure {
  const messages: string[] = [];
  let code: string | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    const candidate = (current as { code?: unknown }).code;
    if (code === undefined && typeof candidate === 'string' && CODE.test(candidate)) code = candidate;
    const message = current instanceof Error ? current.message : String(current);
    if (message !== '' && !messages.includes(message)) messages.push(message);
    const inner: unknown = current instanceof AggregateError ? current.errors[0] : undefined;
    current = (current as { cause?: unknown }).cause ?? inner;
  }
  const message = messages.join(': ') || 'fetch failed';
  return { code: code ?? 'fetch_failed', message: message.length > 300 ? `${message.slice(0, 297)}...` : message };
}
