/**
 * Keys a record names its machine with, the first that holds a non-empty string wins:
 * `hostname` (pino's default base; our services write it on every line), then `host`.
 * `hostname` comes first because our `service_start` also logs `host`, the address it
 * listens on.
 */
export const HOST_KEYS = ['hostname', 'host'] as const;

/** The host of a record: its own `hostname` or `host` field, else `fallback` (its directory's host, when several are read). */
export function recordHost(fields: Readonly<Record<string, unknown>>, fallback: string | undefined): string | undefined {
  for (const key of HOST_KEYS) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return fallback;
}
