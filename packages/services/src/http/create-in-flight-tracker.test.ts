import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createInFlightTracker } from './create-in-flight-tracker.js';

describe('createInFlightTracker', () => {
  it('counts requests until their response is ready and wakes idle() waiters', async () => {
    const tracker = createInFlightTracker();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = new Hono().use(tracker.middleware).get('/', async (c) => {
      await gate;
      return c.text('ok');
    });
    expect(await tracker.idle(10)).toBe(true);
    const pending = app.request('/');
    expect(tracker.count()).toBe(1);
    expect(await tracker.idle(10)).toBe(false);
    const idle = tracker.idle(10_000);
    release();
    expect((await pending).status).toBe(200);
    expect(await idle).toBe(true);
    expect(tracker.count()).toBe(0);
  });

  it('counts a request whose handler threw as finished', async () => {
    const tracker = createInFlightTracker();
    const app = new Hono().use(tracker.middleware).get('/', () => {
      throw new Error('x');
    });
    app.onError((_err, c) => c.text('failed', 500));
    expect((await app.request('/')).status).toBe(500);
    expect(tracker.count()).toBe(0);
  });
});
