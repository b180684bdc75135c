/**
 * ComfyUI's origin_only_middleware: a request whose Host is a loopback name and whose
 * Origin names another host is refused (a web page must not queue prompts on a local
 * ComfyUI). Ports are compared only when both carry one. Returns the two names for the
 * warning line, or undefined when the request may pass.
 */
export function findOriginMismatch(
  host: string | undefined,
  origin: string | undefined,
): { host: string; origin: string } | undefined {
  if (host === undefined || origin === undefined || host === '' || origin === '') return undefined;
  const hostUrl = safeUrl(`http://${host}`);
  const originUrl = safeUrl(origin);
  if (hostUrl === undefined || originUrl === undefined) return undefined;
  const name = hostUrl.hostname;
  const loopback = name === 'localhost' || name === '[::1]' || /^127\./.test(name);
  if (!loopback) return undefined;
  const withPorts = originUrl.port !== '' && hostUrl.port !== '';
  const a = withPorts ? hostUrl.host : hostUrl.hostname;
  const b = withPorts ? originUrl.host : originUrl.hostname;
  return a === b ? undefined : { host: a, origin: b };
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
