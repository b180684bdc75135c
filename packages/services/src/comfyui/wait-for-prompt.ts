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
  /** Called after each poll: 1-based attempt number and milliseconds since waiting began. */
  readonly onPoll?: (attempt: number, elapsedMs: number) => void;
  readonly now?: () => number;
}

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
      await delay(options.intervalMs, undefined, { signal: options.signal });
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
