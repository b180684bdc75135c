import { EVENT, type EventName } from '@logtrace/shared/schema';
import type { ExecutionPlan } from './plan-execution.js';

/** A GPU-server event read from ComfyUI's websocket, before the ids are added. */
export interface WebsocketEvent {
  readonly event: EventName;
  /** Epoch ms. */
  readonly time: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Where the websocket messages of a prompt stop. */
export interface WebsocketCut {
  /** Epoch ms of `comfyui_prompt_sent` (the queue wait is measured from it). */
  readonly sent: number;
  /** Messages at or after this time are not logged (the prompt failed, hung, was given up, or the socket was lost). */
  readonly until: number;
  /** The node that raised: it never finishes. */
  readonly raised?: string;
}

/**
 * The events the GPU server logs from ComfyUI's websocket for one prompt
 * (docs/log-format.md "What each event means"): `comfyui_execution_start`,
 * `comfyui_nodes_cached` when some nodes were, then per node its progress reports and
 * `comfyui_node_executed` when it finishes, each at the time ComfyUI sent it.
 */
export function websocketEvents(plan: ExecutionPlan, cut: WebsocketCut): WebsocketEvent[] {
  if (plan.start >= cut.until) return [];
  const events: WebsocketEvent[] = [
    { event: EVENT.comfyui_execution_start, time: plan.start, fields: { queue_wait_ms: plan.start - cut.sent } },
  ];
  const cached = plan.runs.filter((r) => r.cached).map((r) => r.node_id);
  if (cached.length > 0)
    events.push({ event: EVENT.comfyui_nodes_cached, time: plan.start, fields: { node_ids: cached, count: cached.length } });
  for (const run of plan.runs) {
    if (run.cached) continue;
    const end = run.start + run.duration_ms;
    for (const p of plan.progress) {
      if (p.node_id !== run.node_id || p.time >= cut.until) continue;
      const rate = p.steps_per_s === undefined ? {} : { steps_per_s: p.steps_per_s };
      events.push({
        event: EVENT.comfyui_progress,
        time: p.time,
        fields: { node_id: p.node_id, class_type: p.class_type, value: p.value, max: p.max, ...rate },
      });
    }
    if (end >= cut.until || run.node_id === cut.raised) break;
    events.push({
      event: EVENT.comfyui_node_executed,
      time: end,
      fields: { node_id: run.node_id, class_type: run.class_type, duration_ms: run.duration_ms, cached: false },
    });
  }
  return events;
}

/**
 * The fields `comfyui_complete` gains from the websocket, each only when its messages
 * were seen: with the socket lost at `lostAt`, the queue wait and cached nodes if the
 * prompt had started, but no execution time or executed count.
 */
export function completionFields(plan: ExecutionPlan, sent: number, end: number, lostAt = Infinity): Record<string, number> {
  const fields: Record<string, number> = {};
  if (end < lostAt) {
    fields['execution_ms'] = end - plan.start;
    fields['nodes_executed'] = plan.runs.filter((r) => !r.cached).length;
  }
  if (plan.start < lostAt) {
    fields['queue_wait_ms'] = plan.start - sent;
    fields['nodes_cached'] = plan.runs.filter((r) => r.cached).length;
  }
  return fields;
}
