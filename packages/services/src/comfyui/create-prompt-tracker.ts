import type { EventFields } from '@logtrace/shared';
import type { ComfyuiWsMessage } from './parse-ws-message.js';

/** The websocket events a tracker writes (docs/log-format.md "What each event means"). */
export type TrackerEvent =
  'comfyui_execution_start' | 'comfyui_nodes_cached' | 'comfyui_node_executed' | 'comfyui_progress' | 'comfyui_stalled';

/** One line to log for the prompt (ids come from the generation's logger). */
export type TrackerLine = { [E in TrackerEvent]: { readonly event: E; readonly fields: EventFields<E> } }[TrackerEvent];

/** What the websocket told about a finished prompt, for `comfyui_complete`; a field is absent when unknown. */
export interface ExecutionDetail {
  readonly queue_wait_ms?: number;
  readonly execution_ms?: number;
  readonly nodes_executed?: number;
  readonly nodes_cached?: number;
}

/** What a tracker knows about its prompt before any message. */
export interface PromptTrackerOptions {
  /** The submitted graph's class of each node id (for `class_type`). */
  readonly classTypes: ReadonlyMap<string, string>;
  /** When the prompt was submitted, epoch ms on the GPU server's clock. */
  readonly sentAt: number;
}

/** The state of one prompt as ComfyUI's websocket reports it; pure, the caller supplies times. */
export interface PromptTracker {
  /** Takes one message about this prompt, received at `at` (epoch ms); returns the lines to log. */
  apply(message: ComfyuiWsMessage, at: number, queueRemaining: number | undefined): TrackerLine[];
  /** The websocket dropped: what is in flight can no longer be measured. */
  disconnected(): void;
  /** The websocket is back at `at`: a prompt still running is watched for stalls from then on. */
  reconnected(at: number): void;
  /** A `comfyui_stalled` line when the prompt runs and nothing was heard for `stallMs` (once per prompt). */
  checkStall(at: number, stallMs: number): TrackerLine | undefined;
  /** True once ComfyUI reported the prompt started and not yet ended (so its end message is due). */
  running(): boolean;
  /**
   * True once ComfyUI said the prompt is done: `executing` with node null, which its
   * worker sends after writing the history entry (docs/comfyui.md "Completion race").
   */
  done(): boolean;
  /** The fields for `comfyui_complete`, only those the messages seen allow. */
  detail(): ExecutionDetail;
}

/** At most this many node ids are listed on `comfyui_nodes_cached`. */
export const MAX_LISTED_NODE_IDS = 64;
/** Nodes tracked per prompt (graphs are far smaller; node expansion could add more). */
const MAX_NODES = 4096;
/** `comfyui_progress` lines per node, one per quarter of its steps. */
const PROGRESS_LINES_PER_NODE = 4;

interface NodeProgress {
  lines: number;
  quarter: number;
  firstAt: number;
  firstValue: number;
}

/**
 * Creates the tracker of one prompt. It turns ComfyUI's messages into log lines:
 * `execution_start` → `comfyui_execution_start` (queue wait from submission to
 * ComfyUI's start timestamp), `execution_cached` → `comfyui_nodes_cached` when any,
 * each `executing` ends the previous node's `comfyui_node_executed` (as does the
 * prompt's end message), `progress` → `comfyui_progress` at each quarter of a node's
 * steps. A disconnection loses the node in flight and the counts, never makes them wrong.
 */
export function createPromptTracker(options: PromptTrackerOptions): PromptTracker {
  let start: { timestamp: number; queueWaitMs: number } | undefined;
  let successAt: number | undefined;
  let ended = false;
  let done = false;
  let cachedCount: number | undefined;
  // Missed messages since the last execution_start: counts would be wrong.
  let gap = false;
  let current: { node: string; at: number } | undefined;
  const executed = new Set<string>();
  const progress = new Map<string, NodeProgress>();
  let heardAt = 0;
  let stalled = false;
  // Stalls are only judged while the websocket is up: silence on a dead socket says nothing.
  let listening = true;

  const classOf = (node: string): { class_type?: string } => {
    const classType = options.classTypes.get(node);
    return classType === undefined ? {} : { class_type: classType };
  };
  const finishNode = (at: number): TrackerLine[] => {
    if (current === undefined) return [];
    const { node } = current;
    const duration = Math.max(0, Math.round(at - current.at));
    current = undefined;
    if (executed.size < MAX_NODES) executed.add(node);
    return [{ event: 'comfyui_node_executed', fields: { node_id: node, ...classOf(node), duration_ms: duration, cached: false } }];
  };
  const onProgress = (node: string, value: number, max: number, at: number): TrackerLine[] => {
    let state = progress.get(node);
    if (state === undefined) {
      if (progress.size >= MAX_NODES) return [];
      state = { lines: 0, quarter: 0, firstAt: at, firstValue: value };
      progress.set(node, state);
    }
    const quarter = max > 0 ? Math.min(4, Math.floor((4 * Math.min(value, max)) / max)) : 0;
    if (quarter <= state.quarter || state.lines >= PROGRESS_LINES_PER_NODE) return [];
    state.quarter = quarter;
    state.lines += 1;
    const seconds = (at - state.firstAt) / 1000;
    const rate =
      seconds > 0 && value > state.firstValue ? { steps_per_s: Math.round(((value - state.firstValue) / seconds) * 100) / 100 } : {};
    return [{ event: 'comfyui_progress', fields: { node_id: node, ...classOf(node), value, max, ...rate } }];
  };

  function linesFor(message: ComfyuiWsMessage, at: number, queueRemaining: number | undefined): TrackerLine[] {
    switch (message.type) {
      case 'execution_start': {
        if (start !== undefined) return [];
        start = { timestamp: message.timestamp, queueWaitMs: Math.max(0, Math.round(message.timestamp - options.sentAt)) };
        gap = false;
        return [
          {
            event: 'comfyui_execution_start',
            fields: { queue_wait_ms: start.queueWaitMs, ...(queueRemaining === undefined ? {} : { queue_remaining: queueRemaining }) },
          },
        ];
      }
      case 'execution_cached': {
        if (cachedCount !== undefined) return [];
        cachedCount = message.nodes.length;
        if (cachedCount === 0) return [];
        return [{ event: 'comfyui_nodes_cached', fields: { node_ids: message.nodes.slice(0, MAX_LISTED_NODE_IDS), count: cachedCount } }];
      }
      case 'executing': {
        if (message.node === null) done = true;
        const lines = finishNode(at);
        if (message.node !== null && !ended) current = { node: message.node, at };
        return lines;
      }
      case 'progress':
        return message.node === null || ended ? [] : onProgress(message.node, message.value, message.max, at);
      case 'execution_success': {
        const lines = finishNode(at);
        successAt = message.timestamp;
        ended = true;
        return lines;
      }
      case 'execution_error':
      case 'execution_interrupted':
        // The node that raised or was interrupted did not finish: no duration for it.
        current = undefined;
        ended = true;
        return [];
      default:
        return [];
    }
  }

  // A peer that invents node ids cannot flood the log: a few lines per node of the graph.
  let budget = 16 * options.classTypes.size + 64;
  const limit = (lines: TrackerLine[]): TrackerLine[] => {
    const kept = lines.slice(0, Math.max(0, budget));
    budget -= kept.length;
    return kept;
  };

  return {
    apply(message, at, queueRemaining) {
      heardAt = at;
      return limit(linesFor(message, at, queueRemaining));
    },
    disconnected() {
      listening = false;
      if (ended) return;
      gap = true;
      current = undefined;
      progress.clear();
    },
    reconnected(at) {
      listening = true;
      heardAt = at;
    },
    checkStall(at, stallMs) {
      if (stalled || !listening || start === undefined || ended || at - heardAt < stallMs) return undefined;
      stalled = true;
      return {
        event: 'comfyui_stalled',
        fields: {
          idle_ms: Math.round(at - heardAt),
          ...(current === undefined ? {} : { node_id: current.node, ...classOf(current.node) }),
        },
      };
    },
    running: () => start !== undefined && !ended,
    done: () => done,
    detail() {
      if (start === undefined) return cachedCount === undefined ? {} : { nodes_cached: cachedCount };
      return {
        queue_wait_ms: start.queueWaitMs,
        ...(successAt === undefined ? {} : { execution_ms: Math.max(0, successAt - start.timestamp) }),
        ...(ended && !gap && successAt !== undefined ? { nodes_executed: executed.size } : {}),
        ...(cachedCount === undefined ? {} : { nodes_cached: cachedCount }),
      };
    },
  };
}
