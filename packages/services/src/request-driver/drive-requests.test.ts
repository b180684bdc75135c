import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { startServer, type RunningServer } from '../http/start-server.js';
import { driveRequests, pickKind, type RequestKind } from './drive-requests.js';

const kind = (name: string, weight: number): RequestKind => ({ name, weight, body: (i) => ({ prompt: `${name} ${i}` }) });

describe('pickKind', () => {
  it('spreads kinds in proportion to their weights', () => {
    const kinds = [kind('ok', 6), kind('invalid', 3), kind('error', 1)];
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i += 1) counts.set(pickKind(kinds, i).name, (counts.get(pickKind(kinds, i).name) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ ok: 60, invalid: 30, error: 10 });
  });
});

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop(1000);
  server = undefined;
});

describe('driveRequests', () => {
  it('sends every request with bounded concurrency and reports each answer', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const app = new Hono().post('/api/generate', async (c) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const body = (await c.req.json()) as { prompt: string };
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      c.header('x-request-id', `id-${body.prompt}`);
      return c.json({}, body.prompt.startsWith('bad') ? 400 : 200);
    });
    server = await startServer({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    const results = await driveRequests({
      url: server.url,
      count: 20,
      concurrency: 3,
      kinds: [kind('good', 3), kind('bad', 1)],
    });
    expect(results).toHaveLength(20);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r.status === 400).map((r) => r.kind)).toEqual(Array(5).fill('bad'));
    expect(results[0]?.requestId).toBe(`id-${results[0]?.kind} 0`);
  });

  it('records a transport failure as status 0 instead of throwing', async () => {
    const results = await driveRequests({ url: 'http://127.0.0.1:1', count: 2, concurrency: 2, kinds: [kind('x', 1)] });
    expect(results.map((r) => r.status)).toEqual([0, 0]);
    expect(results[0]?.error).toBeTruthy();
  });
});
