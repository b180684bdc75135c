import { describe, expect, it } from 'vitest';
import { isUuidV4, newId, parseIncomingId } from './ids.js';

describe('ids', () => {
  it('makes distinct UUID v4 values', () => {
    const a = newId();
    const b = newId();
    expect(isUuidV4(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('accepts a UUID v4 over the wire, lower-cased', () => {
    expect(parseIncomingId('0B6F4C1E-2F0A-4C47-9A53-5E9F1F3B7A10')).toBe('0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10');
  });

  it.each([
    ['not-an-id'],
    ['0b6f4c1e-2f0a-1c47-9a53-5e9f1f3b7a10'],
    ['0b6f4c1e-2f0a-4c47-7a53-5e9f1f3b7a10'],
    ['0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10\n{"level":"FATAL"}'],
    [' 0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10'],
    ['../../etc/passwd'],
    ['x'.repeat(10_000)],
    [''],
    [undefined],
    [42],
  ])('rejects %j', (value) => {
    expect(parseIncomingId(value)).toBeUndefined();
  });
});
