/** The kinds of span logtrace makes (OTel SpanKind names, lower-case). */
export type SpanKindName = 'server' | 'client' | 'internal';

/** An attribute value of a span (OTel allows these scalars). */
export type SpanAttributeValue = string | number | boolean;

/** One event of a span (here: an `exception`). */
export interface SpanEventSpec {
  readonly name: string;
  /** Epoch milliseconds. */
  readonly timeMs: number;
  readonly attributes: Readonly<Record<string, SpanAttributeValue>>;
}

/**
 * One span as logtrace shapes it, before any encoding: the services hand these to the
 * OpenTelemetry SDK, `logtrace trace --otlp` and `logtrace export` encode them as OTLP.
 */
export interface SpanSpec {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  /** The parent's span id; absent for a trace's root. */
  readonly parentSpanId?: string;
  /** The service whose span it is (the OTel resource's `service.name` by default). */
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** Epoch milliseconds (fractions allowed). */
  readonly startMs: number;
  /** Epoch milliseconds, never before startMs. */
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, SpanAttributeValue>>;
  /** `error` for a failed operation (with an `exception` event), else `unset`. */
  readonly status: { readonly code: 'unset' | 'error'; readonly message?: string };
  readonly events: readonly SpanEventSpec[];
}

/** One log record as the span mapping reads it: its time, service, event name and every field. */
export interface SpanSourceRecord {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly service: string;
  readonly event: string;
  /** The record's fields, ids included (request_id, trace_id, span_id, …). */
  readonly fields: Readonly<Record<string, unknown>>;
}
