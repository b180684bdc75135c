import type { ServiceLogger } from '@logtrace/shared';
import { ComfyuiError } from '../comfyui/comfyui-error.js';
import type { ComfyuiClient } from '../comfyui/create-comfyui-client.js';
import { findOrphanedPrompts } from './find-orphaned-prompts.js';

/** What cancelOrphanedPrompts needs. */
export interface OrphanCleanupDeps {
  readonly comfyui: ComfyuiClient;
  readonly logger: ServiceLogger;
  /** This GPU server's instance id, as in the marker of the prompts it submits. */
  readonly instanceId: string;
  /** True while a generation of this process waits for its prompt. */
  isLive(generationId: string): boolean;
}

/** How the cleanup went: `unreachable` when ComfyUI's queue could not be read (nothing was done). */
export type OrphanCleanup =
  { readonly outcome: 'done'; readonly cancelled: number } | { readonly outcome: 'unreachable'; readonly errorCode: string };

/**
 * Run once at start: after a GPU server died mid-generation (SIGKILL, OOM), its prompts
 * stay in ComfyUI's queue and run for nobody. Reads `GET /queue`, and cancels every
 * prompt with this instance's marker and no live generation — deletes the pending ones,
 * interrupts the running one — writing `comfyui_orphan_cancelled` (WARN: request_id,
 * generation_id, prompt_id, `comfyui_cancel`) for each. Never throws: ComfyUI down or
 * answering nonsense means nothing to clean up now (a restarted ComfyUI has an empty
 * queue anyway); a prompt that could not be cancelled is skipped.
 */
export async function cancelOrphanedPrompts(deps: OrphanCleanupDeps): Promise<OrphanCleanup> {
  let queue;
  try {
    queue = await deps.comfyui.listQueue();
  } catch (err) {
    return { outcome: 'unreachable', errorCode: err instanceof ComfyuiError ? err.code : 'internal_error' };
  }
  let cancelled = 0;
  for (const orphan of findOrphanedPrompts(queue, deps.instanceId, (id) => deps.isLive(id))) {
    let how: string;
    try {
      how = await deps.comfyui.cancel(orphan.promptId);
    } catch {
      continue;
    }
    // Finished (or cancelled by someone else) since the queue was read.
    if (how === 'not_queued') continue;
    cancelled += 1;
    deps.logger
      .child({
        ...(orphan.requestId === undefined ? {} : { request_id: orphan.requestId }),
        generation_id: orphan.generationId,
        prompt_id: orphan.promptId,
      })
      .event('comfyui_orphan_cancelled', { prompt_id: orphan.promptId, comfyui_cancel: how, queue_state: orphan.state });
  }
  return { outcome: 'done', cancelled };
}
