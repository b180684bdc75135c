import { describe, expect, it } from 'vitest';
import { readCappedBody } from './read-capped-body.js';

function chunks(parts: string[], onCancel: () => void = () => undefined): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      const part = parts[i++];
      if (part === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(part));
    },
    cancel: onCancel,
  });
}

describe('readCappedBody', () => {
  it('reads every chunk up to the cap', async () => {
    const bytes = await readCappedBody(chunks(['ab', 'cd', 'e']), 5);
    expect(Buffer.from(bytes ?? []).toString()).toBe('abcde');
    expect(await readCappedBody(null, 5)).toEqual(new Uint8Array(0));
  });

  it('returns undefined past the cap and cancels the rest', async () => {
    let cancelled = false;
    expect(
      await readCappedBody(
        chunks(['abc', 'def', 'ghi'], () => (cancelled = true)),
        5,
      ),
    ).toBeUndefined();
    expect(cancelled).toBe(true);
  });

  it('rejects with the stream error', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new TypeError('terminated'));
      },
    });
    await expect(readCappedBody(failing, 5)).rejects.toThrow('terminated');
  });
});
