import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { dribble, type Dribbled } from '../../test/support/raw-http.js';
import { ListenError, startServer, type RunningServer, type ServerTimeouts } from './start-server.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop(1000)));
});

async function start(app: Hono, port = 0, timeouts?: ServerTimeouts): Promise<RunningServer> {
  const server = await startServer({ fetch: app.fetch, host: '127.0.0.1', port, ...(timeouts ? { timeouts } : {}) });
  running.push(server);
  return server;
}

/** Writes `first`, then `drip` every 50 ms until the server closes the socket (the test fails on the time after 10 s). */
const slowClient = (port: number, first: string, drip: string): Promise<Dribbled> => dribble(port, first, () => drip, 50, 10_000);

const SHORT: ServerTimeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, checkIntervalMs: 100 };

describe('startServer', () => {
  it('listens on 127.0.0.1 with the chosen timeouts', async () => {
    const app = new Hono().get('/ping', (c) => c.json({ pong: true }));
    const server = await start(app);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.server.headersTimeout).toBe(10_000);
    expect(server.server.requestTimeout).toBe(30_000);
    expect(server.server.keepAliveTimeout).toBe(5_000);
    // Node enforces the first two only on this sweep (its default: every 30 s).
    expect((server.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval).toBe(1_000);
    const response = await fetch(`${server.url}/ping`);
    expect(await response.json()).toEqual({ pong: true });
  });

  it('reports a port in use as a ListenError', async () => {
    const first = await start(new Hono());
    await expect(startServer({ fetch: new Hono().fetch, host: '127.0.0.1', port: first.port })).rejects.toThrow(ListenError);
  });

  it('lets an in-flight request finish on stop, then refuses new connections', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new Hono().get('/slow', async (c) => {
      await gate;
      return c.text('done');
    });
    const server = await startServer({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    const inFlight = fetch(`${server.url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = server.stop(5000);
    setTimeout(release, 100);
    const response = await inFlight;
    expect(await response.text()).toBe('done');
    const started = Date.now();
    await stopped;
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(fetch(`${server.url}/slow`)).rejects.toThrow();
  });

  it('cuts off a client that sends its headers slowly (slowloris) with 408 soon after headersTimeout', async () => {
    const server = await start(
      new Hono().get('/', (c) => c.text('ok')),
      0,
      SHORT,
    );
    const seen = await slowClient(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
    expect(seen.answer).toMatch(/^HTTP\/1\.1 408 /);
    // With Node's 30 s default sweep this would take until the 10 s give-up.
    expect(seen.closedAfterMs).toBeLessThan(3000);
  });

  it('cuts off a client that sends its body slowly with 408 soon after requestTimeout', async () => {
    let handled = 0;
    const app = new Hono().post('/', async (c) => {
      handled += 1;
      return c.text(await c.req.text());
    });
    // Reading the body fails once the server gave up on it; answer quietly.
    app.onError((_err, c) => c.text('aborted', 500));
    const server = await start(app, 0, SHORT);
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n';
    const seen = await slowClient(server.port, head, 'x');
    expect(seen.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(seen.closedAfterMs).toBeLessThan(3000);
    expect(handled).toBeLessThanOrEqual(1);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const server = await start(
      new Hono().get('/', (c) => c.text('ok')),
      0,
      SHORT,
    );
    const seen = await slowClient(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', '');
    expect(seen.answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.answer).toMatch(/keep-alive/i);
    expect(seen.closedAfterMs).toBeLessThan(3000);
  });
});
