import { EVENT, type EventName } from '@logtrace/shared/schema';

/** The event whose `duration_ms` is the generation time (prompt sent → outputs ready). */
export const GENERATION_EVENT: EventName = EVENT.comfyui_complete;

/** The stages perf reads from `duration_ms`, and the event whose `duration_ms` measures each. */
export const STAGE_EVENTS = Object.freeze({
  /** Whole request inside the backend, every request (`response_sent`). */
  backend_end_to_end: EVENT.response_sent,
  /** Backend → GPU server → backend, every answered call (`gpu_response`). */
  gpu_round_trip: EVENT.gpu_response,
  /** Fetching the image from ComfyUI (`image_retrieved`). */
  image_transfer: EVENT.image_retrieved,
} satisfies Record<string, EventName>);

/**
 * The stages inside ComfyUI, from its websocket (docs/log-format.md), and the field of
 * `comfyui_complete` each is read from, ms: the prompts that succeeded with the
 * websocket up, so both describe the prompts the generation time does (queue wait +
 * execution + polling granularity). `comfyui_execution_start` has the queue wait of
 * failed prompts too, but reading it would cost perf a third byte needle on every
 * line of every log (perf-job.ts).
 */
export const COMFYUI_STAGE_FIELDS: readonly (readonly [ComfyuiStage, 'queue_wait_ms' | 'execution_ms'])[] = Object.freeze([
  ['queue_wait', 'queue_wait_ms'],
  ['execution', 'execution_ms'],
] as const);

/** A stage inside ComfyUI. */
export type ComfyuiStage = 'queue_wait' | 'execution';

/** Name of a reported stage. */
export type StageName = keyof typeof STAGE_EVENTS | ComfyuiStage;

/** Every reported stage, in report order. */
export const STAGE_NAMES: readonly StageName[] = Object.freeze([
  ...(Object.keys(STAGE_EVENTS) as (keyof typeof STAGE_EVENTS)[]),
  'queue_wait',
  'execution',
]);

/**
 * Every event perf reads, whose index the scan kernel reports for each line (at most
 * 8): first those read for their `duration_ms`, then ComfyUI's node events.
 */
export const PERF_EVENTS: readonly EventName[] = Object.freeze([
  GENERATION_EVENT,
  ...Object.values(STAGE_EVENTS),
  EVENT.comfyui_node_executed,
  EVENT.comfyui_nodes_cached,
  EVENT.comfyui_progress,
]);
