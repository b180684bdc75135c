// Types shared by the emulator's validation and execution modules, kept apart so those
// modules import them from here instead of from each other.

/** One entry of ComfyUI's error lists: `{type, message, details, extra_info}`. */
export interface ComfyuiErrorItem {
  readonly type: string;
  readonly message: string;
  readonly details: string;
  readonly extra_info: Record<string, unknown>;
}

/** A value of `node_errors`, keyed by node id in the /prompt answer. */
export interface NodeErrorEntry {
  errors: ComfyuiErrorItem[];
  dependent_outputs: string[];
  class_type: string;
}

/** The API-format graph after validation (converted literal values written back, as ComfyUI does). */
export type Graph = Record<string, { class_type: string; inputs: Record<string, unknown>; [key: string]: unknown }>;

/** Faults that strike while a prompt executes (pick-fault.ts lists all of them). */
export type ExecutionFault = 'error' | 'oom' | 'hang' | 'interrupt' | 'crash' | 'slow_view';

/** A queued prompt: ComfyUI's `(number, prompt_id, prompt, extra_data, outputs_to_execute)`. */
export interface QueueItem {
  readonly number: number;
  readonly promptId: string;
  readonly graph: Graph;
  /** Without the sensitive keys (api keys), as ComfyUI stores it. */
  readonly extraData: Readonly<Record<string, unknown>>;
  readonly outputs: readonly string[];
  readonly fault: ExecutionFault | undefined;
}
