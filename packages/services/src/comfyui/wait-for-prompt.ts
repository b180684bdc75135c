import { setTimeout as delay } from 'node:timers/promises';
import { abortedError } from './call-comfyui.js';
import { COMFYUI_ERROR_CODES as CODES, ComfyuiError } from './comfyui-error.js';
import type { ComfyuiClient } from './create-comfyui-client.js';
import type { ImageRef } from './parse-history-response.js';

/** How waitForPrompt polls. */
export interface WaitOptions {
  /** Milliseconds between two polls. */
  readonly intervalMs: number;
  /** The job's signal: its deadline (`comfyui_timeout`) or the caller going away. */
  readonly signal: AbortSignal;
  /** Every this many polls, also check that ComfyUI still has the prompt queued. Default 10. */
  readonly queueCheckEvery?: number;
  /**
   * Resolves when ComfyUI's websocket says the prompt is done. The pause under way is cut
   * short (without it a finished prompt is seen up to one interval late) and, should
   * `/history` still lag, the next polls follow every QUICK_POLL_MS, at most QUICK_POLLS
   * of them, then every `intervalMs` again.
   */
  readonly done?: Promise<void>;
  /** Called after each poll: 1-based attempt number and milliseconds since waiting began. */
  readonly onPoll?: (attempt: number, elapsedMs: number) => void;
  readonly now?: () => number;
}

/** Polls after the websocket's done message, before falling back to `intervalMs`. */
export const QUICK_POLLS = 10;
/** Pause between two of those polls. */
export const QUICK_POLL_MS = 20;

/** A finished prompt's images and how many polls it took. */
export interface PromptOutcome {
  readonly images: readonly ImageRef[];
  readonly attempts: number;
}

/**
 * Polls `GET /history/{id}` until the prompt finished (never the full `/history`, which
 * grows without bound). `{}` means not finished; because it also means "unknown", every
 * `queueCheckEvery` polls it asks `GET /queue` and, if the prompt is neither queued nor
 * in the history (ComfyUI restarted and forgot it), fails with `comfyui_prompt_lost`
 * instead of waiting for the deadline. Throws ComfyuiError; the job deadline gives
 * `comfyui_timeout` with the attempt count in the message.
 */
export async function waitForPrompt(client: ComfyuiClient, promptId: string, options: WaitOptions): Promise<PromptOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const every = options.queueCheckEvery ?? 10;
  let attempts = 0;
  let done = false;
  let quickPolls = 0;
  // Ends the pause under way, if any; one reaction on `done` however many polls there are.
  let wakeUp: (() => void) | undefined;
  void options.done?.then(() => {
    done = true;
    wakeUp?.();
  });
  const rest = (): Promise<void> => {
    if (done) {
      quickPolls += 1;
      return delay(quickPolls <= QUICK_POLLS ? QUICK_POLL_MS : options.intervalMs, undefined, { signal: options.signal });
    }
    if (options.done === undefined) return delay(options.intervalMs, undefined, { signal: options.signal });
    // Like delay(), but `done` cuts it short (the next poll then goes at once).
    return new Promise<void>((resolve, reject) => {
      const { signal } = options;
      const timer = setTimeout(finish, options.intervalMs);
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      function cleanup(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        wakeUp = undefined;
      }
      function finish(): void {
        cleanup();
        resolve();
      }
      signal.addEventListener('abort', onAbort, { once: true });
      wakeUp = finish;
    });
  };
  const stop = (): ComfyuiError => {
    const error = abortedError(options.signal, `waiting for prompt ${promptId}`);
    if (error.code !== CODES.timeout) return error;
    return new ComfyuiError(
      CODES.timeout,
      `ComfyUI did not finish prompt ${promptId} within the deadline (${attempts} polls, ${now() - started} ms)`,
    );
  };
  for (;;) {
    if (options.signal.aborted) throw stop();
    attempts += 1;
    try {
      const state = await client.getPromptState(promptId, options.signal);
      options.onPoll?.(attempts, now() - started);
      if (state.state === 'success') {
        if (state.images.length === 0) {
          throw new ComfyuiError(CODES.noImage, `prompt ${promptId} finished without an image output`);
        }
        return { images: state.images, attempts };
      }
      if (attempts % every === 0 && !(await stillKnown(client, promptId, options.signal))) {
        throw new ComfyuiError(
          CODES.promptLost,
          `ComfyUI no longer knows prompt ${promptId}: it is neither queued nor finished (restarted?)`,
        );
      }
      await rest();
    } catch (err) {
      throw options.signal.aborted ? stop() : err;
    }
  }
}

// Queue first, then history again: the prompt may have finished between the two calls.
async function stillKnown(client: ComfyuiClient, promptId: string, signal: AbortSignal): Promise<boolean> {
  if (await client.isQueued(promptId, signal)) return true;
  return (await client.getPromptState(promptId, signal)).state === 'success';
}
