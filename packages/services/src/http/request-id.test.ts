import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { handleError } from './handle-error.js';
import { requestId, type RequestIdVariables } from './request-id.js';

function app(): Hono<{ Variables: RequestIdVariables }> {
  const hono = new Hono<{ Variables: RequestIdVariables }>();
  hono.use(requestId({ newId: () => 'fresh-id' }));
  hono.get('/ok', (c) => c.json({ id: c.get('requestId') }));
  hono.get('/fail', () => {
    throw new ApiError(409, 'conflict', 'busy');
  });
  hono.onError(handleError);
  return hono;
}

describe('requestId', () => {
  it('keeps a valid UUID v4, lower-cased, and echoes it', async () => {
    const res = await app().request('/ok', { headers: { 'x-request-id': 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' } });
    expect(res.headers.get('x-request-id')).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    expect(await res.json()).toEqual({ id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' });
  });

  it.each(['', 'abc', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'x'.repeat(5000)])('replaces %j with a fresh id', async (value) => {
    const res = await app().request('/ok', { headers: { 'x-request-id': value } });
    expect(res.headers.get('x-request-id')).toBe('fresh-id');
  });

  it('sets the header on error responses too', async () => {
    const res = await app().request('/fail');
    expect(res.status).toBe(409);
    expect(res.headers.get('x-request-id')).toBe('fresh-id');
  });
});
