import type { SpanAttributeValue, SpanKindName, SpanSpec } from './span-spec.js';

/** An OTLP/JSON `ExportTraceServiceRequest`: what `/v1/traces` takes and Jaeger UI's "upload JSON" reads. */
export interface OtlpJsonTraces {
  readonly resourceSpans: readonly unknown[];
}

/** The instrumentation scope named in what logtrace encodes. */
export const OTLP_SCOPE = Object.freeze({ name: '@logtrace/otel', version: '0.1.0' });

// opentelemetry-proto trace.proto: Span.SpanKind and Status.StatusCode numbers.
const KIND: Readonly<Record<SpanKindName, number>> = { internal: 1, server: 2, client: 3 };
const STATUS_ERROR = 2;

/**
 * Encodes spans as OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions: ids as
 * lower-case hex, enums as integers, 64-bit integers as decimal strings): one
 * resourceSpans entry per service, named by `service.name` (or `serviceNames[service]`).
 * Pure.
 */
export function encodeOtlpJson(spans: readonly SpanSpec[], serviceNames: Readonly<Record<string, string>> = {}): OtlpJsonTraces {
  const byService = new Map<string, SpanSpec[]>();
  for (const span of spans) {
    const list = byService.get(span.service);
    if (list === undefined) byService.set(span.service, [span]);
    else list.push(span);
  }
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [attribute('service.name', serviceNames[service] ?? service)] },
      scopeSpans: [{ scope: { ...OTLP_SCOPE }, spans: list.map(encodeSpan) }],
    })),
  };
}

function encodeSpan(span: SpanSpec): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: KIND[span.kind],
    startTimeUnixNano: nanos(span.startMs),
    endTimeUnixNano: nanos(Math.max(span.startMs, span.endMs)),
    attributes: Object.entries(span.attributes).map(([key, value]) => attribute(key, value)),
    events: span.events.map((e) => ({
      timeUnixNano: nanos(e.timeMs),
      name: e.name,
      attributes: Object.entries(e.attributes).map(([key, value]) => attribute(key, value)),
    })),
    status:
      span.status.code === 'error'
        ? { code: STATUS_ERROR, ...(span.status.message === undefined ? {} : { message: span.status.message }) }
        : {},
  };
}

/** Epoch milliseconds (fractions kept to the nanosecond) as a decimal string of nanoseconds. */
export function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

function attribute(key: string, value: SpanAttributeValue): { key: string; value: Record<string, unknown> } {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
}
