import { describe, expect, it } from 'vitest';
import { parseOtlpHeaders, tracesUrl } from './send-otlp.js';

describe('tracesUrl', () => {
  it('adds /v1/traces to a base URL, keeps a full one', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toEqual({ url: 'http://127.0.0.1:4318/v1/traces' });
    expect(tracesUrl('https://otel.example/prefix/')).toEqual({ url: 'https://otel.example/prefix/v1/traces' });
    expect(tracesUrl('http://c:4318/v1/traces')).toEqual({ url: 'http://c:4318/v1/traces' });
  });

  it('refuses what is not an http(s) URL, and credentials in it', () => {
    expect(tracesUrl('collector:4318')).toEqual({ problem: expect.stringContaining('expected http or https') });
    expect(tracesUrl('not a url')).toEqual({ problem: expect.stringContaining('expected an http:// or https:// URL') });
    expect(tracesUrl('http://user:secret@c:4318')).toEqual({ problem: expect.not.stringContaining('secret') });
  });
});

describe('parseOtlpHeaders', () => {
  it('reads key=value pairs with percent-encoded values', () => {
    expect(parseOtlpHeaders('Authorization=Basic%20abc, x-scope-orgid=tenant1')).toEqual({
      headers: { authorization: 'Basic abc', 'x-scope-orgid': 'tenant1' },
      problems: [],
    });
    expect(parseOtlpHeaders(undefined)).toEqual({ headers: {}, problems: [] });
  });

  it('names a malformed entry by its key only, never its value', () => {
    const { problems } = parseOtlpHeaders('api-key=%zzsecret,=x, bad key=1');
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).not.toContain('secret');
  });
});
