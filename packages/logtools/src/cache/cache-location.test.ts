import { describe, expect, it } from 'vitest';
import { cacheDirOf, isInside } from './cache-location.js';

describe('cacheDirOf', () => {
  it('takes LOGTRACE_CACHE_DIR, else XDG_CACHE_HOME/logtrace, else HOME/.cache/logtrace; relative values do not count', () => {
    expect(cacheDirOf({ LOGTRACE_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDirOf({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/logtrace');
    expect(cacheDirOf({ LOGTRACE_CACHE_DIR: 'rel', XDG_CACHE_HOME: 'rel', HOME: '/h' })).toBe('/h/.cache/logtrace');
    expect(cacheDirOf({})).toBeUndefined();
  });
});

describe('isInside', () => {
  it('is true for the log directory itself and what is under it only', () => {
    expect(isInside('/logs', '/logs')).toBe(true);
    expect(isInside('/logs/.cache', '/logs')).toBe(true);
    expect(isInside('/logs-cache', '/logs')).toBe(false);
    expect(isInside('/var/cache/logtrace', '/logs')).toBe(false);
  });
});
