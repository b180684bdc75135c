const DIGITS = /^\d{1,9}$/;

/** Shortest deadline a caller may ask for, in ms. */
export const MIN_REQUEST_DEADLINE_MS = 10;

/**
 * The GPU deadline for one request, in ms: the caller may shorten `GPU_TIMEOUT_MS` with
 * an `X-Request-Timeout-Ms` header (as gRPC and Envoy propagate deadlines) but never
 * lengthen it. A missing or malformed header (anything but 1–9 digits, or below 10 ms)
 * is ignored and never logged. Pure.
 */
export function readRequestDeadline(header: string | undefined, configuredMs: number): number {
  if (header === undefined || !DIGITS.test(header)) return configuredMs;
  const requested = Number(header);
  return requested < MIN_REQUEST_DEADLINE_MS ? configuredMs : Math.min(requested, configuredMs);
}
