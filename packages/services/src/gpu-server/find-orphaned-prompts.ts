import { isUuidV4 } from '@logtrace/shared';
import type { QueueListing } from '../comfyui/create-comfyui-client.js';

/** A prompt in ComfyUI's queue that this GPU server submitted and no generation waits for. */
export interface OrphanedPrompt {
  readonly promptId: string;
  readonly state: 'running' | 'pending';
  readonly generationId: string;
  /** Absent when the marker's request id is not a UUID v4 (it is never logged then). */
  readonly requestId: string | undefined;
}

/** The marker the GPU server puts in `extra_data.extra_pnginfo.logtrace` of every prompt it submits. */
export interface PromptMarker {
  readonly request_id: string;
  readonly generation_id: string;
  /** The submitting GPU server's instance id (GPU_SERVER_ID). */
  readonly gpu_server: string;
  /** The generation's W3C trace id, when it had one. */
  readonly trace_id?: string;
  /** `traceparent` naming the GPU server's span of the generation, for a consumer inside ComfyUI to continue. */
  readonly traceparent?: string;
}

const PROMPT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The queue items that carry this GPU server's marker (`gpu_server` equal to
 * `instanceId`, a UUID v4 generation id) and whose generation is not live in this
 * process: prompts an earlier run submitted before it died. Pending ones first, then
 * the running one, the order to cancel them in (deleting the pending first keeps the
 * next one from starting when the running one is interrupted). Other clients' prompts,
 * other instances' and malformed markers are left alone. Pure.
 */
export function findOrphanedPrompts(queue: QueueListing, instanceId: string, isLive: (generationId: string) => boolean): OrphanedPrompt[] {
  const orphans: OrphanedPrompt[] = [];
  for (const [state, entries] of [
    ['pending', queue.pending],
    ['running', queue.running],
  ] as const) {
    for (const entry of entries) {
      const marker = markerOf(entry.extraData);
      if (marker === undefined || marker.gpu_server !== instanceId || !PROMPT_ID.test(entry.promptId)) continue;
      if (isLive(marker.generation_id)) continue;
      orphans.push({
        promptId: entry.promptId,
        state,
        generationId: marker.generation_id,
        requestId: isUuidV4(marker.request_id) ? marker.request_id : undefined,
      });
    }
  }
  return orphans;
}

function markerOf(extraData: unknown): PromptMarker | undefined {
  const pnginfo = field(extraData, 'extra_pnginfo');
  const marker = field(pnginfo, 'logtrace');
  const generationId = field(marker, 'generation_id');
  const instance = field(marker, 'gpu_server');
  if (typeof instance !== 'string' || !isUuidV4(generationId)) return undefined;
  const requestId = field(marker, 'request_id');
  return { gpu_server: instance, generation_id: generationId, request_id: typeof requestId === 'string' ? requestId : '' };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
