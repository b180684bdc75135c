import { lookup as dnsLookup } from 'node:dns/promises';
import { pyIpAddress } from './python-ip-address.js';
import { originMiddlewareFrame, pyHostname, pyPort, pyUrlsplit, URLPARSE_FRAME } from './python-url.js';

/** Resolves a host name for one address family, as `socket.getaddrinfo` does; rejects when it cannot (gaierror). */
export type HostLookup = (host: string, family: 4 | 6) => Promise<readonly string[]>;

/** The system resolver (getaddrinfo), as ComfyUI's is_loopback uses it. */
export const systemLookup: HostLookup = async (host, family) =>
  (await dnsLookup(host, { family, all: true })).map((entry) => entry.address);

// The lines of ComfyUI 0.3.64's server.py that can raise, as its traceback shows them.
const PARSE_ORIGIN = originMiddlewareFrame(117, 'parsed = urllib.parse.urlparse(origin)', true);
const SPLIT_HOST = originMiddlewareFrame(119, "host_domain_parsed = urllib.parse.urlsplit('//' + host_domain)", true);
const ORIGIN_PORT = originMiddlewareFrame(
  124,
  "if parsed.port is None: #if origin doesn't have a port strip it from the host to handle weird browsers, same for host",
  `   ${'^'.repeat('parsed.port'.length)}`,
);
const HOST_PORT = originMiddlewareFrame(126, 'if host_domain_parsed.port is None:', `   ${'^'.repeat('host_domain_parsed.port'.length)}`);

/**
 * ComfyUI 0.3.64's `origin_only_middleware` (server.py), step for step: when a request
 * has both Host and Origin, the Host's name is loopback (`is_loopback`: an IP literal
 * as Python's ipaddress reads it, else every address the resolver gives for IPv4 then
 * IPv6 — the first non-loopback one ends the search), and the two differ, it is
 * refused. Each side keeps its port only when the other has one. Host and Origin are
 * parsed with Python's urllib rules, so spellings a browser would not send (a trailing
 * dot, a space, user info, a bad port) are judged as ComfyUI judges them; where its
 * urllib raises (a bad port, unbalanced brackets), this throws the same PythonError,
 * which the app answers with aiohttp's 500. Returns the two names of the warning line,
 * or undefined when the request may pass.
 */
export async function findOriginMismatch(
  host: string | undefined,
  origin: string | undefined,
  lookup: HostLookup = systemLookup,
): Promise<{ host: string; origin: string } | undefined> {
  if (host === undefined || origin === undefined) return undefined;
  const lowered = host.toLowerCase();
  const parsed = pyUrlsplit(origin, [PARSE_ORIGIN, URLPARSE_FRAME]);
  let originDomain = parsed.netloc.toLowerCase() as string | undefined;
  const hostParsed = pyUrlsplit(`//${lowered}`, [SPLIT_HOST]);
  const loopback = await isLoopback(pyHostname(hostParsed.netloc), lookup);
  let hostDomain = lowered as string | undefined;
  if (pyPort(parsed.netloc, [ORIGIN_PORT]) === undefined) hostDomain = pyHostname(hostParsed.netloc);
  if (pyPort(hostParsed.netloc, [HOST_PORT]) === undefined) originDomain = pyHostname(parsed.netloc);
  if (!loopback || hostDomain === undefined || originDomain === undefined || hostDomain === '' || originDomain === '') return undefined;
  return hostDomain === originDomain ? undefined : { host: hostDomain, origin: originDomain };
}

/** ComfyUI's `is_loopback(host)`. */
async function isLoopback(host: string | undefined, lookup: HostLookup): Promise<boolean> {
  if (host === undefined) return false;
  const ip = pyIpAddress(host);
  if (ip !== undefined) return ip.loopback;
  let loopback = false;
  for (const family of [4, 6] as const) {
    let addresses: readonly string[];
    try {
      addresses = await lookup(host, family);
    } catch {
      continue;
    }
    for (const address of addresses) {
      if (pyIpAddress(address)?.loopback !== true) return loopback;
      loopback = true;
    }
  }
  return loopback;
}

/** A header value as aiohttp hands it to ComfyUI: its bytes decoded as UTF-8 (Node gives them as Latin-1). */
export function asAiohttpReads(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'latin1').toString('utf8');
}
