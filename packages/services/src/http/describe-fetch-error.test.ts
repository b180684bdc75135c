import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeFetchError } from './describe-fetch-error.js';

async function fetchError(url: string): Promise<unknown> {
  try {
    await fetch(url);
  } catch (err) {
    return err;
  }
  throw new Error('fetch succeeded');
}

describe('describeFetchError', () => {
  it('finds ECONNREFUSED in a real refused fetch', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const failure = describeFetchError(await fetchError(`http://127.0.0.1:${port}/`));
    expect(failure.code).toBe('ECONNREFUSED');
    expect(failure.message).toMatch(/^fetch failed: .*ECONNREFUSED/);
  });

  it('walks causes and AggregateErrors, and falls back to fetch_failed', () => {
    const inner = Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' });
    expect(describeFetchError(new TypeError('terminated', { cause: new AggregateError([inner], 'all failed') }))).toEqual({
      code: 'ECONNRESET',
      message: 'terminated: all failed: connect ECONNRESET',
    });
    expect(describeFetchError(new TypeError('fetch failed'))).toEqual({ code: 'fetch_failed', message: 'fetch failed' });
    expect(describeFetchError(Object.assign(new Error('x'), { code: 'not a code!' })).code).toBe('fetch_failed');
  });

  it('caps the message at 300 characters', () => {
    expect(describeFetchError(new TypeError('y'.repeat(1000))).message).toHaveLength(300);
  });
});
