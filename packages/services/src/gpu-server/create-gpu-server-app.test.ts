import { afterEach, describe, expect, it } from 'vitest';
import { checkRecord } from '@logtrace/shared';
import { createTestEmulator, type TestEmulator } from '../../test/support/test-emulator.js';
import { eventsOf } from '../../test/support/real-stack.js';
import { createTestGpuServer, generate } from '../../test/support/test-gpu-server.js';

const open: TestEmulator[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

async function setup(env: Record<string, string> = {}) {
  const emulator = await createTestEmulator();
  open.push(emulator);
  return { emulator, server: createTestGpuServer(emulator.fetch, env) };
}

type Json = Record<string, any>;

const REQUEST_ID = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';

describe('GPU server POST /generate', () => {
  it('generates with the default workflow and writes the success events in order', async () => {
    const { server } = await setup();
    const res = await generate(server.app, { prompt: 'a cat', width: 128, height: 64 }, { 'X-Request-ID': REQUEST_ID });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    const body = (await res.json()) as Json;
    expect(Object.keys(body)).toEqual(['request_id', 'generation_id', 'prompt_id', 'image']);
    expect(body['request_id']).toBe(REQUEST_ID);
    expect(body['image']).toMatchObject({ filename: 'logtrace_00001_.png', content_type: 'image/png' });
    const png = Buffer.from(body['image']['base64'] as string, 'base64');
    expect(png.byteLength).toBe(body['image']['size_bytes']);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 64]);
    const records = server.records();
    expect(eventsOf(records, REQUEST_ID)).toEqual([
      'generation_start',
      'workflow_loaded',
      'comfyui_prompt_sent',
      'comfyui_complete',
      'image_retrieved',
    ]);
    for (const record of records) {
      expect(checkRecord(record), String(record['event'])).toEqual([]);
      expect(record).toMatchObject({ request_id: REQUEST_ID, generation_id: body['generation_id'] });
    }
    expect(records.slice(2).every((r) => r['prompt_id'] === body['prompt_id'])).toBe(true);
    expect(server.text()).not.toContain('a cat');
  });

  it('fills the txt2img workflow and reaches the emulated sampler', async () => {
    const { server, emulator } = await setup();
    const res = await generate(server.app, { prompt: 'a fox', workflow: 'txt2img', steps: 3, seed: 7 });
    expect(res.status).toBe(200);
    expect(emulator.output()).toContain('| 3/3 [');
    const [queued] = Object.values((await (await emulator.app.request('/history')).json()) as Json) as Json[];
    expect(queued?.['prompt'][2]['6']['inputs']['text']).toBe('a fox');
    expect(queued?.['prompt'][2]['3']['inputs']).toMatchObject({ seed: 7, steps: 3 });
    expect(queued?.['prompt'][3]).toMatchObject({
      client_id: expect.any(String),
      extra_pnginfo: { logtrace: { request_id: expect.any(String) } },
    });
  });

  it.each([
    ['[[fault:error]]', 502, 'comfyui_execution_error'],
    ['[[fault:oom]]', 502, 'comfyui_execution_error'],
    ['[[fault:interrupt]]', 502, 'comfyui_interrupted'],
    ['[[fault:http500]]', 502, 'comfyui_http_500'],
    ['[[fault:garbage]]', 502, 'comfyui_bad_response'],
  ])('answers %s with %i %s and an error_comfyui event', async (marker, status, code) => {
    const { server } = await setup();
    const res = await generate(server.app, { prompt: `a cat ${marker}` }, { 'X-Request-ID': REQUEST_ID });
    expect(res.status).toBe(status);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ error_code: code, request_id: REQUEST_ID, generation_id: expect.any(String) });
    const last = server.records().at(-1) as Json;
    expect(last).toMatchObject({ event: 'error_comfyui', level: 'ERROR', error_code: code, generation_id: body['generation_id'] });
    expect(checkRecord(last)).toEqual([]);
    if (code === 'comfyui_http_500') expect(last['status']).toBe(500);
  });

  it('answers 400 prompt_invalid with a node_errors summary when ComfyUI rejects the graph', async () => {
    const emulator = await createTestEmulator({ checkpoints: [] });
    open.push(emulator);
    const server = createTestGpuServer(emulator.fetch);
    const res = await generate(server.app, { prompt: 'a cat', workflow: 'txt2img' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      error_code: 'prompt_invalid',
      details: {
        comfyui_error: { type: 'prompt_outputs_failed_validation' },
        node_errors: [{ node_id: '4', class_type: 'CheckpointLoaderSimple', type: 'value_not_in_list', input_name: 'ckpt_name' }],
      },
    });
    expect(server.records().at(-1)).toMatchObject({ event: 'error_comfyui', status: 400, node_errors: body['details']['node_errors'] });
  });

  it('gives up with 504 comfyui_timeout and cancels the prompt', async () => {
    const { server, emulator } = await setup({ COMFYUI_TIMEOUT_MS: '150' });
    const res = await generate(server.app, { prompt: '[[fault:hang]]' });
    expect(res.status).toBe(504);
    expect(((await res.json()) as Json)['error_code']).toBe('comfyui_timeout');
    expect(server.records().at(-1)).toMatchObject({
      event: 'error_comfyui',
      error_code: 'comfyui_timeout',
      timeout_ms: 150,
      comfyui_cancel: 'interrupted',
    });
    expect(emulator.output()).toContain('Interrupting prompt');
  });

  it('answers 404 workflow_not_found with error_workflow', async () => {
    const { server } = await setup();
    const missing = await generate(server.app, { prompt: 'x', workflow: 'nope' });
    expect([missing.status, ((await missing.json()) as Json)['error_code']]).toEqual([404, 'workflow_not_found']);
    expect(server.records().map((r) => r['event'])).toEqual(['generation_start', 'error_workflow']);
  });

  it('answers bad bodies with 400/413 and one request_rejected line each, no generation started', async () => {
    const { server } = await setup();
    const bad = await generate(server.app, { prompt: '', width: 13, level: 'FATAL' }, { 'X-Request-ID': REQUEST_ID });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as Json;
    expect(body).toMatchObject({ error_code: 'invalid_request', request_id: REQUEST_ID });
    expect(body['generation_id']).toBeUndefined();
    expect((body['details'] as unknown[]).length).toBe(3);
    const post = (text: string, type = 'application/json') =>
      server.app.request('/generate', { method: 'POST', headers: { 'content-type': type }, body: text });
    expect((await post('{')).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(400);
    expect((await post(JSON.stringify({ prompt: 'x'.repeat(70_000) }))).status).toBe(413);
    const records = server.records();
    expect(records.map((r) => [r['event'], r['level'], r['status'], r['error_code']])).toEqual([
      ['request_rejected', 'WARN', 400, 'invalid_request'],
      ['request_rejected', 'WARN', 400, 'invalid_request'],
      ['request_rejected', 'WARN', 400, 'invalid_request'],
      ['request_rejected', 'WARN', 413, 'payload_too_large'],
    ]);
    expect(records[0]).toMatchObject({ request_id: REQUEST_ID, errors: body['details'] });
    for (const record of records) expect(checkRecord(record)).toEqual([]);
    expect(server.text()).not.toContain('FATAL');
  });

  it('requires the bearer token when one is configured, and never logs it', async () => {
    const { server } = await setup({ GPU_SERVER_TOKEN: 'tok-123456' });
    const none = await generate(server.app, { prompt: 'x' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as Json)['error_code']).toBe('unauthorized');
    expect((await generate(server.app, { prompt: 'x' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await generate(server.app, { prompt: 'x' }, { authorization: 'Bearer tok-123456' })).status).toBe(200);
    expect(server.text()).not.toContain('tok-123456');
    expect(server.text()).not.toContain('wrong');
    const rejected = server.records().filter((r) => r['event'] === 'request_rejected');
    expect(rejected.map((r) => [r['status'], r['error_code']])).toEqual([
      [401, 'unauthorized'],
      [401, 'unauthorized'],
    ]);
    for (const record of rejected) expect(checkRecord(record)).toEqual([]);
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s /generate with 405 and Allow: POST, as the backend does', async (method) => {
    const { server } = await setup();
    const res = await server.app.request('/generate', { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const id = res.headers.get('x-request-id');
    expect(await res.json()).toEqual({ error: 'use POST', error_code: 'method_not_allowed', request_id: id });
    expect(server.records()).toEqual([]);
  });

  it('replaces an invalid X-Request-ID with a new UUID', async () => {
    const { server } = await setup();
    const res = await generate(server.app, { prompt: '' }, { 'X-Request-ID': '../../etc <script>' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GPU server GET /health', () => {
  it('reports ComfyUI reachable, or degraded with the error code', async () => {
    const { server } = await setup();
    expect(await (await server.app.request('/health')).json()).toMatchObject({
      status: 'ok',
      service: 'gpu_server',
      comfyui: { reachable: true, version: '0.3.64' },
      log_write_errors: 0,
    });
    const down: typeof fetch = () =>
      Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }));
    const offline = createTestGpuServer(down);
    expect(await (await offline.app.request('/health')).json()).toMatchObject({
      status: 'degraded',
      comfyui: { reachable: false, error_code: 'ECONNREFUSED' },
    });
    expect((await offline.app.request('/nowhere')).status).toBe(404);
  });
});
