import type { Level } from '@logtrace/shared/schema';
import type { LogEvent } from './format-record.js';

/**
 * What can happen to a request (docs/log-format.md "Request outcomes"); `slow` is an ok request with a long
 * generation, `short_deadline` a caller that allows only a few seconds
 * (X-Request-Timeout-Ms), so the GPU server gives up on a queued or running prompt;
 * `ws_lost` an ok request during which the GPU server's websocket to ComfyUI drops;
 * in `polling_timeout` ComfyUI hangs in the sampler, so the GPU server logs a stall.
 */
export const SCENARIO_WEIGHTS = {
  ok: 70,
  slow: 3,
  validation_error: 5,
  gpu_unreachable: 3,
  workflow_error: 2,
  comfyui_unreachable: 2,
  comfyui_invalid: 4,
  comfyui_500: 2,
  execution_error: 4,
  interrupted: 2,
  polling_timeout: 1,
  backend_timeout: 1,
  short_deadline: 2,
  ws_lost: 1,
} as const;

/** One of the scenarios. */
export type Scenario = keyof typeof SCENARIO_WEIGHTS;

/** Timeouts and intervals of the simulated services, ms. */
export const SIM = Object.freeze({
  backendTimeoutMs: 150_000,
  comfyuiTimeoutMs: 90_000,
  pollMs: 500,
  /** The GPU server's COMFYUI_STALL_MS: no websocket message for the running prompt this long is a stall. */
  stallMs: 60_000,
});

/** A JSON-lines event of the simulation, with the grouping template an error belongs to. */
export interface SimEvent {
  readonly channel: 'backend' | 'gpu_server';
  readonly event: LogEvent;
  /** For errors: the message template (one per distinct masked message). */
  readonly template?: string;
  /** Not part of the request's trace: written without its ids (`comfyui_ws_lost` concerns the connection). */
  readonly detached?: boolean;
}

/** A comfyui.log line of the simulation. */
export interface SimComfyuiLine {
  readonly time: number;
  /** As written (a progress bar holds `\r` updates). */
  readonly raw: string;
  /** What a reader should keep of it. */
  readonly text: string;
}

/** A problem ComfyUI prints, as `logtrace errors` should group it. */
export interface SimComfyuiIssue {
  readonly time: number;
  readonly event: string;
  readonly type: string | null;
  readonly level: Level;
}

/** Everything one request writes. */
export interface SimRequest {
  readonly requestId: string;
  readonly generationId: string | undefined;
  readonly promptId: string | undefined;
  readonly scenario: Scenario;
  readonly events: readonly SimEvent[];
  readonly comfyui: readonly SimComfyuiLine[];
  readonly issues: readonly SimComfyuiIssue[];
}

/** ComfyUI's state across requests: one worker, a FIFO queue, the POST counter, what its cache holds. */
export interface ComfyuiState {
  workerFreeAt: number;
  lastPost: number;
  counter: number;
  /** Workflow of the last prompt that started: its nodes' outputs are cached. */
  lastWorkflow?: string;
  /** Whether the GPU server reads ComfyUI's websocket and logs its events (issue 13). */
  websocket: boolean;
}
