// backend → GPU server → ComfyUI emulator on real 127.0.0.1 ports, both services logging
// to one real LOG_DIR: for success and each ComfyUI failure, the backend's answer, the
// event sequence in backend.log and gpu_server.log, the ids tying them together, and
// that after each failure both services report healthy and serve the next request.
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@logtrace/shared';
import { createRealStack, eventsOf, readLog, type LogRecord, type StartedService } from './support/real-stack.js';
import { waitUntil } from './support/service-process.js';

type Json = Record<string, any>;

interface Stack {
  readonly backend: StartedService;
  readonly gpu: StartedService;
}

const real = createRealStack();
afterAll(() => real.close());

async function startStack(comfyuiUrl: string, gpuEnv: Record<string, string> = {}, gpuPort = 0): Promise<Stack> {
  const logDir = mkdtempSync(path.join(real.dir, 'logs-'));
  const gpu = await real.startGpuServer(comfyuiUrl, gpuEnv, logDir, gpuPort);
  const backend = await real.startBackend(gpu.url, {}, logDir);
  return { backend, gpu };
}

const healthOf = async (service: StartedService): Promise<Json> => (await fetch(`${service.url}/health`)).json() as Promise<Json>;

/** After a failure: both services report ok on /health and the next request succeeds with the usual events. */
async function expectHealthy(stack: Stack): Promise<void> {
  expect((await healthOf(stack.backend))['status']).toBe('ok');
  expect(await healthOf(stack.gpu)).toMatchObject({ status: 'ok', comfyui: { reachable: true } });
  const next = await generate(stack, { prompt: 'the next one' });
  expect(next.status).toBe(200);
  expect(eventsOf(traceOf(stack, next.requestId).backend, next.requestId)).toEqual([
    'generate_request',
    'gpu_request',
    'gpu_response',
    'response_sent',
  ]);
}

/** Posts to the backend with an X-Request-ID of the caller's; the backend's own id is the one traced. */
async function generate(stack: Stack, body: Json, headers: Record<string, string> = {}) {
  const clientRequestId = newId();
  const res = await fetch(`${stack.backend.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': clientRequestId, ...headers },
    body: JSON.stringify(body),
  });
  const requestId = res.headers.get('x-request-id') ?? '';
  expect(requestId).not.toBe(clientRequestId);
  expect(res.headers.get('x-client-request-id')).toBe(clientRequestId);
  return { requestId, clientRequestId, status: res.status, body: (await res.json()) as Json };
}

function traceOf(stack: Stack, requestId: string): { backend: LogRecord[]; gpu: LogRecord[] } {
  const pick = (records: LogRecord[]): LogRecord[] => records.filter((r) => r['request_id'] === requestId);
  return { backend: pick(readLog(stack.backend)), gpu: pick(readLog(stack.gpu)) };
}

const GPU_FLOW = ['generation_start', 'workflow_loaded', 'comfyui_prompt_sent'];

describe('backend → GPU server → emulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack((await real.startEmulator()).url);
  });

  it('returns the image and ties both logs together with request_id and generation_id', async () => {
    const res = await generate(stack, { prompt: 'a lantern in fog', workflow: 'txt2img', width: 256, height: 256, steps: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      request_id: res.requestId,
      client_request_id: res.clientRequestId,
      image: { content_type: 'image/png' },
    });
    const trace = traceOf(stack, res.requestId);
    // The caller's own id is on the first and last backend line, never a request_id.
    expect(trace.backend.filter((r) => r['client_request_id'] === res.clientRequestId).map((r) => r['event'])).toEqual([
      'generate_request',
      'response_sent',
    ]);
    expect(trace.gpu.some((r) => JSON.stringify(r).includes(res.clientRequestId))).toBe(false);
    expect(eventsOf(trace.backend, res.requestId)).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    expect(eventsOf(trace.gpu, res.requestId)).toEqual([...GPU_FLOW, 'comfyui_execution_start', 'comfyui_complete', 'image_retrieved']);
    const generationId = res.body['generation_id'] as string;
    expect(trace.backend.find((r) => r['event'] === 'gpu_response')).toMatchObject({
      level: 'INFO',
      status: 200,
      generation_id: generationId,
    });
    expect(trace.gpu.every((r) => r['generation_id'] === generationId)).toBe(true);
    expect(trace.backend.at(-1)).toMatchObject({ event: 'response_sent', status: 200 });
  });

  it.each([
    [
      'ComfyUI validation (node_errors)',
      400,
      'prompt_invalid',
      { workflow: 'broken' },
      { status: 400, node_errors: [{ node_id: '2', type: 'required_input_missing' }] },
    ],
    ['a ComfyUI 500', 502, 'comfyui_http_500', { prompt: 'x [[fault:http500]]' }, { status: 500 }],
    [
      'an execution error',
      502,
      'comfyui_execution_error',
      { prompt: 'x [[fault:error]]', workflow: 'txt2img' },
      { exception_type: 'RuntimeError' },
    ],
    [
      'out of memory',
      502,
      'comfyui_execution_error',
      { prompt: 'x [[fault:oom]]', workflow: 'txt2img' },
      { exception_type: 'torch.OutOfMemoryError' },
    ],
    ['an interrupt', 502, 'comfyui_interrupted', { prompt: 'x [[fault:interrupt]]' }, {}],
    ['a garbage answer', 502, 'comfyui_bad_response', { prompt: 'x [[fault:garbage]]' }, { status: 200 }],
    ['a dropped connection', 502, 'ECONNRESET', { prompt: 'x [[fault:reset]]' }, {}],
  ])('passes %s on as %i %s, with gpu_response ERROR and error_comfyui, and stays healthy', async (_what, status, code, body, fields) => {
    const res = await generate(stack, { prompt: 'x', ...body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error_code: code, request_id: res.requestId, generation_id: expect.any(String) });
    const trace = traceOf(stack, res.requestId);
    expect(eventsOf(trace.backend, res.requestId)).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    expect(trace.backend.find((r) => r['event'] === 'gpu_response')).toMatchObject({
      level: 'ERROR',
      generation_id: res.body['generation_id'],
    });
    expect(trace.gpu.at(-1)).toMatchObject({
      event: 'error_comfyui',
      error_code: code,
      generation_id: res.body['generation_id'],
      ...fields,
    });
    if (code === 'prompt_invalid') expect(res.body['details']['node_errors'][0]).toMatchObject({ node_id: '2' });
    await expectHealthy(stack);
  });

  it('passes a ComfyUI hang on as comfyui_timeout, and stays healthy for the next request', async () => {
    const { url } = await real.startEmulator();
    const short = await startStack(url, { COMFYUI_TIMEOUT_MS: '300' });
    const res = await generate(short, { prompt: 'x [[fault:hang]]' });
    expect([res.status, res.body['error_code']]).toEqual([502, 'comfyui_timeout']);
    const trace = traceOf(short, res.requestId);
    expect(eventsOf(trace.gpu, res.requestId)).toEqual([...GPU_FLOW, 'comfyui_execution_start', 'error_comfyui']);
    expect(trace.gpu.at(-1)).toMatchObject({ error_code: 'comfyui_timeout', comfyui_cancel: 'interrupted' });
    expect(trace.backend.find((r) => r['event'] === 'gpu_response')).toMatchObject({ status: 504, level: 'ERROR' });
    await expectHealthy(short);
  });

  it('cancels the ComfyUI prompt when the backend gives up first', async () => {
    const { url, emulator } = await real.startEmulator();
    const own = await startStack(url);
    const res = await generate(own, { prompt: 'x [[fault:hang]]' }, { 'x-request-timeout-ms': '300' });
    expect([res.status, res.body['error_code']]).toEqual([504, 'gpu_timeout']);
    let gpu: LogRecord[] = [];
    for (let i = 0; i < 200 && gpu.at(-1)?.['event'] !== 'error_comfyui'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gpu = traceOf(own, res.requestId).gpu;
    }
    expect(gpu.at(-1)).toMatchObject({ event: 'error_comfyui', error_code: 'client_closed_request', comfyui_cancel: 'interrupted' });
    expect(emulator.output()).toContain('Processing interrupted');
    expect(eventsOf(traceOf(own, res.requestId).backend, res.requestId)).toEqual([
      'generate_request',
      'gpu_request',
      'timeout_error',
      'response_sent',
    ]);
    await expectHealthy(own);
  });

  it('ComfyUI down when the GPU server starts: 502 ECONNREFUSED, /health degraded; once ComfyUI is up, the next request succeeds', async () => {
    const port = await real.closedPort();
    const down = await startStack(`http://127.0.0.1:${port}`);
    expect(await healthOf(down.gpu)).toMatchObject({ status: 'degraded', comfyui: { reachable: false, error_code: 'ECONNREFUSED' } });
    const res = await generate(down, { prompt: 'x' });
    expect([res.status, res.body['error_code']]).toEqual([502, 'ECONNREFUSED']);
    const trace = traceOf(down, res.requestId);
    expect(eventsOf(trace.gpu, res.requestId)).toEqual(['generation_start', 'workflow_loaded', 'error_comfyui']);
    expect(eventsOf(trace.backend, res.requestId)).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    await real.startEmulator({ port });
    await expectHealthy(down);
  });

  it('ComfyUI dying mid-generation: 502 and error_comfyui; once it is back, the next request succeeds', async () => {
    const { url, emulator } = await real.startEmulator({ crashDownMs: 300 });
    const own = await startStack(url);
    const res = await generate(own, { prompt: 'x [[fault:crash]]' });
    expect(res.status).toBe(502);
    expect(['ECONNREFUSED', 'ECONNRESET', 'comfyui_prompt_lost']).toContain(res.body['error_code']);
    expect(emulator.crashes()).toBe(1);
    const trace = traceOf(own, res.requestId);
    expect(trace.gpu.at(-1)).toMatchObject({ event: 'error_comfyui', error_code: res.body['error_code'], prompt_id: expect.any(String) });
    expect(trace.backend.find((r) => r['event'] === 'gpu_response')).toMatchObject({ level: 'ERROR', status: 502 });
    await waitUntil(async () => ((await healthOf(own.gpu))['status'] === 'ok' ? true : undefined), 'ComfyUI back');
    await expectHealthy(own);
  });

  it('GPU server down: 502 gpu_error ECONNREFUSED; once it is up, the next request succeeds', async () => {
    const { url } = await real.startEmulator();
    const port = await real.closedPort();
    const logDir = mkdtempSync(path.join(real.dir, 'logs-'));
    const backend = await real.startBackend(`http://127.0.0.1:${port}`, {}, logDir);
    const res = await fetch(`${backend.url}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"x"}',
    });
    const body = (await res.json()) as Json;
    expect([res.status, body['error_code']]).toEqual([502, 'ECONNREFUSED']);
    const lines = readLog(backend).filter((r) => r['request_id'] === body['request_id']);
    expect(lines.map((r) => r['event'])).toEqual(['generate_request', 'gpu_request', 'gpu_error', 'response_sent']);
    expect(lines[2]).toMatchObject({ level: 'ERROR', error_code: 'ECONNREFUSED', duration_ms: expect.any(Number) });
    const gpu = await real.startGpuServer(url, {}, logDir, port);
    await expectHealthy({ backend, gpu });
  });
});
