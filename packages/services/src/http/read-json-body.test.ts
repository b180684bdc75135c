import { describe, expect, it } from 'vitest';
import { readJsonBody } from './read-json-body.js';

function post(
  body: string | Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return new Request('http://127.0.0.1/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

function chunked(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

describe('readJsonBody', () => {
  it('parses a JSON object', async () => {
    expect(await readJsonBody(post('{"prompt":"a cat"}'), 1024)).toEqual({ ok: true, value: { prompt: 'a cat' } });
  });

  it('accepts application/json with a charset and +json types', async () => {
    const a = await readJsonBody(post('[]', { 'content-type': 'application/json; charset=utf-8' }), 10);
    const b = await readJsonBody(post('1', { 'content-type': 'application/vnd.api+json' }), 10);
    expect(a.ok && b.ok).toBe(true);
  });

  it.each([
    ['text/plain', '{"a":1}', 'content-type', 'must be application/json'],
    ['application/json', '', 'body', 'is required'],
    ['application/json', '{"a":', 'body', 'must be valid JSON'],
    ['application/jsonx', '{}', 'content-type', 'must be application/json'],
  ])('rejects %s %j with 400', async (type, body, field, message) => {
    expect(await readJsonBody(post(body, { 'content-type': type }), 1024)).toEqual({
      ok: false,
      status: 400,
      errors: [{ field, message }],
    });
  });

  it('rejects invalid UTF-8 with 400', async () => {
    const result = await readJsonBody(post(new Uint8Array([0x22, 0xc3, 0x28, 0x22])), 1024);
    expect(result).toMatchObject({ ok: false, status: 400, errors: [{ field: 'body', message: 'must be valid UTF-8' }] });
  });

  it('rejects an oversize body by its declared length with 413', async () => {
    const request = post('{"prompt":"' + 'x'.repeat(2000) + '"}');
    expect(await readJsonBody(request, 1024)).toMatchObject({ ok: false, status: 413 });
  });

  it('rejects an oversize chunked body while reading it with 413', async () => {
    const part = new TextEncoder().encode('x'.repeat(600));
    const request = post(chunked([part, part, part]));
    expect(request.headers.get('content-length')).toBeNull();
    expect(await readJsonBody(request, 1024)).toMatchObject({ ok: false, status: 413 });
  });

  it('keeps a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"p":"日本"}');
    const request = post(chunked([bytes.slice(0, 7), bytes.slice(7)]));
    expect(await readJsonBody(request, 1024)).toEqual({ ok: true, value: { p: '日本' } });
  });
});
