// GPU server → ComfyUI emulator on real 127.0.0.1 ports, logging to a real file: for
// success and each failure, the answer, the event sequence in gpu_server.log, the ids.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@logtrace/shared';
import { createRealStack, eventsOf, readLog, type LogRecord, type StartedService } from './support/real-stack.js';

type Json = Record<string, any>;
type GpuServer = StartedService;

const stack = createRealStack();
afterAll(() => stack.close());
const startEmulator = stack.startEmulator;
const startGpuServer = (url: string, env: Record<string, string> = {}): Promise<GpuServer> => stack.startGpuServer(url, env);

async function generate(server: GpuServer, body: Json, headers: Record<string, string> = {}) {
  const requestId = newId();
  const res = await fetch(`${server.url}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  });
  return { requestId, status: res.status, header: res.headers.get('x-request-id'), body: (await res.json()) as Json };
}

/** Lines of one request in the log file, after checking that every line in it conforms. */
function linesOf(server: GpuServer, requestId: string): LogRecord[] {
  return readLog(server).filter((r) => r['request_id'] === requestId);
}

const events = (lines: LogRecord[]): string[] => eventsOf(lines, lines[0]?.['request_id'] as string);
const FLOW = ['generation_start', 'workflow_loaded', 'comfyui_prompt_sent'];

describe('GPU server → emulator on real ports', () => {
  let comfyui: string;
  let gpu: GpuServer;
  beforeAll(async () => {
    comfyui = (await startEmulator()).url;
    gpu = await startGpuServer(comfyui);
  });

  it.each(['default', 'txt2img'])('generates with %s: 200, ids propagated, the seven success events', async (workflow) => {
    const res = await generate(gpu, { prompt: 'a lighthouse at dusk', workflow, width: 256, height: 192, steps: 4 });
    expect(res.status).toBe(200);
    expect(res.header).toBe(res.requestId);
    expect(res.body).toMatchObject({ request_id: res.requestId, image: { content_type: 'image/png' } });
    const lines = linesOf(gpu, res.requestId);
    expect(events(lines)).toEqual([...FLOW, 'comfyui_execution_start', 'comfyui_complete', 'image_retrieved']);
    for (const line of lines) expect(line['generation_id']).toBe(res.body['generation_id']);
    expect(lines.slice(2).every((l) => l['prompt_id'] === res.body['prompt_id'])).toBe(true);
    expect(lines.find((l) => l['event'] === 'image_retrieved')).toMatchObject({ size_bytes: res.body['image']['size_bytes'] });
    expect(readFileSync(gpu.logFile, 'utf8')).not.toContain('lighthouse');
  });

  it('writes comfyui_polling at DEBUG on every 10th poll', async () => {
    const { emulator, url } = await startEmulator();
    const server = await startGpuServer(url);
    emulator.hold();
    const pending = generate(server, { prompt: 'slow' });
    for (let i = 0; i < 400 && !readFileSync(server.logFile, 'utf8').includes('"attempt":20'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    emulator.release();
    const res = await pending;
    const polls = linesOf(server, res.requestId).filter((l) => l['event'] === 'comfyui_polling');
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.map((p) => p['attempt']).slice(0, 2)).toEqual([10, 20]);
    expect(polls[0]).toMatchObject({ level: 'DEBUG', elapsed_ms: expect.any(Number) });
  });

  it.each([
    ['success', { prompt: 'quick' }, 200],
    ['an execution error', { prompt: '[[fault:error]]', workflow: 'txt2img' }, 502],
  ])('sees the end of a prompt (%s) when the websocket says it is done, not one poll interval later', async (_what, body, status) => {
    // An interval far beyond the test's timeout: only the websocket's done message can end the wait in time.
    const server = await startGpuServer(comfyui, { COMFYUI_POLL_INTERVAL_MS: '60000' });
    const res = await generate(server, body);
    expect(res.status).toBe(status);
    const end = linesOf(server, res.requestId).at(status === 200 ? -2 : -1);
    expect(end).toMatchObject({ event: status === 200 ? 'comfyui_complete' : 'error_comfyui' });
    if (status === 200) expect(end?.['attempts']).toBeLessThanOrEqual(2);
  });

  it.each([
    [
      'ComfyUI validation',
      { workflow: 'broken' },
      400,
      'prompt_invalid',
      { status: 400, node_errors: [{ node_id: '2', type: 'required_input_missing' }] },
    ],
    ['a 500', { prompt: '[[fault:http500]]' }, 502, 'comfyui_http_500', { status: 500 }],
    [
      'an execution error',
      { prompt: '[[fault:error]]', workflow: 'txt2img' },
      502,
      'comfyui_execution_error',
      { exception_type: 'RuntimeError', node_type: 'KSampler' },
    ],
    [
      'out of memory',
      { prompt: '[[fault:oom]]', workflow: 'txt2img' },
      502,
      'comfyui_execution_error',
      { exception_type: 'torch.OutOfMemoryError' },
    ],
    ['an interrupt', { prompt: '[[fault:interrupt]]' }, 502, 'comfyui_interrupted', { node_id: '3' }],
    ['garbage', { prompt: '[[fault:garbage]]' }, 502, 'comfyui_bad_response', { status: 200 }],
    ['a dropped connection', { prompt: '[[fault:reset]]' }, 502, 'ECONNRESET', {}],
  ])('answers %s with its status and error_comfyui', async (_what, body, status, code, fields) => {
    const res = await generate(gpu, { prompt: 'x', ...body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error_code: code, request_id: res.requestId, generation_id: expect.any(String) });
    const lines = linesOf(gpu, res.requestId);
    const last = lines.at(-1) as Json;
    expect(last).toMatchObject({
      event: 'error_comfyui',
      level: 'ERROR',
      error_code: code,
      generation_id: res.body['generation_id'],
      ...fields,
    });
    expect(events(lines).slice(0, 2)).toEqual(FLOW.slice(0, 2));
  });

  it('answers a missing workflow with 404 and error_workflow', async () => {
    const res = await generate(gpu, { prompt: 'x', workflow: 'missing' });
    expect([res.status, res.body['error_code']]).toEqual([404, 'workflow_not_found']);
    expect(events(linesOf(gpu, res.requestId))).toEqual(['generation_start', 'error_workflow']);
  });

  it('answers a hang with 504 comfyui_timeout, cancels the prompt, and serves the next request', async () => {
    const server = await startGpuServer(comfyui, { COMFYUI_TIMEOUT_MS: '300' });
    const res = await generate(server, { prompt: '[[fault:hang]]' });
    expect([res.status, res.body['error_code']]).toEqual([504, 'comfyui_timeout']);
    expect(linesOf(server, res.requestId).at(-1)).toMatchObject({
      event: 'error_comfyui',
      error_code: 'comfyui_timeout',
      comfyui_cancel: 'interrupted',
    });
    expect((await generate(server, { prompt: 'after the hang' })).status).toBe(200);
  });

  it('answers ComfyUI down with 502 ECONNREFUSED and reports it on /health', async () => {
    const port = await stack.closedPort();
    const server = await startGpuServer(`http://127.0.0.1:${port}`);
    const res = await generate(server, { prompt: 'x' });
    expect([res.status, res.body['error_code']]).toEqual([502, 'ECONNREFUSED']);
    expect(events(linesOf(server, res.requestId))).toEqual(['generation_start', 'workflow_loaded', 'error_comfyui']);
    const health = (await (await fetch(`${server.url}/health`)).json()) as Json;
    expect(health).toMatchObject({ status: 'degraded', comfyui: { reachable: false, error_code: 'ECONNREFUSED' } });
  });

  it('answers ComfyUI dying mid-generation with 502', async () => {
    const { url } = await startEmulator({ crashDownMs: 3000 });
    const server = await startGpuServer(url);
    const res = await generate(server, { prompt: '[[fault:crash]]' });
    expect(res.status).toBe(502);
    expect(['ECONNREFUSED', 'ECONNRESET', 'comfyui_prompt_lost']).toContain(res.body['error_code']);
    expect(linesOf(server, res.requestId).at(-1)).toMatchObject({ event: 'error_comfyui', prompt_id: expect.any(String) });
  });

  it('answers a stalled image download with 504', async () => {
    const { url } = await startEmulator({ slowViewMs: 10_000, realSleepFromMs: 1000 });
    const server = await startGpuServer(url, { COMFYUI_VIEW_TIMEOUT_MS: '200' });
    const res = await generate(server, { prompt: '[[fault:slow_view]]' });
    expect([res.status, res.body['error_code']]).toEqual([504, 'comfyui_timeout']);
    expect(events(linesOf(server, res.requestId))).toEqual([...FLOW, 'comfyui_execution_start', 'comfyui_complete', 'error_comfyui']);
  });

  it('refuses calls without the bearer token when one is set', async () => {
    const server = await startGpuServer(comfyui, { GPU_SERVER_TOKEN: 'e2e-secret-token' });
    const denied = await generate(server, { prompt: 'x' });
    expect([denied.status, denied.body['error_code']]).toEqual([401, 'unauthorized']);
    const allowed = await generate(server, { prompt: 'x' }, { authorization: 'Bearer e2e-secret-token' });
    expect(allowed.status).toBe(200);
    expect(readFileSync(server.logFile, 'utf8')).not.toContain('e2e-secret-token');
  });
});
