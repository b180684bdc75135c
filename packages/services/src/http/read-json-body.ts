import { readCappedBody } from './read-capped-body.js';

/** One problem with a request, reported to the caller and in `validation_error`. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A parsed JSON body, or why there is none (400 malformed/wrong type, 413 too large). */
export type JsonBodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly errors: readonly FieldProblem[] };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a request body as JSON without trusting it: requires a JSON content type,
 * refuses bodies over `maxBytes` (by Content-Length up front, and by counting while
 * streaming), requires valid UTF-8 and valid JSON. Never throws.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBodyResult> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(contentType)) {
    return fail(400, 'content-type', 'must be application/json');
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return fail(413, 'body', `must be at most ${maxBytes} bytes`);
  }
  const bytes = await readCapped(request, maxBytes);
  if (bytes === 'too_large') return fail(413, 'body', `must be at most ${maxBytes} bytes`);
  if (bytes === 'unreadable') return fail(400, 'body', 'could not be read');
  if (bytes.byteLength === 0) return fail(400, 'body', 'is required');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(400, 'body', 'must be valid UTF-8');
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return fail(400, 'body', 'must be valid JSON');
  }
}

async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | 'too_large' | 'unreadable'> {
  try {
    return (await readCappedBody(request.body, maxBytes)) ?? 'too_large';
  } catch {
    return 'unreadable';
  }
}

function fail(status: 400 | 413, field: string, message: string): JsonBodyResult {
  return { ok: false, status, errors: [{ field, message }] };
}
