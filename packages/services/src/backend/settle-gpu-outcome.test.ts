import { afterEach, describe, expect, it } from 'vitest';
import { postGenerate, startBackendHarness, waitFor, type BackendHarness, type LogRecord } from '../../test/support/backend-harness.js';
import {
  afterGate,
  answerImage,
  answerJson,
  answerText,
  closedPortUrl,
  GENERATION_ID,
  hang,
  PNG_BYTES,
  resetConnection,
  type Behavior,
} from '../../test/support/gpu-stand-in.js';

let h: BackendHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BODY = { prompt: 'a lighthouse at dusk' };

async function generate(harness: BackendHarness, init: { signal?: AbortSignal } = {}) {
  const res = await postGenerate(harness, BODY, init);
  const requestId = res.headers.get('x-request-id') ?? '';
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, requestId, body, lines: harness.recordsOf(requestId) };
}

const events = (lines: readonly LogRecord[]): unknown[] => lines.map((l) => l['event']);

const gpuError = (status: number, code: string, extra: Record<string, unknown> = {}): Behavior =>
  answerJson(status, { error: `GPU says ${code}`, error_code: code, generation_id: GENERATION_ID, ...extra });

describe('GPU server answers with an error or garbage', () => {
  it.each([
    ['500 comfyui_http_500', gpuError(500, 'comfyui_http_500'), 500, 502, 'comfyui_http_500', true],
    ['502 comfyui_execution_error', gpuError(502, 'comfyui_execution_error'), 502, 502, 'comfyui_execution_error', true],
    ['502 ECONNREFUSED (ComfyUI down)', gpuError(502, 'ECONNREFUSED'), 502, 502, 'ECONNREFUSED', true],
    ['504 comfyui_timeout', gpuError(504, 'comfyui_timeout'), 504, 502, 'comfyui_timeout', true],
    ['401 bad token', answerJson(401, { error: 'bad token', error_code: 'unauthorized' }), 401, 502, 'unauthorized', false],
    ['500 with an HTML page', answerText(500, '<html>oops</html>'), 500, 502, 'gpu_http_500', false],
    ['404 with an HTML page (wrong URL)', answerText(404, '<h1>Not Found</h1>'), 404, 502, 'gpu_http_404', false],
    ['302 redirect', answerText(302, ''), 302, 502, 'gpu_http_302', false],
    ['200 with text', answerText(200, 'all good', 'text/plain'), 200, 502, 'gpu_bad_response', false],
    ['200 with a JSON array', answerJson(200, [1, 2]), 200, 502, 'gpu_bad_response', false],
    ['200 without an image', answerJson(200, { generation_id: GENERATION_ID }), 200, 502, 'gpu_bad_response', false],
  ])('%s → 502-class answer and gpu_response at ERROR', async (_name, behavior, gpuStatus, status, code, withGeneration) => {
    h = await startBackendHarness();
    h.gpu.respond(behavior);
    const r = await generate(h);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ error_code: code, request_id: r.requestId });
    expect(JSON.stringify(r.body)).not.toContain('GPU says');
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    expect(r.lines[2]).toMatchObject({ level: 'ERROR', status: gpuStatus, error_code: code });
    expect(r.lines[2]?.['duration_ms']).toEqual(expect.any(Number));
    expect(r.lines[2]?.['generation_id']).toBe(withGeneration ? GENERATION_ID : undefined);
    expect(r.body['generation_id']).toBe(withGeneration ? GENERATION_ID : undefined);
    expect(r.lines[3]).toMatchObject({ status, error_code: code });
  });

  it('rejects a 200 whose request_id, image size or base64 is wrong', async () => {
    h = await startBackendHarness();
    const good = {
      request_id: '',
      generation_id: GENERATION_ID,
      prompt_id: 'p1',
      image: { filename: 'x.png', content_type: 'image/png', size_bytes: PNG_BYTES.byteLength, base64: PNG_BYTES.toString('base64') },
    };
    const variants = [
      { ...good, request_id: '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10' },
      { ...good, image: { ...good.image, size_bytes: 1 } },
      { ...good, image: { ...good.image, base64: '***' } },
    ];
    for (const variant of variants) {
      h.gpu.respond((call, res) =>
        answerJson(200, { ...variant, request_id: variant.request_id || call.headers['x-request-id'] })(call, res),
      );
      const r = await generate(h);
      expect([r.status, r.body['error_code']]).toEqual([502, 'gpu_bad_response']);
      expect(r.lines[2]).toMatchObject({ event: 'gpu_response', level: 'ERROR', status: 200, error_code: 'gpu_bad_response' });
    }
  });

  it('refuses a response over GPU_MAX_RESPONSE_BYTES without reading it all', async () => {
    h = await startBackendHarness({ env: { GPU_MAX_RESPONSE_BYTES: '1024' } });
    h.gpu.respond(answerText(200, 'x'.repeat(256 * 1024), 'application/json'));
    const r = await generate(h);
    expect([r.status, r.body['error_code']]).toEqual([502, 'gpu_response_too_large']);
    expect(r.lines[2]).toMatchObject({ event: 'gpu_response', level: 'ERROR', error_code: 'gpu_response_too_large' });
  });

  it.each([
    [400, 'prompt_invalid', { node_errors: { '6': { errors: [{ type: 'required_input_missing' }] } } }],
    [404, 'workflow_not_found', undefined],
  ])("passes the caller's own mistake through: %i %s with its reasons", async (status, code, details) => {
    h = await startBackendHarness();
    h.gpu.respond(gpuError(status, code, details === undefined ? {} : { details }));
    const r = await generate(h);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({
      error: `GPU says ${code}`,
      error_code: code,
      generation_id: GENERATION_ID,
      ...(details === undefined ? {} : { details }),
      request_id: r.requestId,
    });
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    expect(r.lines[2]).toMatchObject({ level: 'ERROR', status, error_code: code, generation_id: GENERATION_ID });
    expect(r.lines[3]).toMatchObject({ status, error_code: code });
  });

  it('stays healthy: the request after a failure succeeds', async () => {
    h = await startBackendHarness();
    h.gpu.respond(gpuError(500, 'comfyui_http_500'));
    expect((await generate(h)).status).toBe(502);
    h.gpu.respond(answerImage());
    const r = await generate(h);
    expect(r.status).toBe(200);
    expect(r.body['generation_id']).toBe(GENERATION_ID);
  });
});

describe('GPU server does not answer', () => {
  it('times out after GPU_TIMEOUT_MS: 504, timeout_error, and the GPU call is cancelled', async () => {
    h = await startBackendHarness({ env: { GPU_TIMEOUT_MS: '300' } });
    h.gpu.respond(hang());
    const r = await generate(h);
    expect(r.status).toBe(504);
    expect(r.body).toEqual({ error: 'GPU server did not answer within 300 ms', error_code: 'gpu_timeout', request_id: r.requestId });
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'timeout_error', 'response_sent']);
    expect(r.lines[2]).toMatchObject({ level: 'ERROR', timeout_ms: 300 });
    // Timers may fire a millisecond early against the monotonic clock.
    expect(r.lines[2]?.['duration_ms']).toBeGreaterThanOrEqual(295);
    expect(r.lines[3]).toMatchObject({ status: 504, error_code: 'gpu_timeout' });
    expect(r.lines[3]?.['duration_ms']).toBeGreaterThanOrEqual(r.lines[2]?.['duration_ms'] as number);
    await h.gpu.calls[0]?.closedEarly;
  });

  it('times out at the shorter deadline a caller asks for with X-Request-Timeout-Ms', async () => {
    h = await startBackendHarness();
    h.gpu.respond(hang());
    const res = await postGenerate(h, BODY, { headers: { 'x-request-timeout-ms': '250' } });
    const requestId = res.headers.get('x-request-id') ?? '';
    expect(res.status).toBe(504);
    const lines = h.recordsOf(requestId);
    expect(events(lines)).toEqual(['generate_request', 'gpu_request', 'timeout_error', 'response_sent']);
    expect(lines[1]).toMatchObject({ timeout_ms: 250 });
    expect(lines[2]).toMatchObject({ timeout_ms: 250 });
  });

  it('times out when the body stalls after the headers', async () => {
    h = await startBackendHarness({ env: { GPU_TIMEOUT_MS: '300' } });
    h.gpu.respond((_call, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"request_id":');
    });
    const r = await generate(h);
    expect([r.status, r.body['error_code']]).toEqual([504, 'gpu_timeout']);
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'timeout_error', 'response_sent']);
  });

  it('reports a refused connection as 502 with gpu_error ECONNREFUSED', async () => {
    h = await startBackendHarness({ env: { GPU_SERVER_URL: await closedPortUrl() } });
    const r = await generate(h);
    expect(r.status).toBe(502);
    expect(r.body).toEqual({ error: 'GPU server unreachable', error_code: 'ECONNREFUSED', request_id: r.requestId });
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'gpu_error', 'response_sent']);
    expect(r.lines[2]).toMatchObject({
      level: 'ERROR',
      error_code: 'ECONNREFUSED',
      error: expect.stringContaining('ECONNREFUSED') as string,
    });
    expect(r.lines[3]).toMatchObject({ status: 502, error_code: 'ECONNREFUSED' });
  });

  it('reports a reset connection as 502 with gpu_error', async () => {
    h = await startBackendHarness();
    h.gpu.respond(resetConnection());
    const r = await generate(h);
    expect(r.status).toBe(502);
    expect(String(r.body['error_code'])).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'gpu_error', 'response_sent']);
  });

  it('cancels the GPU call when the client goes away, and logs response_sent 499', async () => {
    h = await startBackendHarness();
    h.gpu.respond(hang());
    const client = new AbortController();
    const arrived = h.gpu.nextCall();
    const pending = postGenerate(h, BODY, { signal: client.signal }).catch(() => 'aborted');
    const call = await arrived;
    const requestId = String(call.headers['x-request-id']);
    client.abort();
    expect(await pending).toBe('aborted');
    await call.closedEarly;
    const harness = h;
    const lines = await waitFor(() => {
      const found = harness.recordsOf(requestId);
      return found.some((l) => l['event'] === 'response_sent') ? found : undefined;
    });
    expect(events(lines)).toEqual(['generate_request', 'gpu_request', 'response_sent']);
    expect(lines[2]).toMatchObject({ status: 499, error_code: 'client_closed_request' });
  });

  it('answers 503 service_stopping when shutdown cancels the GPU call', async () => {
    const stopping = new AbortController();
    h = await startBackendHarness({ deps: { shutdownSignal: stopping.signal } });
    let release: () => void = () => undefined;
    h.gpu.respond(afterGate(new Promise<void>((resolve) => (release = resolve)), answerImage()));
    const arrived = h.gpu.nextCall();
    const pending = generate(h);
    await arrived;
    stopping.abort();
    const r = await pending;
    release();
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error_code: 'service_stopping', request_id: r.requestId });
    expect(events(r.lines)).toEqual(['generate_request', 'gpu_request', 'response_sent']);
    expect(r.lines[2]).toMatchObject({ status: 503, error_code: 'service_stopping' });
  });
});
