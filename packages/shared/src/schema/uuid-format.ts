const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID v4 string (either case). */
export function isUuidV4(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && UUID_V4.test(value);
}

/**
 * Accepts an id that came over the wire (a header, a body field) only when it is a
 * UUID v4; returns it lower-cased, or undefined for anything else. The raw value of
 * a rejected id must never be logged.
 */
export function parseIncomingId(value: unknown): string | undefined {
  return isUuidV4(value) ? value.toLowerCase() : undefined;
}
