import { isObject, parseJsonText } from './parse-prompt-response.js';

/** A websocket message from ComfyUI that the GPU server uses, checked and reduced to what it reads. */
export type ComfyuiWsMessage =
  | { readonly type: 'status'; readonly queueRemaining: number }
  | { readonly type: 'execution_start' | 'execution_success'; readonly promptId: string; readonly timestamp: number }
  | { readonly type: 'execution_cached'; readonly promptId: string; readonly nodes: readonly string[] }
  /** `node: null` is the end marker. `promptId` is missing on the resend after a reconnect (server.py:209). */
  | { readonly type: 'executing'; readonly promptId: string | undefined; readonly node: string | null }
  | { readonly type: 'progress'; readonly promptId: string; readonly node: string | null; readonly value: number; readonly max: number }
  | { readonly type: 'execution_error' | 'execution_interrupted'; readonly promptId: string; readonly node: string | null }
  /** Messages about a prompt whose content the GPU server does not read (they still show it is alive). */
  | { readonly type: 'executed' | 'progress_state'; readonly promptId: string };

/** What parseWsMessage made of one text frame. */
export type WsParseResult =
  | { readonly ok: true; readonly message: ComfyuiWsMessage }
  /** `unknown`: a type we do not read (custom nodes send their own); `malformed`: not JSON, or a known type with the wrong shape. */
  | { readonly ok: false; readonly problem: 'unknown' | 'malformed' };

/** ComfyUI's node ids: the graph's keys, `5.0.1` for expanded nodes, `12:3` inside subgraphs. */
const NODE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** The prompt_id contract of docs/log-format.md. */
const PROMPT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Checks one text frame from ComfyUI's `/ws` (docs/comfyui.md "Messages") and keeps only
 * the fields the GPU server reads. Everything is untrusted: ids must look like ids,
 * timestamps and progress must be finite non-negative numbers, and a frame that is not
 * `{"type", "data": {…}}` is malformed. Never throws.
 */
export function parseWsMessage(text: string): WsParseResult {
  const frame = parseJsonText(text);
  if (!isObject(frame) || typeof frame['type'] !== 'string') return MALFORMED;
  const type = frame['type'];
  // feature_flags, logs, and whatever custom nodes send (e.g. crystools.monitor).
  if (!KNOWN.has(type)) return UNKNOWN;
  const data = frame['data'];
  const message = isObject(data) ? readKnown(type, data) : undefined;
  return message === undefined ? MALFORMED : { ok: true, message };
}

const MALFORMED: WsParseResult = Object.freeze({ ok: false, problem: 'malformed' });
const UNKNOWN: WsParseResult = Object.freeze({ ok: false, problem: 'unknown' });
const KNOWN = new Set([
  'status',
  'execution_start',
  'execution_success',
  'execution_cached',
  'executing',
  'progress',
  'execution_error',
  'execution_interrupted',
  'executed',
  'progress_state',
]);

function readKnown(type: string, data: Record<string, unknown>): ComfyuiWsMessage | undefined {
  if (type === 'status') {
    const status = data['status'];
    const info = isObject(status) ? status['exec_info'] : undefined;
    const remaining = isObject(info) ? info['queue_remaining'] : undefined;
    return isCount(remaining) ? { type, queueRemaining: remaining } : undefined;
  }
  const promptId = data['prompt_id'];
  if (type === 'executing') {
    const node = data['node'];
    if (node !== null && !isNodeId(node)) return undefined;
    if (promptId === undefined) return { type, promptId: undefined, node };
    return isPromptId(promptId) ? { type, promptId, node } : undefined;
  }
  if (!isPromptId(promptId)) return undefined;
  switch (type) {
    case 'execution_start':
    case 'execution_success': {
      const timestamp = data['timestamp'];
      return isCount(timestamp) ? { type, promptId, timestamp } : undefined;
    }
    case 'execution_cached': {
      const nodes = data['nodes'];
      return Array.isArray(nodes) && nodes.every(isNodeId) ? { type, promptId, nodes } : undefined;
    }
    case 'progress': {
      const [node, value, max] = [data['node'], data['value'], data['max']];
      if (!(node === null || isNodeId(node)) || !isAmount(value) || !isAmount(max)) return undefined;
      return { type, promptId, node, value, max };
    }
    case 'execution_error':
    case 'execution_interrupted': {
      const node = data['node_id'];
      return { type, promptId, node: isNodeId(node) ? node : null };
    }
    default:
      return { type: type as 'executed' | 'progress_state', promptId };
  }
}

function isPromptId(value: unknown): value is string {
  return typeof value === 'string' && PROMPT_ID.test(value);
}

function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}
