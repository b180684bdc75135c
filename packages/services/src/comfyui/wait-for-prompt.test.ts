import { describe, expect, it } from 'vitest';
import { COMFYUI_ERROR_CODES as CODES, ComfyuiError } from './comfyui-error.js';
import type { ComfyuiClient } from './create-comfyui-client.js';
import type { PromptState } from './parse-history-response.js';
import { QUICK_POLLS, waitForPrompt } from './wait-for-prompt.js';

const IMAGE = { filename: 'logtrace_00001_.png', subfolder: '', type: 'output', nodeId: '3' };
// Far longer than any test may take: a poll that waited for it would fail the test.
const LONG_INTERVAL_MS = 60_000;

/** A client whose /history shows the prompt once `historyAfter` more polls were answered after `finish()`. */
function fakeHistory(historyAfter = 0): { client: ComfyuiClient; finish(): void; polls(): number } {
  let polls = 0;
  let finishedAtPoll: number | undefined;
  const state = (): PromptState =>
    finishedAtPoll !== undefined && polls > finishedAtPoll + historyAfter ? { state: 'success', images: [IMAGE] } : { state: 'pending' };
  const client = {
    getPromptState: () => {
      polls += 1;
      return Promise.resolve(state());
    },
    isQueued: () => Promise.resolve(true),
  } as unknown as ComfyuiClient;
  return { client, finish: () => (finishedAtPoll = polls), polls: () => polls };
}

describe('waitForPrompt', () => {
  it('polls at once when the websocket says the prompt is done, instead of after the interval', async () => {
    const history = fakeHistory();
    let reportDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reportDone = resolve));
    const waiting = waitForPrompt(history.client, 'p1', { intervalMs: LONG_INTERVAL_MS, signal: new AbortController().signal, done });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(history.polls()).toBe(1);
    history.finish();
    reportDone();
    await expect(waiting).resolves.toEqual({ images: [IMAGE], attempts: 2 });
  });

  it('keeps polling quickly while /history lags behind the done message', async () => {
    const history = fakeHistory(3);
    const waiting = waitForPrompt(history.client, 'p2', {
      intervalMs: LONG_INTERVAL_MS,
      signal: new AbortController().signal,
      done: Promise.resolve(),
    });
    history.finish();
    await expect(waiting).resolves.toMatchObject({ attempts: 5 });
  });

  it('falls back to the interval after the quick polls (a history entry that never comes)', async () => {
    const history = fakeHistory();
    const controller = new AbortController();
    const waiting = waitForPrompt(history.client, 'p3', {
      intervalMs: LONG_INTERVAL_MS,
      signal: controller.signal,
      done: Promise.resolve(),
    });
    await new Promise((resolve) => setTimeout(resolve, 40 * QUICK_POLLS));
    expect(history.polls()).toBe(QUICK_POLLS + 1);
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    const error = await waiting.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ComfyuiError);
    expect((error as ComfyuiError).code).toBe(CODES.timeout);
    expect(history.polls()).toBe(QUICK_POLLS + 1);
  });

  it('ends at the job deadline when done is never said, as without the websocket', async () => {
    const history = fakeHistory();
    const controller = new AbortController();
    const done = new Promise<void>(() => undefined);
    const waiting = waitForPrompt(history.client, 'p4', { intervalMs: LONG_INTERVAL_MS, signal: controller.signal, done });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    await expect(waiting).rejects.toMatchObject({ code: CODES.timeout, message: expect.stringContaining('(1 polls') });
  });
});
