import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { ListenError, startServer, type RunningServer } from './start-server.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop(1000)));
});

async function start(app: Hono, port = 0): Promise<RunningServer> {
  const server = await startServer({ fetch: app.fetch, host: '127.0.0.1', port });
  running.push(server);
  return server;
}

describe('startServer', () => {
  it('listens on 127.0.0.1 with the chosen timeouts', async () => {
    const app = new Hono().get('/ping', (c) => c.json({ pong: true }));
    const server = await start(app);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.server.headersTimeout).toBe(10_000);
    expect(server.server.requestTimeout).toBe(30_000);
    expect(server.server.keepAliveTimeout).toBe(5_000);
    const response = await fetch(`${server.url}/ping`);
    expect(await response.json()).toEqual({ pong: true });
  });

  it('reports a port in use as a ListenError', async () => {
    const first = await start(new Hono());
    await expect(startServer({ fetch: new Hono().fetch, host: '127.0.0.1', port: first.port })).rejects.toThrow(
      ListenError,
    );
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
});
