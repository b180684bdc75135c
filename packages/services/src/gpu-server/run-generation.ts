import type { ServiceLogger } from '@logtrace/shared';
import type { GenerateParams } from '../generation/validate-generate-request.js';
import { COMFYUI_ERROR_CODES as CODES, ComfyuiError } from '../comfyui/comfyui-error.js';
import type { ComfyuiClient } from '../comfyui/create-comfyui-client.js';
import type { ComfyuiWatcher } from '../comfyui/create-comfyui-watcher.js';
import type { ImageRef } from '../comfyui/parse-history-response.js';
import { waitForPrompt } from '../comfyui/wait-for-prompt.js';
import { fillWorkflow } from './fill-workflow.js';
import { ApiError } from '../http/api-error.js';
import { createCallSignal } from '../http/create-call-signal.js';
import { describeInternalError, generationError } from './generation-error.js';
import { loadWorkflow, WorkflowError } from './load-workflow.js';
import type { PromptMarker } from './find-orphaned-prompts.js';
import { summarizeNodeErrors } from './summarize-node-errors.js';

/** What one generation needs from the server. */
export interface GenerationDeps {
  readonly comfyui: ComfyuiClient;
  readonly workflowDir: string;
  /** Overall deadline from submitting until the outputs are ready, in ms. */
  readonly comfyuiTimeoutMs: number;
  readonly pollIntervalMs: number;
  /** Sent as ComfyUI `extra_data.api_key_comfy_org`; never logged. */
  readonly comfyuiApiKey: string | undefined;
  /** This GPU server's instance id, in every prompt's marker (see findOrphanedPrompts). */
  readonly instanceId: string;
  now(): number;
  /** A seed when the request has none. */
  randomSeed(): number;
  /** ComfyUI's websocket; without it generations are polled only, as before issue 13. */
  readonly watcher?: Pick<ComfyuiWatcher, 'clientId' | 'watch'>;
  /** A new UUID v4 (the prompt id asked of ComfyUI when a watcher follows the prompt). */
  newId(): string;
}

/**
 * How long `comfyui_complete` waits for ComfyUI's `execution_success` on the websocket
 * once polling saw the prompt done: ComfyUI sends it before it writes the history, but
 * through a queue, so a poll can overtake it by a few ms. Only waited when it is due.
 */
const SETTLE_MS = 50;

/** The ids of one generation and the request's signal (aborted when the caller goes away). */
export interface GenerationContext {
  readonly requestId: string;
  readonly generationId: string;
  /** Logger whose lines carry request_id and generation_id. */
  readonly logger: ServiceLogger;
  readonly signal: AbortSignal;
}

/** The success answer of `POST /generate`. */
export interface GenerationResult {
  readonly request_id: string;
  readonly generation_id: string;
  readonly prompt_id: string;
  readonly image: { filename: string; content_type: string; size_bytes: number; base64: string };
}

/**
 * One generation (docs/log-format.md "Request outcomes"): load and fill the workflow, submit it, poll until done or
 * the deadline, fetch the image. Writes generation_start, workflow_loaded,
 * comfyui_prompt_sent, comfyui_polling (every 10th poll), comfyui_complete and
 * image_retrieved (with a watcher, also what ComfyUI's websocket tells in between),
 * or error_workflow / error_comfyui (internal_error for a bug), then
 * throws the ApiError to answer with (see generation-error.ts for the statuses).
 * A prompt given up on (deadline, caller gone) is interrupted or removed from the queue.
 */
export async function runGeneration(params: GenerateParams, ctx: GenerationContext, deps: GenerationDeps): Promise<GenerationResult> {
  try {
    return await generate(params, ctx, deps);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // A bug, not a ComfyUI failure; the generation's trace still ends with an error event.
    ctx.logger.event('internal_error', describeInternalError(err));
    throw generationError('internal_error', 'internal server error', { generationId: ctx.generationId, cause: err });
  }
}

async function generate(params: GenerateParams, ctx: GenerationContext, deps: GenerationDeps): Promise<GenerationResult> {
  const log = ctx.logger;
  const seed = params.seed ?? deps.randomSeed();
  log.event('generation_start', {
    workflow: params.workflow,
    width: params.width,
    height: params.height,
    steps: params.steps,
    seed,
    prompt_chars: params.prompt.length,
  });
  let graph;
  try {
    graph = fillWorkflow(await loadWorkflow(deps.workflowDir, params.workflow), { ...params, seed });
  } catch (err) {
    if (!(err instanceof WorkflowError)) throw err;
    log.event('error_workflow', { workflow: params.workflow, error_code: err.code, error: err.message });
    throw generationError(err.code, err.message, { generationId: ctx.generationId, cause: err });
  }
  log.event('workflow_loaded', { workflow: params.workflow, node_count: Object.keys(graph).length });

  // A timer-backed signal: AbortSignal.any() holds its sources weakly, so an
  // AbortSignal.timeout() referenced by nothing else can be collected and never fire.
  const job = createCallSignal(deps.comfyuiTimeoutMs, { client: ctx.signal });
  const sentAt = deps.now();
  let promptLog = log;
  let promptId: string | undefined;
  // Registered before POST /prompt: ComfyUI may start (and say so) before it answers.
  const watch = deps.watcher?.watch({ promptId: deps.newId(), logger: log, graph, sentAt });
  try {
    const queued = await deps.comfyui.submitPrompt(graph, {
      clientId: deps.watcher?.clientId ?? ctx.generationId,
      ...(watch === undefined ? {} : { promptId: watch.promptId }),
      extraData: {
        extra_pnginfo: {
          logtrace: { request_id: ctx.requestId, generation_id: ctx.generationId, gpu_server: deps.instanceId } satisfies PromptMarker,
        },
        ...(deps.comfyuiApiKey === undefined ? {} : { api_key_comfy_org: deps.comfyuiApiKey }),
      },
      signal: job.signal,
    });
    promptId = queued.promptId;
    promptLog = log.child({ prompt_id: promptId });
    const ignored = Object.keys(queued.nodeErrors).length;
    promptLog.event('comfyui_prompt_sent', {
      prompt_id: promptId,
      queue_number: queued.number,
      ...(ignored > 0 ? { node_errors: summarizeNodeErrors(queued.nodeErrors) } : {}),
    });
    watch?.submitted(promptId);
    const outcome = await waitForPrompt(deps.comfyui, promptId, {
      intervalMs: deps.pollIntervalMs,
      signal: job.signal,
      ...(watch === undefined ? {} : { done: watch.done }),
      now: deps.now,
      onPoll: (attempt, elapsedMs) => {
        if (attempt % 10 === 0) promptLog.event('comfyui_polling', { attempt, elapsed_ms: elapsedMs });
      },
    });
    job.dispose();
    const doneAt = deps.now();
    const detail = watch === undefined ? {} : await watch.settle(SETTLE_MS);
    // Nothing from the websocket after comfyui_complete: the prompt's story ends there.
    watch?.end();
    promptLog.event('comfyui_complete', { duration_ms: doneAt - sentAt, attempts: outcome.attempts, ...detail });
    const image = pickImage(outcome.images);
    const fetchStarted = deps.now();
    const fetched = await deps.comfyui.fetchImage(image, ctx.signal);
    promptLog.event('image_retrieved', {
      filename: image.filename,
      size_bytes: fetched.bytes.byteLength,
      duration_ms: deps.now() - fetchStarted,
    });
    return {
      request_id: ctx.requestId,
      generation_id: ctx.generationId,
      prompt_id: promptId,
      image: {
        filename: image.filename,
        content_type: fetched.contentType,
        size_bytes: fetched.bytes.byteLength,
        base64: Buffer.from(fetched.bytes).toString('base64'),
      },
    };
  } catch (err) {
    if (!(err instanceof ComfyuiError)) throw err;
    const cancelled = promptId !== undefined && isGiveUp(err) ? await cancel(deps.comfyui, promptId) : undefined;
    const nodeErrors = err.nodeErrors === undefined ? undefined : summarizeNodeErrors(err.nodeErrors);
    promptLog.event('error_comfyui', {
      error_code: err.code,
      error: err.message,
      ...(err.status === undefined ? {} : { status: err.status }),
      ...(nodeErrors === undefined ? {} : { node_errors: nodeErrors }),
      ...(err.execution === undefined ? {} : compact(err.execution)),
      ...(err.code === CODES.timeout ? { timeout_ms: deps.comfyuiTimeoutMs, elapsed_ms: deps.now() - sentAt } : {}),
      ...(cancelled === undefined ? {} : { comfyui_cancel: cancelled }),
    });
    throw generationError(err.code, err.message, {
      generationId: ctx.generationId,
      details:
        nodeErrors !== undefined
          ? { comfyui_error: err.promptError, node_errors: nodeErrors }
          : err.execution === undefined
            ? undefined
            : compact(err.execution),
      cause: err,
    });
  } finally {
    job.dispose();
    watch?.end();
  }
}

// Prefer a saved image (type output) over previews; outputs come in node id order.
function pickImage(images: readonly ImageRef[]): ImageRef {
  return images.find((image) => image.type === 'output') ?? (images[0] as ImageRef);
}

function isGiveUp(error: ComfyuiError): boolean {
  return error.code === CODES.timeout || error.code === CODES.clientClosed;
}

// Best effort: a prompt nobody waits for should not keep the GPU busy.
async function cancel(comfyui: ComfyuiClient, promptId: string): Promise<string> {
  try {
    return await comfyui.cancel(promptId);
  } catch (err) {
    return `failed: ${err instanceof ComfyuiError ? err.code : 'error'}`;
  }
}

// Defined fields only, long texts (exception messages come from ComfyUI) cut to 1000 characters.
function compact(record: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, typeof value === 'string' && value.length > 1000 ? `${value.slice(0, 1000)}…` : value]),
  );
}
