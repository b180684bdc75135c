import { COMFYUI_ERROR_CODES as CODES, ComfyuiError, snippet } from './comfyui-error.js';

/** A prompt ComfyUI accepted. */
export interface QueuedPrompt {
  readonly promptId: string;
  /** The queue number ComfyUI gave it (negative for `front`). */
  readonly number: number;
  /** Usually `{}`; on a 200 it lists outputs that failed validation and will not run. */
  readonly nodeErrors: Record<string, unknown>;
}

/** A parsed wire answer: the value, or the error it amounts to. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ComfyuiError };

/** JSON.parse that returns undefined for text that is not JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const fail = <T>(error: ComfyuiError): Parsed<T> => ({ ok: false, error });

/**
 * Reads ComfyUI's answer to `POST /prompt`: 200 `{prompt_id, number, node_errors}`;
 * 400 `{error: {type, message, details, extra_info}, node_errors}` (`prompt_invalid`,
 * node_errors passed on unchanged); anything else, such as aiohttp's 500 text page, is
 * `comfyui_http_<status>`; a body of the wrong shape is `comfyui_bad_response`.
 */
export function parsePromptResponse(status: number, text: string): Parsed<QueuedPrompt> {
  const body = parseJsonText(text);
  if (status === 200) {
    if (!isObject(body)) return fail(bad(`POST /prompt answered 200 with a body that is not a JSON object: ${snippet(text)}`));
    const { prompt_id: promptId, number, node_errors: nodeErrors } = body;
    if (typeof promptId !== 'string' || promptId === '' || typeof number !== 'number' || !Number.isFinite(number)) {
      return fail(bad(`POST /prompt answered 200 without a prompt_id and number: ${snippet(text)}`));
    }
    if (nodeErrors !== undefined && !isObject(nodeErrors)) {
      return fail(bad('POST /prompt answered 200 with node_errors that is not an object'));
    }
    return { ok: true, value: { promptId, number, nodeErrors: nodeErrors ?? {} } };
  }
  if (status === 400 && isObject(body) && isObject(body['error'])) {
    const error = body['error'];
    const promptError = {
      type: typeof error['type'] === 'string' ? error['type'] : 'unknown',
      message: typeof error['message'] === 'string' ? error['message'] : 'ComfyUI rejected the prompt',
      details: typeof error['details'] === 'string' ? error['details'] : '',
    };
    const nodeErrors = isObject(body['node_errors']) ? body['node_errors'] : {};
    const details = promptError.details === '' ? '' : `: ${promptError.details}`;
    return fail(
      new ComfyuiError(CODES.promptInvalid, `ComfyUI rejected the prompt (${promptError.type}): ${promptError.message}${details}`, {
        status,
        nodeErrors,
        promptError,
      }),
    );
  }
  return fail(httpError('POST /prompt', status, text));
}

/** `comfyui_http_<status>` with the start of the body in the message. */
export function httpError(call: string, status: number, text: string): ComfyuiError {
  const body = text.trim() === '' ? 'an empty body' : snippet(text.trim());
  return new ComfyuiError(`comfyui_http_${status}`, `${call} answered HTTP ${status}: ${body}`, { status });
}

function bad(message: string): ComfyuiError {
  return new ComfyuiError(CODES.badResponse, message, { status: 200 });
}
