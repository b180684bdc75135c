import { describe, expect, it } from 'vitest';
import { readRequestDeadline } from './read-request-deadline.js';

describe('readRequestDeadline', () => {
  it('shortens the configured deadline', () => {
    expect(readRequestDeadline('2000', 180_000)).toBe(2000);
  });

  it('never lengthens it', () => {
    expect(readRequestDeadline('999999999', 180_000)).toBe(180_000);
  });

  it.each([[undefined], [''], ['abc'], ['-5'], ['1e3'], ['2000 '], ['5'], ['0'], ['1234567890']])('ignores %j', (header) => {
    expect(readRequestDeadline(header, 180_000)).toBe(180_000);
  });
});
