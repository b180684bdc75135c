// Trace context and the stitched-trace → span mapping, shared by the services' live
// spans and logtrace's export, so both give the same spans.
export {
  parseTraceparent,
  parseTracestate,
  formatTraceparent,
  newTraceId,
  newSpanId,
  deriveTraceId,
  deriveSpanId,
  isTraceId,
  isSpanId,
  type TraceContext,
} from './trace-context.js';
export type { SpanSpec, SpanSourceRecord, SpanEventSpec, SpanKindName, SpanAttributeValue } from './span-spec.js';
export { mapTraceSpans, mapGenerationSpans, gpuClientSpanId, SPAN_NAMES } from './map-trace-spans.js';
export { encodeOtlpJson, nanos, OTLP_SCOPE, type OtlpJsonTraces } from './encode-otlp-json.js';
