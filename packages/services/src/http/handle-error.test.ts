import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { handleError } from './handle-error.js';
import { requestId, type RequestIdVariables } from './request-id.js';

const ID = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';

function appThrowing(err: unknown): Hono<{ Variables: RequestIdVariables }> {
  const app = new Hono<{ Variables: RequestIdVariables }>();
  app.use(requestId({ newId: () => ID }));
  app.get('/', () => {
    throw err;
  });
  app.onError(handleError);
  return app;
}

describe('handleError', () => {
  it('renders an ApiError with its status, code, fields and headers', async () => {
    const err = new ApiError(405, 'method_not_allowed', 'use POST', {
      fields: { errors: [], error: 'cannot override' },
      headers: { allow: 'POST' },
    });
    const res = await appThrowing(err).request('/');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ errors: [], error: 'use POST', error_code: 'method_not_allowed', request_id: ID });
  });

  it('renders a Hono HTTPException as JSON', async () => {
    const res = await appThrowing(new HTTPException(413, { message: 'Payload Too Large' })).request('/');
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'Payload Too Large', error_code: 'http_413', request_id: ID });
  });

  it('hides anything else behind a generic 500', async () => {
    const res = await appThrowing(new Error('db password is hunter2')).request('/');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal server error', error_code: 'internal_error', request_id: ID });
    expect(text).not.toContain('hunter2');
  });

  it('makes up a request id when none was set', async () => {
    const app = new Hono();
    app.get('/', () => {
      throw new Error('x');
    });
    app.onError(handleError);
    const res = await app.request('/');
    const body = (await res.json()) as { request_id: string };
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
