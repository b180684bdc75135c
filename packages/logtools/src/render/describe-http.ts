/** The request fields an HTTP access line carries (pino-http's `req`, `res`, `responseTime`). */
export const HTTP_FIELDS: readonly string[] = ['req', 'res', 'responseTime'];

/**
 * An HTTP access line in one phrase, `GET /api/generate → 500 in 12 ms`, from
 * pino-http's `req` (method, url), `res` (statusCode) and `responseTime` (ms);
 * undefined when the fields have no method or url.
 */
export function describeHttp(fields: Readonly<Record<string, unknown>>): string | undefined {
  const req = asObject(fields['req']);
  const res = asObject(fields['res']);
  const method = req?.['method'];
  const url = req?.['url'];
  if (typeof method !== 'string' || typeof url !== 'string') return undefined;
  const status = res?.['statusCode'];
  const time = fields['responseTime'];
  return `${method} ${url}${typeof status === 'number' ? ` → ${status}` : ''}${typeof time === 'number' ? ` in ${time} ms` : ''}`;
}

function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
