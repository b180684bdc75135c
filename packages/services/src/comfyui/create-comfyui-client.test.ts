import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestEmulator, weightFreeGraph, type TestEmulator } from '../../test/support/test-emulator.js';
import { ComfyuiError } from './comfyui-error.js';
import { createComfyuiClient, type ComfyuiClientOptions } from './create-comfyui-client.js';
import { waitForPrompt } from './wait-for-prompt.js';

const open: TestEmulator[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

async function withEmulator(options: Partial<ComfyuiClientOptions> = {}) {
  const emulator = await createTestEmulator();
  open.push(emulator);
  const client = createComfyuiClient({ baseUrl: 'http://comfy.test/', fetch: emulator.fetch, ...options });
  return { emulator, client };
}

async function failure(promise: Promise<unknown>): Promise<ComfyuiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ComfyuiError) return err;
    throw err;
  }
  throw new Error('expected a ComfyuiError');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const job = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

describe('ComfyUI client against the emulator', () => {
  it('submits, waits, and downloads the image', async () => {
    const { client } = await withEmulator();
    const queued = await client.submitPrompt(weightFreeGraph({ width: 72 }), { clientId: 'gen-1' });
    expect(queued).toMatchObject({ number: 0, nodeErrors: {} });
    const polls: number[] = [];
    const outcome = await waitForPrompt(client, queued.promptId, { intervalMs: 1, signal: job(), onPoll: (n) => polls.push(n) });
    expect(outcome.images).toEqual([{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', nodeId: '3' }]);
    expect(polls.length).toBe(outcome.attempts);
    const image = await client.fetchImage(outcome.images[0] as never);
    expect(image.contentType).toBe('image/png');
    expect(image.bytes.byteLength).toBeGreaterThan(60);
    expect(await client.systemStats()).toMatchObject({ comfyuiVersion: '0.3.64' });
  });

  it('turns a 400 into prompt_invalid carrying node_errors unchanged', async () => {
    const { client } = await withEmulator();
    const error = await failure(client.submitPrompt(weightFreeGraph({ width: 0 }), { clientId: 'c' }));
    expect(error).toMatchObject({ code: 'prompt_invalid', status: 400, promptError: { type: 'prompt_outputs_failed_validation' } });
    expect((error.nodeErrors as Record<string, { class_type: string }>)['1']?.class_type).toBe('EmptyImage');
  });

  it.each([
    ['http500', 'comfyui_http_500'],
    ['garbage', 'comfyui_bad_response'],
  ])('maps [[fault:%s]] on submit to %s', async (fault, code) => {
    const { client } = await withEmulator();
    const error = await failure(client.submitPrompt(weightFreeGraph({ text: `[[fault:${fault}]]` }), { clientId: 'c' }));
    expect(error.code).toEqual(code);
  });

  it.each([
    ['error', 'comfyui_execution_error'],
    ['oom', 'comfyui_execution_error'],
    ['interrupt', 'comfyui_interrupted'],
  ])('reports [[fault:%s]] while waiting as %s', async (fault, code) => {
    const { client } = await withEmulator();
    const queued = await client.submitPrompt(weightFreeGraph({ text: `[[fault:${fault}]]` }), { clientId: 'c' });
    const error = await failure(waitForPrompt(client, queued.promptId, { intervalMs: 1, signal: job() }));
    expect(error.code).toBe(code);
    expect(error.execution?.node_id).toBe('3');
  });

  it('gives up at the job deadline with comfyui_timeout, then cancels the running prompt', async () => {
    const { client, emulator } = await withEmulator();
    const queued = await client.submitPrompt(weightFreeGraph({ text: '[[fault:hang]]' }), { clientId: 'c' });
    const error = await failure(waitForPrompt(client, queued.promptId, { intervalMs: 5, signal: job(150) }));
    expect(error.code).toBe('comfyui_timeout');
    expect(await client.cancel(queued.promptId)).toBe('interrupted');
    expect(await client.cancel(queued.promptId)).toBe('not_queued');
    expect(emulator.output()).toContain(`Interrupting prompt ${queued.promptId}`);
  });

  it('dequeues a pending prompt on cancel', async () => {
    const { client, emulator } = await withEmulator();
    emulator.hold();
    await client.submitPrompt(weightFreeGraph({ color: 1 }), { clientId: 'c' });
    const second = await client.submitPrompt(weightFreeGraph({ color: 2 }), { clientId: 'c' });
    expect(await client.cancel(second.promptId)).toBe('dequeued');
    expect(emulator.state.queue.pending()).toHaveLength(0);
    emulator.release();
  });

  it('notices a prompt ComfyUI forgot (restart) instead of waiting for the deadline', async () => {
    const { client, emulator } = await withEmulator();
    const queued = await client.submitPrompt(weightFreeGraph({ text: '[[fault:hang]]' }), { clientId: 'c' });
    emulator.state.queue.reset();
    const error = await failure(waitForPrompt(client, queued.promptId, { intervalMs: 1, signal: job(), queueCheckEvery: 3 }));
    expect(error.code).toBe('comfyui_prompt_lost');
  });

  it('answers image_not_found for a 404 and image_too_large over the cap', async () => {
    const { client } = await withEmulator({ maxImageBytes: 100 });
    const missing = await failure(client.fetchImage({ filename: 'nope.png', subfolder: '', type: 'output', nodeId: '9' }));
    expect(missing).toMatchObject({ code: 'image_not_found', status: 404 });
    const queued = await client.submitPrompt(weightFreeGraph({ width: 512 }), { clientId: 'c' });
    const { images } = await waitForPrompt(client, queued.promptId, { intervalMs: 1, signal: job() });
    expect((await failure(client.fetchImage(images[0] as never))).code).toBe('image_too_large');
  });
});

describe('ComfyUI client transport', () => {
  it('reports a closed port as ECONNREFUSED', async () => {
    const client = createComfyuiClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retryDelayMs: () => 1 });
    expect((await failure(client.systemStats())).code).toBe('ECONNREFUSED');
    expect((await failure(client.submitPrompt({}, { clientId: 'c' }))).code).toBe('ECONNREFUSED');
  });

  it('times a silent server out per call', async () => {
    const silent: typeof fetch = (_url, init) =>
      new Promise((_, reject) => {
        const signal = init?.signal;
        if (signal?.aborted === true) reject(signal.reason as unknown);
        signal?.addEventListener('abort', () => reject(signal.reason as unknown));
      });
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: silent, pollTimeoutMs: 20, submitTimeoutMs: 20 });
    expect((await failure(client.getPromptState('p'))).code).toBe('comfyui_timeout');
    expect((await failure(client.submitPrompt({}, { clientId: 'c' }))).code).toBe('comfyui_timeout');
    const gone = new AbortController();
    gone.abort('caller left');
    expect((await failure(client.getPromptState('p', gone.signal))).code).toBe('client_closed_request');
  });

  it('retries a GET once after a broken connection, never a POST', async () => {
    let calls = 0;
    const flaky: typeof fetch = async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return new Response('{}', { status: 200 });
    };
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: flaky, retryDelayMs: () => 1 });
    expect(await client.getPromptState('p')).toEqual({ state: 'pending' });
    expect(calls).toBe(2);
    calls = 0;
    expect((await failure(client.submitPrompt({}, { clientId: 'c' }))).code).toBe('ECONNRESET');
    expect(calls).toBe(1);
  });

  it('refuses oversize JSON answers and non-image /view answers', async () => {
    const big: typeof fetch = async (url) =>
      String(url).includes('/view')
        ? new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } })
        : new Response(`{"x":"${'a'.repeat(2000)}"}`, { status: 200 });
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: big, maxJsonBytes: 1000 });
    expect((await failure(client.getPromptState('p'))).code).toBe('comfyui_response_too_large');
    expect((await failure(client.fetchImage({ filename: 'a.png', subfolder: '', type: 'output', nodeId: '1' }))).code).toBe(
      'comfyui_bad_response',
    );
  });
});
