import { EVENT } from '@logtrace/shared/schema';
import type { ComfyuiEntry } from './parse-comfyui-entries.js';

/** One POST /prompt the GPU server made and got an answer to (so ComfyUI printed `got prompt`). */
export interface PostAttempt {
  /** Epoch ms of the GPU-server line that logged the answer. */
  readonly time: number;
  /** ComfyUI queued the prompt (`comfyui_prompt_sent`), so an execution block will follow... */
  readonly accepted: boolean;
  /** ...unless the GPU server took it out of the queue before it ran (`comfyui_cancel: "dequeued"`). */
  readonly dequeued?: boolean;
}

/** The POST attempts in POST order, as the attributor reads them (see PostAttemptList for a compact one). */
export interface PostAttempts {
  readonly length: number;
  /** Epoch ms of attempt `index`. */
  time(index: number): number;
  /** Attempt `index` was queued and ran, so it has an execution block. */
  runs(index: number): boolean;
}

/** PostAttempts over a plain array. */
export function postAttempts(list: readonly PostAttempt[]): PostAttempts {
  return {
    length: list.length,
    time: (i) => list[i]?.time ?? Infinity,
    runs: (i) => list[i]?.accepted === true && list[i]?.dequeued !== true,
  };
}

/** How an entry was tied to a POST attempt: by the line stamps, or by counting. */
export type Attribution = 'time' | 'order';

/** An entry and the POST attempt (index into the attempts) it belongs to, if any. */
export interface AttributedEntry {
  readonly entry: ComfyuiEntry;
  readonly post: number | undefined;
  readonly attribution: Attribution | undefined;
}

/** How far a POST answer may be logged before its stamped `got prompt` (clock and pipe delay), ms. */
export const STAMP_TOLERANCE_MS = 1000;
/** How long after its `got prompt` a POST answer may be logged, ms. */
export const MAX_POST_LATENCY_MS = 30_000;

/**
 * Ties comfyui.log entries to the GPU server's POST /prompt attempts, streaming, in
 * file order (docs/comfyui.md "Attributing comfyui.log lines"):
 *
 * - `got prompt`: every POST prints one, invalid prompts included. Unstamped, the k-th
 *   `got prompt` is the k-th attempt (`order`). Stamped, it is the first attempt not
 *   yet taken whose answer was logged within [stamp − 1 s, stamp + 30 s] (`time`), so
 *   a missing line or a POST from another client does not shift the rest.
 * - Validation reports and aiohttp request errors belong to the latest `got prompt`.
 * - Worker lines (execution, tracebacks, `Prompt executed in`) belong to the prompt at
 *   the head of ComfyUI's single-worker FIFO queue: accepted attempts in POST order,
 *   less those the GPU server removed from the queue before they ran (they print nothing).
 *   `Prompt executed in` ends that prompt's block. A stamped block that ends before
 *   its prompt's `got prompt` is left unattributed.
 * - A restart (`Starting server`, `Stopped server`) empties the queue.
 *
 * `attempts` must be in POST order (the GPU server's log order).
 */
export class ComfyuiAttributor {
  private gotPrompts = 0;
  private timeCursor = 0;
  private current: { post: number | undefined; attribution: Attribution } | undefined;
  private readonly queue: { post: number; gotAt: number | undefined }[] = [];

  constructor(private readonly attempts: PostAttempts) {}

  /** The POST attempt whose prompt is at the head of ComfyUI's queue (what worker lines are attributed to now), if any. */
  head(): number | undefined {
    return this.queue[0]?.post;
  }

  /** Attributes the next entry. */
  push(entry: ComfyuiEntry): AttributedEntry {
    const attribution: Attribution = entry.time === undefined ? 'order' : 'time';
    switch (entry.side) {
      case 'none':
        this.queue.length = 0;
        this.current = undefined;
        return { entry, post: undefined, attribution: undefined };
      case 'post': {
        if (entry.kind === 'got_prompt') this.gotPrompt(entry);
        const current = this.current;
        return { entry, post: current?.post, attribution: current?.post === undefined ? undefined : current.attribution };
      }
      case 'worker': {
        const head = this.queue[0];
        if (head === undefined) return { entry, post: undefined, attribution: undefined };
        if (entry.time !== undefined && head.gotAt !== undefined && entry.time < head.gotAt - STAMP_TOLERANCE_MS) {
          return { entry, post: undefined, attribution: undefined };
        }
        if (entry.kind === 'executed') this.queue.shift();
        return { entry, post: head.post, attribution };
      }
    }
  }

  private gotPrompt(entry: ComfyuiEntry): void {
    let post: number | undefined;
    if (entry.time === undefined) {
      post = this.gotPrompts < this.attempts.length ? this.gotPrompts : undefined;
    } else {
      const at = entry.time;
      while (this.timeCursor < this.attempts.length && this.attempts.time(this.timeCursor) < at - STAMP_TOLERANCE_MS) {
        this.timeCursor++;
      }
      if (this.timeCursor < this.attempts.length && this.attempts.time(this.timeCursor) <= at + MAX_POST_LATENCY_MS)
        post = this.timeCursor++;
    }
    this.gotPrompts++;
    this.current = { post, attribution: entry.time === undefined ? 'order' : 'time' };
    if (post !== undefined && this.attempts.runs(post)) this.queue.push({ post, gotAt: entry.time });
  }
}

/**
 * Whether a GPU-server record logs a POST /prompt that ComfyUI answered: true for
 * `comfyui_prompt_sent` (accepted), false for an `error_comfyui` with an HTTP `status`
 * and no `prompt_id` yet (rejected: 400, 500), undefined for anything else (including
 * connection failures, after which ComfyUI printed nothing).
 */
export function postAttemptOf(record: {
  readonly event: string | undefined;
  readonly prompt_id: string | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
}): boolean | undefined {
  if (record.event === EVENT.comfyui_prompt_sent) return true;
  if (record.event === EVENT.error_comfyui && record.prompt_id === undefined && typeof record.extra['status'] === 'number') {
    return false;
  }
  return undefined;
}

/**
 * The prompt id of a GPU-server record saying it removed a pending prompt from
 * ComfyUI's queue (`error_comfyui` with `comfyui_cancel: "dequeued"`, after giving up
 * on it): that prompt never runs, so it has no execution block.
 */
export function dequeuedPromptOf(record: {
  readonly event: string | undefined;
  readonly prompt_id: string | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
}): string | undefined {
  return record.event === EVENT.error_comfyui && record.extra['comfyui_cancel'] === 'dequeued' ? record.prompt_id : undefined;
}
