import { EMULATED_MACHINE } from './emulated-machine.js';
import { pyIpAddress } from './python-ip-address.js';
import { PythonError, type PyFrame } from './python-error.js';
import { formatPyRepr } from './python-format.js';

// Debian's Python 3.11.2 (the emulated machine's): where urllib and ipaddress raise.
const PARSE_PY = '/usr/lib/python3.11/urllib/parse.py';
const frame = (line: number, func: string, code: string, caret?: boolean | string): PyFrame => ({
  file: PARSE_PY,
  line,
  func,
  code,
  ...(caret === undefined ? {} : { caret }),
});
const INVALID_IPV6 = frame(514, 'urlsplit', 'raise ValueError("Invalid IPv6 URL")');
const CHECK_BRACKETED_NETLOC = frame(516, 'urlsplit', '_check_bracketed_netloc(netloc)');
const BEFORE_BRACKET = frame(447, '_check_bracketed_netloc', 'raise ValueError("Invalid IPv6 URL")');
const AFTER_BRACKET = frame(451, '_check_bracketed_netloc', 'raise ValueError("Invalid IPv6 URL")');
const CHECK_BRACKETED_HOST = frame(454, '_check_bracketed_netloc', '_check_bracketed_host(hostname)');
const IPVFUTURE = frame(461, '_check_bracketed_host', 'raise ValueError(f"IPvFuture address is invalid")');
const IP_ADDRESS_CALL = frame(
  463,
  '_check_bracketed_host',
  'ip = ipaddress.ip_address(hostname) # Throws Value Error if not IPv6 or IPv4',
  '^'.repeat(30),
);
const IPV4_IN_BRACKETS = frame(465, '_check_bracketed_host', 'raise ValueError(f"An IPv4 address cannot be in brackets")');
const IP_ADDRESS_RAISE: PyFrame = {
  file: '/usr/lib/python3.11/ipaddress.py',
  line: 54,
  func: 'ip_address',
  code: "raise ValueError(f'{address!r} does not appear to be an IPv4 or IPv6 address')",
};
const CHECK_NETLOC = frame(521, 'urlsplit', '_checknetloc(netloc)');
const NFKC = frame(436, '_checknetloc', 'raise ValueError("netloc \'" + netloc + "\' contains invalid " +');
const PORT_CAST = frame(182, 'port', 'raise ValueError(f"Port could not be cast to integer value as {port!r}")');
const PORT_RANGE = frame(184, 'port', 'raise ValueError("Port out of range 0-65535")');

/** The frame of `urllib.parse.urlparse`, which calls urlsplit. */
export const URLPARSE_FRAME = frame(395, 'urlparse', 'splitresult = urlsplit(url, scheme, allow_fragments)', true);

/** The parts of `urllib.parse.urlsplit(url)` the origin check reads. */
export interface PySplitUrl {
  readonly scheme: string;
  readonly netloc: string;
}

/**
 * Python 3.11's `urllib.parse.urlsplit(url)` (Debian's 3.11.2), up to the netloc:
 * leading C0 controls and spaces stripped, tab/CR/LF removed anywhere, a scheme of
 * letters, digits, `+-.` taken off, the netloc after `//` up to `/?#`, and its checks
 * (unbalanced brackets, a bracketed host that is not IPv6 or IPvFuture, characters
 * that NFKC turns into delimiters). Throws what Python raises, with `frames` (the
 * caller's) in front of urllib's. Pure.
 */
export function pyUrlsplit(url: string, frames: readonly PyFrame[]): PySplitUrl {
  const fail = (message: string, inner: readonly PyFrame[]): PythonError => new PythonError('ValueError', message, [...frames, ...inner]);
  let rest = url.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+\-.]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    let end = rest.length;
    for (const delimiter of '/?#') {
      const at = rest.indexOf(delimiter, 2);
      if (at >= 0) end = Math.min(end, at);
    }
    netloc = rest.slice(2, end);
    const open = netloc.includes('[');
    const close = netloc.includes(']');
    if (open !== close) throw fail('Invalid IPv6 URL', [INVALID_IPV6]);
    if (open) checkBracketedNetloc(netloc, (message, inner) => fail(message, [CHECK_BRACKETED_NETLOC, ...inner]));
  }
  // Python looks for characters like U+2100 that NFKC expands to 'a/c'.
  if (!/^[\u0000-\u007f]*$/.test(netloc)) {
    const n = netloc.replace(/[@:#?]/g, '');
    const normalized = n.normalize('NFKC');
    if (n !== normalized && /[/?#@:]/.test(normalized)) {
      throw fail(`netloc '${netloc}' contains invalid characters under NFKC normalization`, [CHECK_NETLOC, NFKC]);
    }
  }
  return { scheme, netloc };
}

function checkBracketedNetloc(netloc: string, fail: (message: string, inner: readonly PyFrame[]) => PythonError): void {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = hostAndPort.indexOf('[');
  let hostname: string;
  if (open >= 0) {
    if (open > 0) throw fail('Invalid IPv6 URL', [BEFORE_BRACKET]);
    const bracketed = hostAndPort.slice(1);
    const close = bracketed.indexOf(']');
    hostname = close >= 0 ? bracketed.slice(0, close) : bracketed;
    const port = close >= 0 ? bracketed.slice(close + 1) : '';
    if (port !== '' && !port.startsWith(':')) throw fail('Invalid IPv6 URL', [AFTER_BRACKET]);
  } else {
    hostname = hostAndPort.split(':')[0] as string;
  }
  if (hostname.startsWith('v')) {
    if (!/^v[a-fA-F0-9]+\..+$/.test(hostname)) throw fail('IPvFuture address is invalid', [CHECK_BRACKETED_HOST, IPVFUTURE]);
    return;
  }
  const ip = pyIpAddress(hostname);
  if (ip === undefined) {
    throw fail(`${formatPyRepr(hostname)} does not appear to be an IPv4 or IPv6 address`, [
      CHECK_BRACKETED_HOST,
      IP_ADDRESS_CALL,
      IP_ADDRESS_RAISE,
    ]);
  }
  if (ip.version === 4) throw fail('An IPv4 address cannot be in brackets', [CHECK_BRACKETED_HOST, IPV4_IN_BRACKETS]);
}

/** The host and port texts of a netloc, split as Python's `_hostinfo` does (after `@`, brackets honoured). */
function hostinfo(netloc: string): { hostname: string; port: string | undefined } {
  const info = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = info.indexOf('[');
  let hostname: string;
  let port: string;
  if (open >= 0) {
    const bracketed = info.slice(open + 1);
    const close = bracketed.indexOf(']');
    hostname = close >= 0 ? bracketed.slice(0, close) : bracketed;
    const after = close >= 0 ? bracketed.slice(close + 1) : '';
    port = after.includes(':') ? after.slice(after.indexOf(':') + 1) : '';
  } else {
    const colon = info.indexOf(':');
    hostname = colon >= 0 ? info.slice(0, colon) : info;
    port = colon >= 0 ? info.slice(colon + 1) : '';
  }
  return { hostname, port: port === '' ? undefined : port };
}

/** `SplitResult.hostname`: lower-cased (a `%zone` kept as is), undefined when empty. Pure. */
export function pyHostname(netloc: string): string | undefined {
  const { hostname } = hostinfo(netloc);
  if (hostname === '') return undefined;
  const percent = hostname.indexOf('%');
  return percent < 0 ? hostname.toLowerCase() : hostname.slice(0, percent).toLowerCase() + hostname.slice(percent);
}

/**
 * `SplitResult.port`: undefined when there is none; ASCII digits only, 0..65535, else
 * Python's ValueError with `frames` (the caller's) in front of urllib's. Pure.
 */
export function pyPort(netloc: string, frames: readonly PyFrame[]): number | undefined {
  const { port } = hostinfo(netloc);
  if (port === undefined) return undefined;
  if (!/^[0-9]+$/.test(port)) {
    throw new PythonError('ValueError', `Port could not be cast to integer value as ${formatPyRepr(port)}`, [...frames, PORT_CAST]);
  }
  const value = Number(port);
  if (value > 65535) throw new PythonError('ValueError', 'Port out of range 0-65535', [...frames, PORT_RANGE]);
  return value;
}

/** The frame of ComfyUI's server.py at `line`, in origin_only_middleware. */
export function originMiddlewareFrame(line: number, code: string, caret: boolean | string): PyFrame {
  return { file: `${EMULATED_MACHINE.root}/server.py`, line, func: 'origin_only_middleware', code, caret };
}
