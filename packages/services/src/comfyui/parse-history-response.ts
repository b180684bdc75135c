import { COMFYUI_ERROR_CODES as CODES, ComfyuiError, snippet } from './comfyui-error.js';
import { httpError, isObject, parseJsonText, type Parsed } from './parse-prompt-response.js';

/** Where ComfyUI keeps one output image: the three `/view` parameters. */
export interface ImageRef {
  readonly filename: string;
  readonly subfolder: string;
  /** `output`, `temp` or `input`. */
  readonly type: string;
  /** The output node that produced it. */
  readonly nodeId: string;
}

/** A finished or unfinished prompt, as `GET /history/{prompt_id}` tells it. */
export type PromptState =
  /** `{}`: pending, running, or unknown to ComfyUI (there is no 404). */
  { readonly state: 'pending' } | { readonly state: 'success'; readonly images: readonly ImageRef[] };

/**
 * Reads ComfyUI's answer to `GET /history/{prompt_id}`: `{}` while not finished,
 * `{id: {prompt, outputs, status, meta}}` once finished. A finished prompt whose
 * `status.status_str` is `error` becomes `comfyui_execution_error` or
 * `comfyui_interrupted` with the exception type, message and node from
 * `status.messages`. Entries without `status` (ComfyUI before 2024-01) count as success.
 */
export function parseHistoryResponse(status: number, text: string, promptId: string): Parsed<PromptState> {
  if (status !== 200) return { ok: false, error: httpError(`GET /history/${promptId}`, status, text) };
  const body = parseJsonText(text);
  if (!isObject(body)) return bad(`GET /history answered a body that is not a JSON object: ${snippet(text)}`);
  if (Object.keys(body).length === 0) return { ok: true, value: { state: 'pending' } };
  const entry = Object.hasOwn(body, promptId) ? body[promptId] : undefined;
  if (!isObject(entry)) return bad(`GET /history/${promptId} answered without an entry for that prompt`);
  const outputs = entry['outputs'] ?? {};
  if (!isObject(outputs)) return bad('the history entry has outputs that are not an object');
  const statusInfo = entry['status'];
  if (statusInfo !== undefined && statusInfo !== null) {
    if (!isObject(statusInfo)) return bad('the history entry has a status that is not an object');
    if (statusInfo['status_str'] === 'error' || statusInfo['completed'] === false) {
      return { ok: false, error: executionFailure(promptId, statusInfo['messages']) };
    }
    if (statusInfo['status_str'] !== 'success') {
      return bad(`the history entry has an unknown status_str ${snippet(JSON.stringify(statusInfo['status_str']) ?? '')}`);
    }
  }
  return { ok: true, value: { state: 'success', images: collectImages(outputs) } };
}

function bad(message: string): Parsed<PromptState> {
  return { ok: false, error: new ComfyuiError(CODES.badResponse, message, { status: 200 }) };
}

// Output images in node id order, the `images` list of each output node.
function collectImages(outputs: Record<string, unknown>): ImageRef[] {
  const images: ImageRef[] = [];
  const ids = Object.keys(outputs).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const nodeId of ids) {
    const ui = outputs[nodeId];
    if (!isObject(ui) || !Array.isArray(ui['images'])) continue;
    for (const image of ui['images']) {
      if (!isObject(image) || typeof image['filename'] !== 'string' || image['filename'] === '') continue;
      images.push({
        filename: image['filename'],
        subfolder: typeof image['subfolder'] === 'string' ? image['subfolder'] : '',
        type: typeof image['type'] === 'string' ? image['type'] : 'output',
        nodeId,
      });
    }
  }
  return images;
}

// The execution_error / execution_interrupted message of a failed prompt.
function executionFailure(promptId: string, messages: unknown): ComfyuiError {
  const list = Array.isArray(messages) ? messages : [];
  const find = (name: string): Record<string, unknown> | undefined => {
    for (const message of list) {
      if (Array.isArray(message) && message[0] === name && isObject(message[1])) return message[1];
    }
    return undefined;
  };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const interrupted = find('execution_interrupted');
  if (interrupted !== undefined) {
    const nodeId = text(interrupted['node_id']);
    const nodeType = text(interrupted['node_type']);
    const where = nodeId === undefined ? '' : ` at node ${nodeId}${nodeType === undefined ? '' : ` (${nodeType})`}`;
    return new ComfyuiError(CODES.interrupted, `ComfyUI interrupted prompt ${promptId}${where}`, {
      execution: { node_id: nodeId, node_type: nodeType, exception_type: undefined, exception_message: undefined },
    });
  }
  const error = find('execution_error');
  if (error === undefined) {
    return new ComfyuiError(CODES.executionError, `ComfyUI reported prompt ${promptId} failed without saying why`);
  }
  const execution = {
    node_id: text(error['node_id']),
    node_type: text(error['node_type']),
    exception_type: text(error['exception_type']),
    exception_message: text(error['exception_message'])?.trim(),
  };
  const node =
    execution.node_id === undefined
      ? ''
      : ` in node ${execution.node_id}${execution.node_type === undefined ? '' : ` (${execution.node_type})`}`;
  const what = [execution.exception_type, execution.exception_message].filter((s) => s !== undefined && s !== '').join(': ');
  return new ComfyuiError(CODES.executionError, `ComfyUI failed${node}: ${snippet(what === '' ? 'unknown error' : what, 500)}`, {
    execution,
  });
}
