import { describe, expect, it } from 'vitest';
import { createCallSignal } from './create-call-signal.js';

describe('createCallSignal', () => {
  it('fires on the deadline with a TimeoutError and says so', async () => {
    const call = createCallSignal(20, {});
    await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
    expect(call.firedBy()).toBe('timeout');
    expect((call.signal.reason as DOMException).name).toBe('TimeoutError');
    call.dispose();
  });

  it('names the source signal that fired first', () => {
    const client = new AbortController();
    const shutdown = new AbortController();
    const call = createCallSignal(60_000, { client: client.signal, shutdown: shutdown.signal });
    expect(call.firedBy()).toBeUndefined();
    client.abort();
    shutdown.abort();
    expect(call.signal.aborted).toBe(true);
    expect(call.firedBy()).toBe('client');
    expect((call.signal.reason as DOMException).name).toBe('AbortError');
    call.dispose();
  });

  it('is aborted at once when a source already was', () => {
    const call = createCallSignal(60_000, { client: AbortSignal.abort() });
    expect([call.signal.aborted, call.firedBy()]).toEqual([true, 'client']);
    call.dispose();
  });

  it('ignores its sources and the deadline once disposed', async () => {
    const client = new AbortController();
    const call = createCallSignal(10, { client: client.signal });
    call.dispose();
    client.abort();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(call.signal.aborted).toBe(false);
  });
});
