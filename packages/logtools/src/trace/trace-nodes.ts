import { EVENT, formatTime, type EventName, type NormalizedRecord } from '@logtrace/shared/schema';

/** One ComfyUI node of a trace (`--json` `nodes`), from the GPU server's websocket events. */
export interface TraceNode {
  readonly node_id: string | null;
  /** Null for a cached node: `comfyui_nodes_cached` names ids only. */
  readonly class_type: string | null;
  /** Offset of the node's start from the trace's first event, ms (a cached node: when ComfyUI said so). */
  readonly start_ms: number;
  /** 0 for a cached node. */
  readonly duration_ms: number;
  readonly cached: boolean;
}

/** A prompt ComfyUI stopped talking about (`comfyui_stalled`). */
export interface TraceStall {
  /** ISO time of `comfyui_stalled`. */
  readonly time: string;
  /** Its offset from the trace's first event, ms. */
  readonly at_ms: number;
  /** How long ComfyUI had said nothing about the prompt (`idle_ms`), ms; null when the line does not say. */
  readonly idle_ms: number | null;
  /** The node running then, as the line names it. */
  readonly node_id: string | null;
  readonly class_type: string | null;
  /** The prompt's last websocket event before it (execution start, cached nodes, a node, progress); null when there was none. */
  readonly last_event: EventName | null;
  /** That event's offset from the trace's first event, ms. */
  readonly last_event_ms: number | null;
}

const WEBSOCKET_EVENTS: readonly string[] = [
  EVENT.comfyui_execution_start,
  EVENT.comfyui_nodes_cached,
  EVENT.comfyui_node_executed,
  EVENT.comfyui_progress,
];

/**
 * The nodes ComfyUI ran or took from its cache, in order of start (ties in record
 * order): each `comfyui_node_executed` started `duration_ms` before it was logged;
 * the ids of `comfyui_nodes_cached` are placed at its time. `records` must be in time
 * order; `t0` is the trace's first event (epoch ms).
 */
export function traceNodes(records: readonly NormalizedRecord[], t0: number): TraceNode[] {
  const nodes: TraceNode[] = [];
  for (const r of records) {
    if (r.event === EVENT.comfyui_nodes_cached) {
      const ids = r.extra['node_ids'];
      if (!Array.isArray(ids)) continue;
      for (const id of ids)
        if (typeof id === 'string') nodes.push({ node_id: id, class_type: null, start_ms: r.time - t0, duration_ms: 0, cached: true });
    } else if (r.event === EVENT.comfyui_node_executed && r.duration_ms !== undefined) {
      nodes.push({
        node_id: stringOrNull(r.extra['node_id']),
        class_type: stringOrNull(r.extra['class_type']),
        start_ms: r.time - r.duration_ms - t0,
        duration_ms: r.duration_ms,
        cached: r.extra['cached'] === true,
      });
    }
  }
  // Stable: equal starts keep record order (cached nodes before the first one run).
  return nodes.sort((a, b) => a.start_ms - b.start_ms);
}

/** Every `comfyui_stalled` of a trace, with what it says and the websocket event of its prompt that came last before it. */
export function traceStalls(records: readonly NormalizedRecord[], t0: number): TraceStall[] {
  const stalls: TraceStall[] = [];
  records.forEach((r, i) => {
    if (r.event !== EVENT.comfyui_stalled) return;
    let last: NormalizedRecord | undefined;
    for (let k = i - 1; k >= 0 && last === undefined; k--) {
      const before = records[k] as NormalizedRecord;
      if (before.event !== undefined && WEBSOCKET_EVENTS.includes(before.event) && before.prompt_id === r.prompt_id) last = before;
    }
    const idle = r.extra['idle_ms'];
    stalls.push({
      time: formatTime(r.time),
      at_ms: r.time - t0,
      idle_ms: typeof idle === 'number' && Number.isFinite(idle) ? idle : null,
      node_id: stringOrNull(r.extra['node_id']),
      class_type: stringOrNull(r.extra['class_type']),
      last_event: (last?.event as EventName | undefined) ?? null,
      last_event_ms: last === undefined ? null : last.time - t0,
    });
  });
  return stalls;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
