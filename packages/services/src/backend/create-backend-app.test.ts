import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isUuidV4 } from '@logtrace/shared';
import { createServiceLogger } from '../logging/create-service-logger.js';
import { startBackendHarness, postGenerate, type BackendHarness } from '../../test/support/backend-harness.js';
import { answerImage, GENERATION_ID, imageBody, PNG_BYTES } from '../../test/support/gpu-stand-in.js';
import { rawRequest } from '../../test/support/raw-http.js';
import { createBackendApp } from './create-backend-app.js';
import { loadBackendConfig } from './load-backend-config.js';

let h: BackendHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PROMPT = 'a red fox in fresh snow';

describe('POST /api/generate, success', () => {
  it('returns the image and ids, calls the GPU server per contract, and logs the four events with exact durations', async () => {
    let clock = 1000;
    h = await startBackendHarness({ deps: { now: () => clock } });
    h.gpu.respond((call, res) => {
      clock += 1500;
      return answerImage()(call, res);
    });
    const res = await postGenerate(
      h,
      { prompt: PROMPT, width: 768, height: 512, steps: 30, seed: 42 },
      { headers: { 'user-agent': 'test-agent/1.0' } },
    );
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id') ?? '';
    expect(isUuidV4(requestId)).toBe(true);
    // Exactly the contract's fields, passed through from the GPU server.
    expect(await res.json()).toEqual(imageBody(requestId));

    expect(h.gpu.calls).toHaveLength(1);
    const call = h.gpu.calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/generate');
    expect(call.headers['x-request-id']).toBe(requestId);
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['authorization']).toBeUndefined();
    expect(call.body).toEqual({
      prompt: PROMPT,
      negative_prompt: '',
      width: 768,
      height: 512,
      steps: 30,
      seed: 42,
      workflow: 'default',
    });

    const lines = h.recordsOf(requestId);
    expect(lines.map((l) => l['event'])).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      service: 'backend',
      workflow: 'default',
      width: 768,
      height: 512,
      steps: 30,
      seed: 42,
      prompt_chars: PROMPT.length,
      prompt_sha256: createHash('sha256').update(PROMPT).digest('hex').slice(0, 16),
      negative_prompt_chars: 0,
      client_address: '127.0.0.1',
      user_agent: 'test-agent/1.0',
    });
    expect(lines[0]).not.toHaveProperty('prompt');
    expect(lines[1]).toMatchObject({ level: 'INFO', gpu_url: `${h.gpu.url}/generate`, timeout_ms: 180_000 });
    expect(lines[2]).toMatchObject({
      level: 'INFO',
      generation_id: GENERATION_ID,
      status: 200,
      duration_ms: 1500,
      image_bytes: PNG_BYTES.byteLength,
    });
    expect(lines[3]).toMatchObject({ level: 'INFO', status: 200, duration_ms: 1500, method: 'POST', path: '/api/generate' });
    expect(lines[3]).not.toHaveProperty('error_code');
    expect(h.logText()).not.toContain('red fox');
  });

  it('logs the prompt text only when LOG_PROMPT_TEXT is on, and then truncated', async () => {
    h = await startBackendHarness({ env: { LOG_PROMPT_TEXT: 'true', LOG_PROMPT_MAX_CHARS: '10' } });
    const res = await postGenerate(h, { prompt: PROMPT });
    const [request] = h.recordsOf(res.headers.get('x-request-id') ?? '');
    expect(request).toMatchObject({ event: 'generate_request', prompt: 'a red f...', prompt_truncated: true });
  });

  it('sends GPU_SERVER_TOKEN as a bearer token and never writes it to the log', async () => {
    h = await startBackendHarness({ env: { GPU_SERVER_TOKEN: 'tok-3f9a1c-secret' } });
    const res = await postGenerate(h, { prompt: PROMPT });
    expect(res.status).toBe(200);
    expect(h.gpu.calls[0]?.headers['authorization']).toBe('Bearer tok-3f9a1c-secret');
    expect(h.logText()).not.toContain('tok-3f9a1c');
  });

  it('answers an unexpected exception with a generic 500 and logs the details in internal_error only', async () => {
    const fetchThatBreaks = (): Promise<Response> => {
      throw new RangeError('boom: internal detail /srv/secret/path');
    };
    h = await startBackendHarness({ deps: { fetch: fetchThatBreaks as typeof fetch } });
    const res = await postGenerate(h, { prompt: PROMPT });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id') ?? '';
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal server error', error_code: 'internal_error', request_id: requestId });
    expect(text).not.toContain('boom');
    const lines = h.recordsOf(requestId);
    expect(lines.map((l) => [l['event'], l['level']])).toEqual([
      ['generate_request', 'INFO'],
      ['gpu_request', 'INFO'],
      ['internal_error', 'ERROR'],
      ['response_sent', 'INFO'],
    ]);
    expect(lines[2]).toMatchObject({
      error_code: 'internal_error',
      error: 'boom: internal detail /srv/secret/path',
      error_type: 'RangeError',
    });
    expect(String(lines[2]?.['stack'])).toContain('RangeError');
    expect(lines[3]).toMatchObject({ status: 500, error_code: 'internal_error' });
    expect(lines[3]).not.toHaveProperty('stack');
  });
});

describe('under concurrency', () => {
  it('writes exactly one generate_request and one response_sent per request for 200 concurrent requests', async () => {
    h = await startBackendHarness();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => postGenerate(h!, i % 4 === 3 ? { prompt: '' } : { prompt: `cat ${i}` })),
    );
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(150);
    expect(statuses.filter((s) => s === 400)).toHaveLength(50);
    const ids = new Set(responses.map((r) => r.headers.get('x-request-id')));
    expect(ids.size).toBe(200);
    const byId = new Map<unknown, unknown[]>();
    for (const record of h.records()) byId.set(record['request_id'], [...(byId.get(record['request_id']) ?? []), record['event']]);
    expect(byId.size).toBe(200);
    for (const [id, seen] of byId) {
      expect(ids.has(id as string)).toBe(true);
      expect(seen).toEqual(
        seen.length === 3
          ? ['generate_request', 'validation_error', 'response_sent']
          : ['generate_request', 'gpu_request', 'gpu_response', 'response_sent'],
      );
    }
  });
});

describe('X-Request-ID', () => {
  it("never takes a caller's id as its own: a fresh request_id every time, the caller's kept as client_request_id", async () => {
    h = await startBackendHarness();
    const incoming = '0B6F4C1E-2F0A-4C47-9A53-5E9F1F3B7A10';
    const client = incoming.toLowerCase();
    // The same client id twice (a replay, or someone else's id) must not merge two traces.
    const answers = [
      await postGenerate(h, { prompt: PROMPT }, { headers: { 'x-request-id': incoming } }),
      await postGenerate(h, { prompt: '' }, { headers: { 'x-request-id': incoming } }),
    ];
    const ids = answers.map((res) => res.headers.get('x-request-id') ?? '');
    expect(ids.every((id) => isUuidV4(id) && id !== client)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    for (const res of answers) expect(res.headers.get('x-client-request-id')).toBe(client);
    expect(await answers[0]!.json()).toMatchObject({ request_id: ids[0], client_request_id: client });
    expect(await answers[1]!.json()).toMatchObject({ error_code: 'invalid_request', request_id: ids[1], client_request_id: client });
    expect(h.gpu.calls[0]?.headers['x-request-id']).toBe(ids[0]);
    expect(h.recordsOf(client)).toEqual([]);
    const first = h.recordsOf(ids[0]!);
    expect(first.map((l) => [l['event'], l['client_request_id']])).toEqual([
      ['generate_request', client],
      ['gpu_request', undefined],
      ['gpu_response', undefined],
      ['response_sent', client],
    ]);
    expect(h.recordsOf(ids[1]!).map((l) => [l['event'], l['client_request_id']])).toEqual([
      ['generate_request', client],
      ['validation_error', undefined],
      ['response_sent', client],
    ]);
  });

  it('echoes a client id on 404 and 405 answers too; no header and no field without one', async () => {
    h = await startBackendHarness();
    const client = '1b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
    for (const [path, status] of [
      ['/nope', 404],
      ['/api/generate', 405],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, { headers: { 'x-request-id': client } });
      expect(res.status).toBe(status);
      expect(res.headers.get('x-client-request-id')).toBe(client);
      expect(await res.json()).toMatchObject({ client_request_id: client });
    }
    const plain = await postGenerate(h, { prompt: PROMPT });
    expect(plain.headers.get('x-client-request-id')).toBeNull();
    expect(Object.keys((await plain.json()) as object)).not.toContain('client_request_id');
    expect(h.records().filter((r) => r['path'] === '/api/generate' && r['status'] === 200)[0]).not.toHaveProperty('client_request_id');
  });

  it.each([
    ['a UUID v1', ['X-Request-ID: 6ba7b810-9dad-11d1-80b4-00c04fd430c8']],
    ['the nil UUID', ['X-Request-ID: 00000000-0000-0000-0000-000000000000']],
    ['a short token', ['X-Request-ID: abc123']],
    ['a JSON injection', ['X-Request-ID: ","level":"FATAL","event":"forged","x":"']],
    ['a 10 KB value', [`X-Request-ID: ${'A'.repeat(10 * 1024)}`]],
    ['terminal escapes', ['X-Request-ID: \u001b[31mred\u001b[0m']],
    ['a bidi override (UTF-8 bytes)', ['X-Request-ID: 0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10\u202egnp.exe']],
    ['two valid ids', ['X-Request-ID: 0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10', 'X-Request-ID: 1b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10']],
    ['a folded continuation line', ['X-Request-ID: 0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10', ' X-Injected: 1']],
  ])('ignores %s: fresh id, or a parser 400 with its own id, never logged', async (_name, headerLines) => {
    h = await startBackendHarness();
    const body = JSON.stringify({ prompt: PROMPT });
    const res = await rawRequest(h.url, ['POST /api/generate HTTP/1.1', 'Content-Type: application/json', ...headerLines], body);
    const hostile = headerLines.map((line) => line.slice(line.indexOf(':') + 1).trim());
    const log = h.logText();
    for (const value of hostile.filter((v) => v.length >= 8)) expect(log).not.toContain(value.slice(0, 40));
    expect(log).not.toContain('forged');
    const id = res.headers['x-request-id'] ?? '';
    expect(isUuidV4(id)).toBe(true);
    expect(hostile).not.toContain(id);
    if (res.status === 400) {
      // Refused by Node's HTTP parser before the app ran: our JSON answer, a request_rejected line.
      expect(JSON.parse(res.body)).toMatchObject({ error_code: 'bad_request', request_id: id });
      await expect.poll(() => h?.recordsOf(id)).toMatchObject([{ event: 'request_rejected', status: 400 }]);
      return;
    }
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { request_id: string }).request_id).toBe(id);
    expect(h.records().filter((r) => r['event'] === 'response_sent')).toHaveLength(1);
    expect(h.recordsOf(id).at(-1)).toMatchObject({ event: 'response_sent', status: 200 });
  });
});

describe('other routes', () => {
  it('GET /health reports status, uptime and log health, carries a request id, and writes no response_sent', async () => {
    h = await startBackendHarness();
    const res = await fetch(`${h.url}/health`);
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(await res.json()).toEqual({
      status: 'ok',
      service: 'backend',
      uptime_ms: expect.any(Number) as number,
      in_flight: 0,
      gpu_server_url: h.gpu.url,
      log_write_errors: 0,
      log_lines_lost: 0,
      request_id: id,
    });
    expect(h.records()).toEqual([]);
  });

  it('reports degraded health when log lines cannot be written, and keeps answering', async () => {
    const config = loadBackendConfig({ GPU_SERVER_URL: 'http://127.0.0.1:9', GPU_TIMEOUT_MS: '1000' });
    const reports: string[] = [];
    const logger = createServiceLogger({ service: 'backend', logDir: '/tmp', file: '/dev/full', report: (m) => reports.push(m) });
    const app = createBackendApp({ config, logger });
    const rejected = await app.request('/api/generate', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(rejected.status).toBe(400);
    const health = await app.request('/health');
    expect(health.status).toBe(200);
    const body = (await health.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'degraded', log_last_error: expect.stringContaining('ENOSPC') as string });
    // generate_request, validation_error, response_sent: each lost after one failed write.
    expect(body).toMatchObject({ log_write_errors: 3, log_lines_lost: 3 });
    expect(reports[0]).toContain('/dev/full');
  });

  it('answers unknown paths with a JSON 404 and other methods on /api/generate with 405, each logged once', async () => {
    h = await startBackendHarness();
    const missing = await fetch(`${h.url}/nope?x=1`);
    expect(missing.status).toBe(404);
    const missingId = missing.headers.get('x-request-id');
    expect(await missing.json()).toEqual({ error: 'no such endpoint', error_code: 'not_found', request_id: missingId });
    const wrong = await fetch(`${h.url}/api/generate`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const wrongId = wrong.headers.get('x-request-id');
    expect(await wrong.json()).toMatchObject({ error_code: 'method_not_allowed', request_id: wrongId });
    expect(h.records().map((r) => [r['request_id'], r['event'], r['status'], r['path']])).toEqual([
      [missingId, 'response_sent', 404, '/nope'],
      [wrongId, 'response_sent', 405, '/api/generate'],
    ]);
  });
});
