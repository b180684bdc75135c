import { createHash, randomBytes } from 'node:crypto';

/** A W3C trace context: the trace, the span that is the parent of the next one, and the caller's vendor state. */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zeros. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zeros. */
  readonly spanId: string;
  /** The `sampled` flag (bit 0 of trace-flags). */
  readonly sampled: boolean;
  /** The caller's `tracestate`, when it sent a well-formed one; passed on, never logged. */
  readonly tracestate?: string;
}

// W3C Trace Context level 1, version 00 only: a later version's extra fields are not
// ours to interpret, and a strict reading keeps hostile values out of our ids.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
// tracestate list members: key=value, at most 32 of them, 512 characters in all.
const TRACESTATE_KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_CHARS = 512;
const MAX_TRACESTATE_MEMBERS = 32;

/**
 * Reads a `traceparent` header: version 00, 32/16 lower-case hex ids, neither all zeros,
 * two hex flag digits. Anything else (another version, upper case, extra characters, an
 * array of headers) gives undefined, and the caller starts a new trace.
 */
export function parseTraceparent(header: unknown, tracestate?: unknown): TraceContext | undefined {
  if (typeof header !== 'string' || header.length !== 55) return undefined;
  const match = TRACEPARENT.exec(header);
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  const state = parseTracestate(tracestate);
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1, ...(state === undefined ? {} : { tracestate: state }) };
}

/** A well-formed `tracestate` (W3C list syntax, at most 32 members and 512 characters), else undefined. */
export function parseTracestate(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_TRACESTATE_CHARS) return undefined;
  const members = header.split(',').map((m) => m.trim());
  if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  for (const member of members) {
    const eq = member.indexOf('=');
    if (eq <= 0 || !TRACESTATE_KEY.test(member.slice(0, eq)) || !TRACESTATE_VALUE.test(member.slice(eq + 1))) return undefined;
  }
  return members.join(',');
}

/** The `traceparent` header value for a span of a trace (version 00). */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** A fresh random trace id (32 hex digits, never all zeros). */
export function newTraceId(): string {
  return nonZeroHex(16);
}

/** A fresh random span id (16 hex digits, never all zeros). */
export function newSpanId(): string {
  return nonZeroHex(8);
}

/**
 * The trace id of a request logged without trace context: its request_id's 32 hex
 * digits when it is a UUID (so the two are recognisably one), else a SHA-256 digest of it.
 */
export function deriveTraceId(requestId: string): string {
  const hex = requestId.toLowerCase().replaceAll('-', '');
  if (/^[0-9a-f]{32}$/.test(hex) && hex !== ZERO_TRACE) return hex;
  return digest(`request:${requestId}`, 32);
}

/**
 * A span id derived from its trace and a key naming the span within it (e.g.
 * `<parent span id>/comfyui.prompt/<prompt id>`): the same records always give the same
 * id, so a second export of a window repeats the same spans rather than adding copies.
 */
export function deriveSpanId(traceId: string, key: string): string {
  return digest(`${traceId}/${key}`, 16);
}

/** True for a valid trace id (32 lower-case hex digits, not all zeros). */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value) && value !== ZERO_TRACE;
}

/** True for a valid span id (16 lower-case hex digits, not all zeros). */
export function isSpanId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{16}$/.test(value) && value !== ZERO_SPAN;
}

function digest(text: string, hexDigits: number): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, hexDigits);
  // All zeros is invalid; a digest that starts so is as likely as a collision, but cheap to rule out.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}
