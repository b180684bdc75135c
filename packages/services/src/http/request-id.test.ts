import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { handleError } from './handle-error.js';
import { clientRequestIdField, requestId, type RequestIdVariables } from './request-id.js';

function app(options: { adoptIncoming?: boolean } = {}): Hono<{ Variables: RequestIdVariables }> {
  const hono = new Hono<{ Variables: RequestIdVariables }>();
  hono.use(requestId({ newId: () => 'fresh-id', ...options }));
  hono.get('/ok', (c) => c.json({ id: c.get('requestId'), ...clientRequestIdField(c) }));
  hono.get('/fail', () => {
    throw new ApiError(409, 'conflict', 'busy');
  });
  hono.onError(handleError);
  return hono;
}

describe('requestId', () => {
  it("makes its own id and keeps a caller's valid UUID v4, lower-cased, as the client id", async () => {
    const res = await app().request('/ok', { headers: { 'x-request-id': 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' } });
    expect(res.headers.get('x-request-id')).toBe('fresh-id');
    expect(res.headers.get('x-client-request-id')).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(await res.json()).toEqual({ id: 'fresh-id', client_request_id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' });
  });

  it('with adoptIncoming (an internal hop), takes the valid UUID v4 as its id', async () => {
    const res = await app({ adoptIncoming: true }).request('/ok', { headers: { 'x-request-id': 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' } });
    expect(res.headers.get('x-request-id')).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(res.headers.get('x-client-request-id')).toBeNull();
    expect(await res.json()).toEqual({ id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' });
  });

  it.each(['', 'abc', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'x'.repeat(5000)])('replaces %j with a fresh id', async (value) => {
    for (const adoptIncoming of [false, true]) {
      const res = await app({ adoptIncoming }).request('/ok', { headers: { 'x-request-id': value } });
      expect(res.headers.get('x-request-id')).toBe('fresh-id');
      expect(res.headers.get('x-client-request-id')).toBeNull();
      expect(await res.json()).toEqual({ id: 'fresh-id' });
    }
  });

  it('sets the headers and body fields on error responses too', async () => {
    const res = await app().request('/fail', { headers: { 'x-request-id': 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' } });
    expect(res.status).toBe(409);
    expect(res.headers.get('x-request-id')).toBe('fresh-id');
    expect(res.headers.get('x-client-request-id')).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(await res.json()).toEqual({
      error: 'busy',
      error_code: 'conflict',
      request_id: 'fresh-id',
      client_request_id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    });
  });
});
