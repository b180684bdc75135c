import { describe, expect, it } from 'vitest';
import { checkBearerToken } from './check-bearer-token.js';

describe('checkBearerToken', () => {
  it.each([
    ['Bearer s3cret', true],
    ['bearer s3cret', true],
    ['Bearer  s3cret ', true],
    ['Bearer s3cre', false],
    ['Bearer s3cret2', false],
    ['Basic s3cret', false],
    ['s3cret', false],
    ['Bearer ', false],
    [undefined, false],
  ])('%j → %s', (header, ok) => {
    expect(checkBearerToken(header, 's3cret')).toBe(ok);
  });
});
