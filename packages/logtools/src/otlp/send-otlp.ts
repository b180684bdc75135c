import type { OtlpJsonTraces } from '@logtrace/shared/otel';
import { LogtraceError, EXIT_CODES } from '../logtrace-error.js';

/** An export the receiver did not take: unreachable, refused, or answering an error. Exit 2. */
export class OtlpSendError extends LogtraceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.usage, options);
  }
}

/** How to reach an OTLP/HTTP receiver. */
export interface OtlpTarget {
  /** The full `/v1/traces` URL. */
  readonly url: string;
  /** Extra request headers (`OTEL_EXPORTER_OTLP_HEADERS`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Deadline of one request, in ms. */
  readonly timeoutMs: number;
}

// Statuses OTLP/HTTP says to retry (with backoff); others are final.
const RETRYABLE = new Set([429, 502, 503, 504]);
const BACKOFF_MS = [500, 1500];

/**
 * The `/v1/traces` URL of an endpoint given as `--otlp-endpoint` (an http(s) base URL
 * like OTEL_EXPORTER_OTLP_ENDPOINT, `/v1/traces` appended unless the path already ends
 * so), or a message saying what is wrong with it. Pure.
 */
export function tracesUrl(endpoint: string): { url: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    return { problem: `--otlp-endpoint: expected an http:// or https:// URL, got "${endpoint.slice(0, 200)}"` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { problem: `--otlp-endpoint: expected http or https, got ${parsed.protocol}` };
  if (parsed.username !== '' || parsed.password !== '')
    return { problem: '--otlp-endpoint: put credentials in OTEL_EXPORTER_OTLP_HEADERS, not in the URL' };
  if (!parsed.pathname.endsWith('/v1/traces')) parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/v1/traces`;
  return { url: parsed.href };
}

/**
 * Reads `OTEL_EXPORTER_OTLP_HEADERS` (or `…_TRACES_HEADERS`): comma-separated `key=value`
 * pairs, values percent-decoded, as the OTel specification defines it; a malformed pair
 * is a problem listed by name only (its value may be a secret). Pure.
 */
export function parseOtlpHeaders(text: string | undefined): { headers: Record<string, string>; problems: string[] } {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of (text ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = pair.slice(0, Math.max(0, eq)).trim();
    let value: string | undefined;
    try {
      value = eq > 0 ? decodeURIComponent(pair.slice(eq + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || value === undefined || /[\r\n\0]/.test(value)) {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS: a malformed entry${key === '' ? '' : ` for "${key.slice(0, 64)}"`}`);
      continue;
    }
    headers[key.toLowerCase()] = value;
  }
  return { headers, problems };
}

/**
 * POSTs one OTLP/JSON request to the receiver, retrying 429/502/503/504 and network
 * failures twice with backoff; throws OtlpSendError when it is not taken (never with a
 * header value in the message).
 */
export async function sendOtlp(
  target: OtlpTarget,
  body: OtlpJsonTraces,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const text = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    let failure: string;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { ...target.headers, 'content-type': 'application/json' },
        body: text,
        signal: AbortSignal.timeout(target.timeoutMs),
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      failure = `answered HTTP ${response.status}`;
      if (!RETRYABLE.has(response.status)) throw new OtlpSendError(`the OTLP receiver at ${target.url} ${failure}`);
    } catch (error) {
      if (error instanceof OtlpSendError) throw error;
      failure =
        error instanceof Error && error.name === 'TimeoutError'
          ? `did not answer within ${target.timeoutMs} ms`
          : `is unreachable (${describe(error)})`;
    }
    const delay = BACKOFF_MS[attempt];
    if (delay === undefined) throw new OtlpSendError(`the OTLP receiver at ${target.url} ${failure}`);
    await sleep(delay);
  }
}

// undici's TypeError says only "fetch failed"; its cause says why (ECONNREFUSED, ENOTFOUND, "bad port").
function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
