import { EVENT, type EventName, type NormalizedRecord } from '@logtrace/shared/schema';

/** One bar of the trace waterfall: an interval relative to the trace's first event. */
export interface TraceStage {
  /** Stable name (`total`, `backend_before_gpu`, `gpu_round_trip`, ...; `comfyui_queue_wait` and `comfyui_execution` split `comfyui`). */
  readonly name: string;
  /** Human label. */
  readonly label: string;
  /** Offset of the start from the first event, ms. */
  readonly start_ms: number;
  readonly duration_ms: number;
}

/** Where the time of a request went, ms; null where the logs do not say. */
export interface TimeBreakdown {
  /** Time in the backend not spent waiting for the GPU server. */
  readonly backend_overhead_ms: number | null;
  /** GPU server from receiving the request to handing the prompt to ComfyUI. */
  readonly gpu_before_comfyui_ms: number | null;
  /** Prompt sent → outputs ready (`comfyui_complete.duration_ms`): ComfyUI queue + execution. */
  readonly comfyui_ms: number | null;
  /** Fetching the image (`image_retrieved.duration_ms`). */
  readonly image_transfer_ms: number | null;
  /** Prompt sent → ComfyUI started it (`comfyui_execution_start.queue_wait_ms`, else `comfyui_complete.queue_wait_ms`). */
  readonly queue_wait_ms: number | null;
  /** ComfyUI's execution of the prompt (`comfyui_complete.execution_ms`). */
  readonly execution_ms: number | null;
}

/**
 * The waterfall of a request: the total, the backend before the GPU call, the GPU
 * round trip, the GPU server before ComfyUI, ComfyUI queue + execution and, from
 * ComfyUI's websocket, its queue wait and execution (`execution_ms`, or for a prompt
 * that did not complete, until the error), the image transfer and the backend after
 * the GPU answer. A stage is left out when its events are missing.
 * `records` must be in time order.
 */
export function traceStages(records: readonly NormalizedRecord[], totalMs: number | null): TraceStage[] {
  const t0 = records[0]?.time;
  if (t0 === undefined) return [];
  const first = (...events: EventName[]) => records.find((r) => r.event !== undefined && (events as readonly string[]).includes(r.event));
  const stages: TraceStage[] = [];
  const add = (name: string, label: string, from: number | undefined, to: number | undefined) => {
    if (from !== undefined && to !== undefined && to >= from) {
      stages.push({ name, label, start_ms: from - t0, duration_ms: to - from });
    }
  };
  if (totalMs !== null) add('total', 'total', t0, t0 + totalMs);
  const request = first(EVENT.generate_request);
  const gpuCall = first(EVENT.gpu_request);
  const gpuAnswer = first(EVENT.gpu_response, EVENT.gpu_error, EVENT.timeout_error);
  const start = first(EVENT.generation_start);
  const sent = first(EVENT.comfyui_prompt_sent);
  const complete = first(EVENT.comfyui_complete);
  const image = first(EVENT.image_retrieved);
  const submitEnd = sent ?? first(EVENT.error_comfyui, EVENT.error_workflow);
  add('backend_before_gpu', 'backend before GPU call', request?.time, gpuCall?.time);
  add('gpu_round_trip', 'GPU server round trip', gpuCall?.time, gpuAnswer?.time);
  add('gpu_before_comfyui', 'GPU server before ComfyUI', start?.time, submitEnd?.time);
  const sentAt = complete?.duration_ms !== undefined ? complete.time - complete.duration_ms : sent?.time;
  if (complete?.duration_ms !== undefined) {
    add('comfyui', 'ComfyUI queue + execution', complete.time - complete.duration_ms, complete.time);
  } else if (sent !== undefined) {
    add('comfyui', 'ComfyUI queue + execution', sent.time, first(EVENT.error_comfyui)?.time);
  }
  const { queueWaitMs, executionMs } = comfyuiTimes(records);
  const executionStart =
    sentAt !== undefined && queueWaitMs !== undefined ? sentAt + queueWaitMs : first(EVENT.comfyui_execution_start)?.time;
  if (sentAt !== undefined && queueWaitMs !== undefined) add('comfyui_queue_wait', 'ComfyUI queue wait', sentAt, sentAt + queueWaitMs);
  if (executionStart !== undefined && executionMs !== undefined) {
    add('comfyui_execution', 'ComfyUI execution', executionStart, executionStart + executionMs);
  } else if (executionStart !== undefined && complete === undefined) {
    // A prompt that failed or was given up on: it ran until the GPU server said so.
    add('comfyui_execution', 'ComfyUI execution', executionStart, first(EVENT.error_comfyui)?.time);
  }
  if (image?.duration_ms !== undefined) add('image_transfer', 'image transfer', image.time - image.duration_ms, image.time);
  add('backend_after_gpu', 'backend after GPU answer', gpuAnswer?.time, first(EVENT.response_sent)?.time);
  return stages;
}

/**
 * ComfyUI's queue wait (`comfyui_execution_start.queue_wait_ms`, else
 * `comfyui_complete.queue_wait_ms`) and execution (`comfyui_complete.execution_ms`) of
 * the first prompt of a trace, ms; undefined where the logs do not say.
 */
export function comfyuiTimes(records: readonly NormalizedRecord[]): {
  readonly queueWaitMs: number | undefined;
  readonly executionMs: number | undefined;
} {
  const startRecord = records.find((r) => r.event === EVENT.comfyui_execution_start);
  const complete = records.find((r) => r.event === EVENT.comfyui_complete);
  return {
    queueWaitMs: finite(startRecord?.extra['queue_wait_ms']) ?? finite(complete?.extra['queue_wait_ms']),
    executionMs: finite(complete?.extra['execution_ms']),
  };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The numbers of "where the time went", from the stages, the total and ComfyUI's own times (comfyuiTimes). */
export function timeBreakdown(
  stages: readonly TraceStage[],
  totalMs: number | null,
  comfyui: { readonly queueWaitMs: number | undefined; readonly executionMs: number | undefined },
): TimeBreakdown {
  const ms = (name: string) => stages.find((s) => s.name === name)?.duration_ms ?? null;
  const roundTrip = ms('gpu_round_trip');
  return {
    backend_overhead_ms: totalMs !== null && roundTrip !== null ? totalMs - roundTrip : null,
    gpu_before_comfyui_ms: ms('gpu_before_comfyui'),
    comfyui_ms: ms('comfyui'),
    image_transfer_ms: ms('image_transfer'),
    queue_wait_ms: comfyui.queueWaitMs ?? null,
    execution_ms: comfyui.executionMs ?? null,
  };
}
