import { handlerFrame, parseRequestJson } from './aiohttp-errors.js';
import type { ComfyuiConsole } from './comfyui-console.js';
import type { EmulatorState } from './create-emulator-state.js';
import type { ExecutionFault } from './prompt-types.js';
import { isRecord } from './node-catalog.js';
import { pyTruthy } from './convert-input-value.js';
import { pickFault, type FaultSettings } from './pick-fault.js';
import { PythonError, pyTypeName } from './python-error.js';
import { formatPyRepr } from './python-format.js';
import { validatePrompt } from './validate-prompt.js';

/** What POST /prompt answers. */
export type PostPromptOutcome =
  | { readonly kind: 'json'; readonly status: 200 | 400; readonly body: Record<string, unknown> }
  /** Fault `garbage`: an HTML page with status 200. */
  | { readonly kind: 'garbage' }
  /** Fault `reset`: close the connection without an answer. */
  | { readonly kind: 'reset' };

/** What handlePostPrompt needs. */
export interface PostPromptDeps {
  readonly state: EmulatorState;
  readonly console: ComfyuiConsole;
  readonly faults: FaultSettings;
  newId(): string;
  random(): number;
}

// ComfyUI removes these from extra_data before queueing (they never reach history).
const SENSITIVE_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];

const POST_PROMPT = handlerFrame('post_prompt', 677, 'json_data =  await request.json()');

/**
 * ComfyUI's `post_prompt` (server.py) after `got prompt` was logged: parse the body,
 * take a queue number, validate, queue. Throws a PythonError wherever ComfyUI raises
 * (malformed JSON, a body that is not an object, fault `http500`), which becomes 500.
 */
export function handlePostPrompt(bodyText: string, deps: PostPromptDeps): PostPromptOutcome {
  const body = parseRequestJson(bodyText, POST_PROMPT);
  if (!isRecord(body)) {
    if (Array.isArray(body) || typeof body === 'string') return noPrompt(deps);
    throw new PythonError('TypeError', `argument of type '${pyTypeName(body)}' is not iterable`, [
      handlerFrame('post_prompt', 681, 'if "number" in json_data:'),
    ]);
  }
  const fault = pickFault(body['prompt'], deps.faults, deps.random);
  if (fault === 'http500') throw onPromptHandlerError();
  let number: number;
  if (Object.hasOwn(body, 'number')) {
    number = Number(body['number']);
    if (typeof body['number'] === 'boolean' || !Number.isFinite(number)) {
      throw new PythonError('ValueError', `could not convert string to float: ${formatPyRepr(body['number'])}`, [
        handlerFrame('post_prompt', 682, "number = float(json_data['number'])"),
      ]);
    }
  } else {
    number = deps.state.takeNumber(Object.hasOwn(body, 'front') && pyTruthy(body['front']));
  }
  if (!Object.hasOwn(body, 'prompt')) return noPrompt(deps, false);
  if (fault === 'garbage' || fault === 'reset') return { kind: fault };
  const promptId = Object.hasOwn(body, 'prompt_id') ? String(body['prompt_id']) : deps.newId();
  const validation = validatePrompt(body['prompt'], deps.state.catalog, body['partial_execution_targets']);
  for (const line of validation.logLines) deps.console.log(line);
  if (!validation.ok) {
    deps.console.log(`invalid prompt: ${formatPyRepr(validation.error)}`);
    return { kind: 'json', status: 400, body: { error: validation.error, node_errors: validation.nodeErrors } };
  }
  const extraData: Record<string, unknown> = isRecord(body['extra_data']) ? { ...body['extra_data'] } : {};
  if (Object.hasOwn(body, 'client_id')) extraData['client_id'] = body['client_id'];
  for (const key of SENSITIVE_KEYS) delete extraData[key];
  deps.state.queue.put({
    number,
    promptId,
    graph: validation.graph,
    extraData,
    outputs: validation.outputs,
    fault: fault as ExecutionFault | undefined,
  });
  return { kind: 'json', status: 200, body: { prompt_id: promptId, number, node_errors: validation.nodeErrors } };
}

function noPrompt(deps: PostPromptDeps, takeNumber = true): PostPromptOutcome {
  if (takeNumber) deps.state.takeNumber(false);
  const error = { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} };
  return { kind: 'json', status: 400, body: { error, node_errors: {} } };
}

// The most common real cause of a 500 on /prompt: a custom node's on_prompt hook raising.
function onPromptHandlerError(): PythonError {
  return new PythonError('KeyError', "'workflow'", [
    handlerFrame('post_prompt', 678, 'json_data = self.trigger_on_prompt(json_data)'),
    handlerFrame('trigger_on_prompt', 1056, 'json_data = handler(json_data)'),
    {
      file: '/workspace/ComfyUI/custom_nodes/comfyui-workflow-tools/__init__.py',
      line: 41,
      func: 'on_prompt',
      code: "workflow = json_data['extra_data']['extra_pnginfo']['workflow']",
      caret: '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^^',
    },
  ]);
}
