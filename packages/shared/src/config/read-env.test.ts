import { describe, expect, it } from 'vitest';
import { ConfigError, createEnvReader } from './read-env.js';

describe('createEnvReader', () => {
  it('returns defaults for unset and empty values', () => {
    const env = createEnvReader({ PORT: '' });
    expect(env.port('PORT', 8000)).toBe(8000);
    expect(env.string('HOST', '127.0.0.1')).toBe('127.0.0.1');
    expect(env.bool('FLAG', false)).toBe(false);
    env.finish();
  });

  it('parses valid values', () => {
    const env = createEnvReader({ PORT: '9000', T: '250', B: 'yes', U: 'http://127.0.0.1:8002/', L: 'warn' });
    expect(env.port('PORT', 8000)).toBe(9000);
    expect(env.int('T', 1, { min: 1 })).toBe(250);
    expect(env.bool('B', false)).toBe(true);
    expect(env.url('U', 'http://x')).toBe('http://127.0.0.1:8002');
    expect(env.oneOf('L', 'info', ['info', 'warn'] as const)).toBe('warn');
    env.finish();
  });

  it('reports every problem at once', () => {
    const env = createEnvReader({ PORT: 'eighty', T: '0', B: 'maybe', U: 'ftp://x', L: 'loud' });
    env.port('PORT', 8000);
    env.int('T', 1, { min: 1 });
    env.bool('B', false);
    env.url('U', 'http://x');
    env.oneOf('L', 'info', ['info', 'warn'] as const);
    let error: unknown;
    try {
      env.finish();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('PORT: expected an integer from 0 to 65535, got "eighty"');
    expect((error as Error).message).toContain('  - B: expected true or false, got "maybe"');
  });
});
