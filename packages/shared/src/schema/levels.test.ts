import { describe, expect, it } from 'vitest';
import { isAtLeast, normalizeLevel } from './levels.js';

describe('normalizeLevel', () => {
  it.each([
    ['INFO', 'INFO'],
    ['WARNING', 'WARN'],
    ['CRITICAL', 'FATAL'],
    ['error', 'ERROR'],
    [10, 'DEBUG'],
    [20, 'DEBUG'],
    [30, 'INFO'],
    [40, 'WARN'],
    [50, 'ERROR'],
    [60, 'FATAL'],
  ] as const)('reads %j as %s', (input, expected) => {
    expect(normalizeLevel(input)).toBe(expected);
  });

  it.each([['VERBOSE'], [''], [Number.NaN], [-5], [null], [{}]])('rejects %j', (input) => {
    expect(normalizeLevel(input)).toBeUndefined();
  });

  it('orders levels by severity', () => {
    expect(isAtLeast('ERROR', 'WARN')).toBe(true);
    expect(isAtLeast('INFO', 'WARN')).toBe(false);
  });
});
