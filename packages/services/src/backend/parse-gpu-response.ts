import { isUuidV4 } from '@logtrace/shared';

/** The generated image as the GPU server returns it and the backend passes it on. */
export interface GpuImage {
  readonly filename: string;
  /** MIME type, e.g. `image/png`. */
  readonly content_type: string;
  /** Decoded size in bytes; equals the length of the base64 payload once decoded. */
  readonly size_bytes: number;
  readonly base64: string;
}

/** A successful GPU server answer (HTTP 2xx). */
export interface GpuSuccess {
  readonly request_id: string;
  readonly generation_id: string;
  readonly prompt_id: string;
  readonly image: GpuImage;
}

/** A GPU server error answer (HTTP 4xx/5xx) in the contract's shape. */
export interface GpuFailure {
  /** Human message, at most 500 characters. */
  readonly error: string;
  /** Stable code, e.g. `prompt_invalid`, `workflow_not_found`, `comfyui_http_500`. */
  readonly error_code: string;
  readonly generation_id: string | undefined;
  /** Free-form reasons (e.g. ComfyUI node errors); undefined when absent or too large. */
  readonly details: unknown;
}

/** What a GPU server response body turned out to be. */
export type ParsedGpuResponse =
  | { readonly kind: 'image'; readonly success: GpuSuccess }
  | { readonly kind: 'failure'; readonly failure: GpuFailure }
  | { readonly kind: 'invalid'; readonly errorCode: string; readonly problem: string };

const CODE = /^[A-Za-z0-9][\w.:-]{0,63}$/;
const PROMPT_ID = /^[\w.:-]{1,128}$/;
const CONTENT_TYPE = /^image\/[a-z0-9.+-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const FILENAME_BAD = /[\u0000-\u001f\u007f/\\]/;
const MAX_DETAILS_CHARS = 16 * 1024;

/**
 * Parses a GPU server response body (raw bytes) against the contract documented in the
 * README: on 2xx `{request_id, generation_id, prompt_id, image}`, on 4xx/5xx
 * `{error, error_code, generation_id?, details?}`. Anything else, including a 2xx
 * whose `request_id` is not ours or whose image size does not match its payload, is
 * `invalid` with a code (`gpu_bad_response`, or `gpu_http_<status>` for an error
 * status) and a problem that quotes no received values. Pure.
 */
export function parseGpuResponse(status: number, bytes: Uint8Array, requestId: string): ParsedGpuResponse {
  const ok = status >= 200 && status < 300;
  const invalid = (problem: string): ParsedGpuResponse => ({
    kind: 'invalid',
    errorCode: ok ? 'gpu_bad_response' : `gpu_http_${status}`,
    problem: `GPU server answered ${status} with ${problem}`,
  });
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid(bytes.byteLength === 0 ? 'an empty body' : 'a body that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('JSON that is not an object');
  const body = value as Record<string, unknown>;
  if (!ok) {
    const failure = readFailure(body);
    return failure === undefined ? invalid('an error body without error and error_code') : { kind: 'failure', failure };
  }
  const problem = checkSuccess(body, requestId);
  return problem === undefined ? { kind: 'image', success: pickSuccess(body) } : invalid(problem);
}

function readFailure(body: Record<string, unknown>): GpuFailure | undefined {
  const { error, error_code: code, generation_id: generationId, details } = body;
  if (typeof error !== 'string' || typeof code !== 'string' || !CODE.test(code)) return undefined;
  const detailsText = details === undefined ? undefined : JSON.stringify(details);
  return {
    error: error.length > 500 ? `${error.slice(0, 497)}...` : error,
    error_code: code,
    generation_id: isUuidV4(generationId) ? generationId.toLowerCase() : undefined,
    details: detailsText !== undefined && detailsText.length <= MAX_DETAILS_CHARS ? details : undefined,
  };
}

function checkSuccess(body: Record<string, unknown>, requestId: string): string | undefined {
  if (typeof body['request_id'] !== 'string' || body['request_id'].toLowerCase() !== requestId) {
    return 'a request_id that is not the one sent';
  }
  if (!isUuidV4(body['generation_id'])) return 'a generation_id that is not a UUID v4';
  if (typeof body['prompt_id'] !== 'string' || !PROMPT_ID.test(body['prompt_id'])) return 'a missing or malformed prompt_id';
  const image = body['image'];
  if (typeof image !== 'object' || image === null || Array.isArray(image)) return 'no image object';
  const { filename, content_type: type, size_bytes: size, base64 } = image as Record<string, unknown>;
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255 || FILENAME_BAD.test(filename)) {
    return 'a missing or unsafe image.filename';
  }
  if (typeof type !== 'string' || !CONTENT_TYPE.test(type)) return 'an image.content_type that is not image/*';
  if (typeof base64 !== 'string' || base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    return 'an image.base64 that is not base64';
  }
  if (!Number.isSafeInteger(size) || size !== decodedLength(base64)) {
    return 'an image.size_bytes that does not match the decoded image';
  }
  return undefined;
}

function pickSuccess(body: Record<string, unknown>): GpuSuccess {
  const image = body['image'] as Record<string, unknown>;
  // Copy only the contract's fields: nothing else the GPU server sent reaches the client.
  return {
    request_id: (body['request_id'] as string).toLowerCase(),
    generation_id: (body['generation_id'] as string).toLowerCase(),
    prompt_id: body['prompt_id'] as string,
    image: {
      filename: image['filename'] as string,
      content_type: image['content_type'] as string,
      size_bytes: image['size_bytes'] as number,
      base64: image['base64'] as string,
    },
  };
}

function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}
