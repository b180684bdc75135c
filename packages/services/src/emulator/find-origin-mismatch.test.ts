import { describe, expect, it } from 'vitest';
import { findOriginMismatch, type HostLookup } from './find-origin-mismatch.js';
import { formatPyTraceback, PythonError } from './python-error.js';

// A resolver like most machines': localhost (with or without the trailing dot) is
// loopback, numeric spellings of 127.0.0.1 resolve, one name has a loopback IPv4 and a
// public IPv6 address, another a public IPv4 address; the rest are unknown (gaierror).
const TABLE: Record<string, Partial<Record<4 | 6, string[]>>> = {
  localhost: { 4: ['127.0.0.1'], 6: ['::1'] },
  'localhost.': { 4: ['127.0.0.1'], 6: ['::1'] },
  '127.000.000.001': { 4: ['127.0.0.1'] },
  '2130706433': { 4: ['127.0.0.1'] },
  'mixed.example': { 4: ['127.0.0.1'], 6: ['2001:db8::1'] },
  'public.example': { 4: ['93.184.216.34'], 6: ['::1'] },
};
const lookup: HostLookup = async (host, family) => {
  const found = TABLE[host]?.[family];
  if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};
const nothingResolves: HostLookup = async (host) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

const EVIL = 'http://evil.example';

// Each row as ComfyUI 0.3.64's origin_only_middleware decides it: the two names of its
// warning line for a 403, or undefined when the request passes. Rows with IP literals
// and every URL spelling were checked by running that code on Debian's Python 3.11.2;
// the rows that need a resolver follow its is_loopback over TABLE.
const DECISIONS: Array<[host: string, origin: string, mismatch: [string, string] | undefined]> = [
  ['localhost.:9388', EVIL, ['localhost.', 'evil.example']],
  ['LOCALHOST:9388', EVIL, ['localhost', 'evil.example']],
  ['localhost:9388', 'http://localhost:9388', undefined],
  ['127.0.0.1:9388', 'http://localhost:9388', ['127.0.0.1:9388', 'localhost:9388']],
  ['127.0.0.1:9388', 'http://127.0.0.1:9388', undefined],
  ['127.0.0.1:9388', 'http://127.0.0.1', undefined],
  ['127.0.0.1', 'http://127.0.0.1:9388', undefined],
  ['127.0.0.1', 'http://evil.example:9388', ['127.0.0.1', 'evil.example']],
  ['[::1]:9388', EVIL, ['::1', 'evil.example']],
  ['[::1]:9388', 'http://[::1]:9388', undefined],
  ['127.1.2.3:9388', EVIL, ['127.1.2.3', 'evil.example']],
  ['127.000.000.001:9388', EVIL, ['127.000.000.001', 'evil.example']],
  ['2130706433:9388', EVIL, ['2130706433', 'evil.example']],
  ['mixed.example:9388', EVIL, ['mixed.example', 'evil.example']],
  ['public.example:9388', EVIL, undefined],
  ['evil.example:9388', 'http://other.example', undefined],
  ['[::ffff:127.0.0.1]:9388', EVIL, undefined],
  ['localhost:9388', 'null', undefined],
  ['localhost', 'null', undefined],
  ['localhost:9388', 'evil.example', undefined],
  ['localhost:9388', '', undefined],
  ['', EVIL, undefined],
  ['localhost:9388', 'file:///etc/passwd', undefined],
  ['localhost:9388', 'http://exa mple.com', ['localhost', 'exa mple.com']],
  ['localhost:9388', 'http://user:pw@evil.example', ['localhost', 'user:pw@evil.example']],
  ['localhost:9388', 'HTTP://EVIL.EXAMPLE', ['localhost', 'evil.example']],
  ['localhost:9388', 'http://localhost:09388', ['localhost:9388', 'localhost:09388']],
  ['localhost:9388', 'http://[fe80::1%eth0]:9388', ['localhost:9388', '[fe80::1%eth0]:9388']],
  ['localhost:9388', 'http://localhost:9388/', undefined],
  ['localhost:9388', 'http://ev\til.example', ['localhost', 'evil.example']],
  ['localhost:9388', 'http://\u00e9vil.example', ['localhost', '\u00e9vil.example']],
];

// What ComfyUI raises instead (aiohttp then answers 500): the exception line.
const FAILURES: Array<[host: string, origin: string, exception: string]> = [
  ['localhost:9388', 'http://[::1', 'ValueError: Invalid IPv6 URL'],
  ['localhost:9388', 'http://x[::1]:80', 'ValueError: Invalid IPv6 URL'],
  ['localhost:9388', 'http://[::1]x', 'ValueError: Invalid IPv6 URL'],
  ['localhost:9388', 'http://[evil]:80', "ValueError: 'evil' does not appear to be an IPv4 or IPv6 address"],
  ['localhost:9388', 'http://[127.0.0.1]:80', 'ValueError: An IPv4 address cannot be in brackets'],
  ['localhost:9388', 'http://[vzz]:1', 'ValueError: IPvFuture address is invalid'],
  ['localhost:9388', 'http://evil.example:99999', 'ValueError: Port out of range 0-65535'],
  ['localhost:9388', 'http://evil.example:abc', "ValueError: Port could not be cast to integer value as 'abc'"],
  ['localhost:9388', 'http://localhost:+9388', "ValueError: Port could not be cast to integer value as '+9388'"],
  ['localhost:abc', EVIL, "ValueError: Port could not be cast to integer value as 'abc'"],
  ['[::1:9388', 'http://e', 'ValueError: Invalid IPv6 URL'],
  ['localhost:9388', 'http://a\u2100b', "ValueError: netloc 'a\u2100b' contains invalid characters under NFKC normalization"],
];

describe('findOriginMismatch (ComfyUI 0.3.64 origin_only_middleware)', () => {
  it.each(DECISIONS)('Host %j, Origin %j', async (host, origin, mismatch) => {
    const found = await findOriginMismatch(host, origin, lookup);
    expect(found).toEqual(mismatch === undefined ? undefined : { host: mismatch[0], origin: mismatch[1] });
  });

  it('passes when either header is missing', async () => {
    expect(await findOriginMismatch(undefined, EVIL, lookup)).toBeUndefined();
    expect(await findOriginMismatch('localhost:9388', undefined, lookup)).toBeUndefined();
  });

  it('asks the resolver, as ComfyUI does: where localhost. does not resolve, it is not loopback', async () => {
    expect(await findOriginMismatch('localhost.:9388', EVIL, nothingResolves)).toBeUndefined();
    expect(await findOriginMismatch('127.0.0.1:9388', EVIL, nothingResolves)).toEqual({ host: '127.0.0.1', origin: 'evil.example' });
  });

  it.each(FAILURES)('Host %j, Origin %j raises what Python raises', async (host, origin, exception) => {
    const error = await findOriginMismatch(host, origin, lookup).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PythonError);
    expect(
      formatPyTraceback(error as PythonError)
        .trimEnd()
        .split('\n')
        .at(-1),
    ).toBe(exception);
  });

  it("a bad Origin port: the traceback from the middleware's line down to urllib, as Python prints it", async () => {
    const error = (await findOriginMismatch('localhost:9388', 'http://evil.example:abc', lookup).catch(
      (err: unknown) => err,
    )) as PythonError;
    expect(formatPyTraceback(error)).toContain(
      [
        '  File "/workspace/ComfyUI/server.py", line 124, in origin_only_middleware',
        "    if parsed.port is None: #if origin doesn't have a port strip it from the host to handle weird browsers, same for host",
        '       ^^^^^^^^^^^',
        '  File "/usr/lib/python3.11/urllib/parse.py", line 182, in port',
        '    raise ValueError(f"Port could not be cast to integer value as {port!r}")',
        "ValueError: Port could not be cast to integer value as 'abc'",
      ].join('\n'),
    );
  });

  it('an Origin in brackets that is not an address: the traceback through ipaddress', async () => {
    const error = (await findOriginMismatch('localhost:9388', 'http://[evil]:80', lookup).catch((err: unknown) => err)) as PythonError;
    expect(formatPyTraceback(error)).toContain(
      [
        '  File "/workspace/ComfyUI/server.py", line 117, in origin_only_middleware',
        '    parsed = urllib.parse.urlparse(origin)',
        '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  File "/usr/lib/python3.11/urllib/parse.py", line 395, in urlparse',
        '    splitresult = urlsplit(url, scheme, allow_fragments)',
        '                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  File "/usr/lib/python3.11/urllib/parse.py", line 516, in urlsplit',
        '    _check_bracketed_netloc(netloc)',
        '  File "/usr/lib/python3.11/urllib/parse.py", line 454, in _check_bracketed_netloc',
        '    _check_bracketed_host(hostname)',
        '  File "/usr/lib/python3.11/urllib/parse.py", line 463, in _check_bracketed_host',
        '    ip = ipaddress.ip_address(hostname) # Throws Value Error if not IPv6 or IPv4',
        '         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '  File "/usr/lib/python3.11/ipaddress.py", line 54, in ip_address',
        "    raise ValueError(f'{address!r} does not appear to be an IPv4 or IPv6 address')",
        "ValueError: 'evil' does not appear to be an IPv4 or IPv6 address",
      ].join('\n'),
    );
  });
});
