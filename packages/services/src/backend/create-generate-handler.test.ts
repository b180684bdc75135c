import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackendHarness, type BackendHarness } from '../../test/support/backend-harness.js';

let h: BackendHarness;
beforeAll(async () => {
  h = await startBackendHarness();
});
afterAll(async () => {
  await h.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };

function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      controller.enqueue(new TextEncoder().encode('x'.repeat(8192)));
      sent += 8192;
    },
  });
}

type Case = [name: string, init: RequestInit, status: 400 | 413, errors: Array<{ field: string; message: string }>];

const cases: Case[] = [
  ['malformed JSON', { headers: JSON_TYPE, body: '{"prompt":' }, 400, [{ field: 'body', message: 'must be valid JSON' }]],
  [
    'a text/plain body',
    { headers: { 'content-type': 'text/plain' }, body: '{"prompt":"x"}' },
    400,
    [{ field: 'content-type', message: 'must be application/json' }],
  ],
  ['an empty body', { headers: JSON_TYPE, body: '' }, 400, [{ field: 'body', message: 'is required' }]],
  [
    'invalid UTF-8',
    { headers: JSON_TYPE, body: new Uint8Array([0x22, 0xc3, 0x28, 0x22]) },
    400,
    [{ field: 'body', message: 'must be valid UTF-8' }],
  ],
  ['a JSON array', { headers: JSON_TYPE, body: '[]' }, 400, [{ field: 'body', message: 'must be a JSON object' }]],
  [
    'deeply nested JSON',
    { headers: JSON_TYPE, body: '['.repeat(20_000) + ']'.repeat(20_000) },
    400,
    [{ field: 'body', message: 'must be a JSON object' }],
  ],
  [
    'an oversize body with Content-Length',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'x'.repeat(100_000) }) },
    413,
    [{ field: 'body', message: 'must be at most 65536 bytes' }],
  ],
  [
    'an oversize chunked body (no Content-Length)',
    { headers: JSON_TYPE, body: streamOf(200_000), duplex: 'half' } as RequestInit,
    413,
    [{ field: 'body', message: 'must be at most 65536 bytes' }],
  ],
  ['a missing prompt', { headers: JSON_TYPE, body: '{}' }, 400, [{ field: 'prompt', message: 'is required' }]],
  ['a blank prompt', { headers: JSON_TYPE, body: '{"prompt":"   "}' }, 400, [{ field: 'prompt', message: 'must not be empty' }]],
  [
    'a prompt over 4000 characters',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'y'.repeat(4001) }) },
    400,
    [{ field: 'prompt', message: 'must be at most 4000 characters' }],
  ],
  [
    'a control character in the prompt',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'a\u0007b' }) },
    400,
    [{ field: 'prompt', message: 'must not contain control characters or bidirectional overrides' }],
  ],
  [
    'a bidi override in the negative prompt',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'ok', negative_prompt: 'gnp.\u202eexe' }) },
    400,
    [{ field: 'negative_prompt', message: 'must not contain control characters or bidirectional overrides' }],
  ],
  [
    'wrong types',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 5, width: '512', steps: 1.5, seed: -1 }) },
    400,
    [
      { field: 'prompt', message: 'must be a string' },
      { field: 'width', message: 'must be an integer' },
      { field: 'steps', message: 'must be an integer' },
      { field: 'seed', message: `must be from 0 to ${Number.MAX_SAFE_INTEGER}` },
    ],
  ],
  [
    'a size that is not a multiple of 8',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'x', height: 513 }) },
    400,
    [{ field: 'height', message: 'must be a multiple of 8' }],
  ],
  [
    'a workflow path',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'x', workflow: '../etc/passwd' }) },
    400,
    [{ field: 'workflow', message: 'must be a name of letters, digits, _ or - (at most 64), not a path' }],
  ],
  [
    'unknown fields that try to forge log keys',
    { headers: JSON_TYPE, body: JSON.stringify({ prompt: 'x', level: 'FATAL', time: 0, event: 'forged' }) },
    400,
    [{ field: 'body', message: 'has 3 unknown field(s); allowed: prompt, negative_prompt, width, height, steps, seed, workflow' }],
  ],
];

describe('POST /api/generate rejects bad input', () => {
  it.each(cases)('%s: 400/413 with every problem and validation_error', async (_name, init, status, errors) => {
    const before = h.gpu.calls.length;
    const res = await fetch(`${h.url}/api/generate`, { method: 'POST', ...init });
    expect(res.status).toBe(status);
    // The rest of an oversize body was never read, so the connection must not be reused.
    if (status === 413) expect(res.headers.get('connection')).toBe('close');
    const requestId = res.headers.get('x-request-id') ?? '';
    const code = status === 413 ? 'payload_too_large' : 'invalid_request';
    expect(await res.json()).toEqual({
      errors,
      error: status === 413 ? 'request body too large' : 'invalid request',
      error_code: code,
      request_id: requestId,
    });
    expect(h.gpu.calls.length).toBe(before);
    const lines = h.recordsOf(requestId);
    expect(lines.map((l) => [l['event'], l['level']])).toEqual([
      ['generate_request', 'INFO'],
      ['validation_error', 'WARN'],
      ['response_sent', 'INFO'],
    ]);
    expect(lines[0]).toMatchObject({ valid: false });
    expect(lines[0]).not.toHaveProperty('prompt_chars');
    expect(lines[1]).toMatchObject({ status, errors });
    expect(lines[2]).toMatchObject({ status, error_code: code, duration_ms: expect.any(Number) as number });
    expect(h.logText()).not.toContain('forged');
  });
});
