// Hostile input against both services on real ports (backend → GPU server → emulator,
// GPU server also called directly): each gets a clean 4xx in the error shape, the
// hostile value never reaches a log line, body keys cannot forge log fields, and the
// services answer the next request normally.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUuidV4 } from '@logtrace/shared';
import { rawRequest } from './support/raw-http.js';
import { createRealStack, readLog, type StartedService } from './support/real-stack.js';

type Json = Record<string, any>;

// Every hostile value carries this marker, so "never logged" is one substring check.
const MARK = 'HOSTILE7f3a';

const real = createRealStack();
let backend: StartedService;
let gpu: StartedService;
beforeAll(async () => {
  const { url } = await real.startEmulator();
  gpu = await real.startGpuServer(url);
  // The largest body the backend can be configured for, so 100k-level JSON reaches the parser.
  backend = await real.startBackend(gpu.url, { MAX_BODY_BYTES: String(1024 * 1024) });
});
afterAll(() => real.close());

interface Answer {
  readonly status: number;
  readonly body: Json;
  readonly requestId: string | null;
}

async function send(url: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<Answer> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, duplex: 'half' };
  const res = await fetch(url, init as RequestInit);
  return { status: res.status, body: (await res.json()) as Json, requestId: res.headers.get('x-request-id') };
}

/** A body streamed in chunks without Content-Length. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(new TextEncoder().encode(MARK.repeat(512)));
      sent += MARK.length * 512;
    },
  });
}

const nested = (levels: number): string => `{"prompt":"x","seed":${'['.repeat(levels)}${']'.repeat(levels)}}`;
const nestedObject = (levels: number): string => `{"prompt":${'{"a":'.repeat(levels)}"${MARK}"${'}'.repeat(levels)}}`;

const FORGED = { level: 'FATAL', time: '1999-01-01T00:00:00.000Z', msg: MARK, event: 'fatal_error', service: 'gpu_server', pid: 1 };

type Case = [name: string, status: number, body: () => string | ReadableStream<Uint8Array>, headers?: Record<string, string>];

/** Cases both services answer the same way (their body limits differ, so size cases are per service). */
const COMMON: Case[] = [
  ['malformed JSON', 400, () => `{"prompt":"${MARK}`],
  ['a wrong content type', 400, () => JSON.stringify({ prompt: MARK }), { 'content-type': 'text/plain' }],
  ['wrong types', 400, () => JSON.stringify({ prompt: [MARK], width: MARK, steps: 1.5, seed: -1 })],
  ['an object 10k levels deep as the prompt', 400, () => nestedObject(10_000)],
  ['a NUL in the prompt', 400, () => JSON.stringify({ prompt: `a\u0000${MARK}` })],
  ['terminal escapes in the prompt', 400, () => JSON.stringify({ prompt: `\u001b[2J\u001b[31m${MARK}` })],
  ['a bidi override in the prompt', 400, () => JSON.stringify({ prompt: `\u202e${MARK}gnp.exe` })],
  ['a bidi isolate in the negative prompt', 400, () => JSON.stringify({ prompt: 'ok', negative_prompt: `\u2066${MARK}\u2069` })],
  ['a C1 control in the prompt', 400, () => JSON.stringify({ prompt: `\u0085${MARK}` })],
  ['body keys named like log fields', 400, () => JSON.stringify({ prompt: 'a cat', ...FORGED })],
  ['a __proto__ key', 400, () => `{"prompt":"a cat","__proto__":{"polluted":"${MARK}"}}`],
  ...['..', '../default', 'a/b', 'a\\b', 'a\u0000b', '/etc/passwd', 'C:\\Windows\\win', '%2e%2e%2fdefault', 'default.json', ' default'].map(
    (workflow): Case => [`workflow ${JSON.stringify(workflow)}`, 400, () => JSON.stringify({ prompt: MARK, workflow })],
  ),
];

const BACKEND_ONLY: Case[] = [
  ['JSON 100k levels deep', 400, () => nested(100_000)],
  ['a 1 MB prompt', 400, () => JSON.stringify({ prompt: MARK.repeat(80_000) })],
  ['a body over MAX_BODY_BYTES (Content-Length)', 413, () => JSON.stringify({ prompt: MARK.repeat(100_000) })],
  ['a chunked body over MAX_BODY_BYTES', 413, () => chunked(2 * 1024 * 1024)],
];

const GPU_ONLY: Case[] = [
  ['JSON 30k levels deep', 400, () => nested(30_000)],
  ['JSON 100k levels deep (over its 64 KiB limit)', 413, () => nested(100_000)],
  ['a 60 KB prompt', 400, () => JSON.stringify({ prompt: MARK.repeat(5000) })],
  ['a chunked body over 64 KiB', 413, () => chunked(1024 * 1024)],
];

function expectCleanRejection(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error: expect.any(String), error_code: status === 413 ? 'payload_too_large' : 'invalid_request' });
  expect(isUuidV4(answer.requestId)).toBe(true);
  expect(answer.body['request_id']).toBe(answer.requestId);
  expect(JSON.stringify(answer.body)).not.toContain(MARK);
}

describe('hostile request bodies', () => {
  it.each([...COMMON, ...BACKEND_ONLY])('backend: %s → clean %i', async (_name, status, body, headers) => {
    const answer = await send(`${backend.url}/api/generate`, body(), headers);
    expectCleanRejection(answer, status);
    const lines = readLog(backend).filter((r) => r['request_id'] === answer.requestId);
    expect(lines.map((r) => r['event'])).toEqual(['generate_request', 'validation_error', 'response_sent']);
    expect(lines[1]).toMatchObject({ level: 'WARN', status });
  });

  it.each([...COMMON, ...GPU_ONLY])('GPU server (direct): %s → clean %i', async (_name, status, body, headers) => {
    const answer = await send(`${gpu.url}/generate`, body(), headers);
    expectCleanRejection(answer, status);
    const lines = readLog(gpu).filter((r) => r['request_id'] === answer.requestId);
    expect(lines.map((r) => [r['event'], r['level'], r['status']])).toEqual([['request_rejected', 'WARN', status]]);
  });

  it.each([
    ['backend', () => `${backend.url}/api/generate`, 2 * 1024 * 1024],
    ['GPU server', () => `${gpu.url}/generate`, 1024 * 1024],
  ])("%s: closes the connection of an oversize chunked body, so the client's next request works", async (_name, url, bytes) => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(bytes),
      duplex: 'half',
    } as RequestInit);
    expect([res.status, res.headers.get('connection')]).toEqual([413, 'close']);
    await res.arrayBuffer();
    // Same client, same origin: a reused half-read connection would fail with a socket error.
    const next = await send(url(), JSON.stringify({ prompt: 'a calm sea' }));
    expect(next.status).toBe(200);
  });

  it.each([
    ['a JSON injection', `","level":"FATAL","msg":"${MARK}","x":"`],
    ['a 10 KB value', MARK.repeat(800)],
    ['terminal escapes', `\u001b[31m${MARK}\u001b[0m`],
    ['a path', `../../${MARK}`],
  ])('GPU server: ignores %s as X-Request-ID and never logs it', async (_name, value) => {
    const res = await rawRequest(
      gpu.url,
      ['POST /generate HTTP/1.1', 'Content-Type: application/json', `X-Request-ID: ${value}`],
      '{"prompt":""}',
    );
    // A value Node's HTTP parser refuses gets error_code bad_request; either way one request_rejected line.
    expect(res.status).toBe(400);
    expect(isUuidV4(res.headers['x-request-id'])).toBe(true);
    expect(readLog(gpu).filter((r) => r['request_id'] === res.headers['x-request-id'])).toMatchObject([
      { event: 'request_rejected', status: 400 },
    ]);
  });

  it('left no hostile value and no forged field in either log, and both services still generate', async () => {
    for (const service of [backend, gpu]) {
      const text = readFileSync(service.logFile, 'utf8');
      expect(text).not.toContain(MARK);
      expect(text).not.toContain('1999-01-01');
      // readLog checks every line against the catalog: levels, services and events are real.
      const records = readLog(service);
      expect(records.filter((r) => r['level'] === 'FATAL' || r['event'] === 'fatal_error')).toEqual([]);
      expect(new Set(records.map((r) => r['service']))).toEqual(new Set([service === backend ? 'backend' : 'gpu_server']));
      // A rejected request costs a few short lines, not the size of what was sent.
      expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThan(2048);
      expect(Object.prototype).not.toHaveProperty('polluted');
    }
    const ok = await send(`${backend.url}/api/generate`, JSON.stringify({ prompt: 'a calm sea' }));
    expect(ok.body).toMatchObject({ image: { content_type: 'image/png' } });
    const health = await Promise.all([backend, gpu].map(async (s) => (await fetch(`${s.url}/health`)).json() as Promise<Json>));
    expect(health.map((h) => h['status'])).toEqual(['ok', 'ok']);
  });
});
