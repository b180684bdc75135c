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

  it('refuses URLs with credentials, a query or a fragment, never echoing the credentials', () => {
    const env = createEnvReader({ A: 'http://u:s3cret@host:1', B: 'ftp://u:s3cret@host', C: 'http://host/?q=1', D: 'http://host/#x' });
    expect([env.url('A', 'http://a'), env.url('B', 'http://b'), env.url('C', 'http://c'), env.url('D', 'http://d')]).toEqual([
      'http://a',
      'http://b',
      'http://c',
      'http://d',
    ]);
    let error: unknown;
    try {
      env.finish();
    } catch (err) {
      error = err;
    }
    expect((error as ConfigError).problems).toEqual([
      'A: must not contain credentials (they would be logged)',
      'B: expected an http(s) URL, got "ftp://…@host"',
      'C: expected a base URL without query or fragment',
      'D: expected a base URL without query or fragment',
    ]);
  });

  it("adds the caller's own problems, in order, to the same error", () => {
    const env = createEnvReader({ PORT: 'x' });
    env.port('PORT', 1);
    env.problem('TOKEN: expected printable ASCII (value not shown)');
    expect(() => env.finish()).toThrow(/PORT: expected an integer[\s\S]*TOKEN: expected printable ASCII/);
    const clean = createEnvReader({});
    expect(() => clean.finish()).not.toThrow();
  });
});
