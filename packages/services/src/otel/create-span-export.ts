import type { SpanSpec } from '@logtrace/shared/otel';
import type { OtelConfig } from './load-otel-config.js';

/** Where a service hands the spans of a finished request. */
export interface SpanExport {
  /** Queues the spans for export; never blocks, never throws (a full queue drops and counts). */
  emit(spans: readonly SpanSpec[]): void;
  /** Spans dropped so far: queue full, or an export that failed, timed out or was refused. */
  dropped(): number;
  /** Exports what is queued, waiting at most `deadlineMs`, then stops the exporter. */
  shutdown(deadlineMs: number): Promise<void>;
}

/**
 * Loads the OpenTelemetry SDK (only now: with export off none of it is ever imported)
 * and returns the export of the services' spans: a tracer provider whose id generator
 * hands out the ids logtrace chose (so a span's id is the `span_id` its log lines
 * carry), a BatchSpanProcessor bounded by `config.maxQueueSize`, and the OTLP/HTTP
 * exporter of `config.protocol`, which reads the endpoint, headers, timeout and
 * compression from the standard `OTEL_EXPORTER_OTLP_*` variables.
 */
export async function createSpanExport(config: OtelConfig & { enabled: true }): Promise<SpanExport> {
  const [api, base, node, resources, exporterModule] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    config.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  const inner = new exporterModule.OTLPTraceExporter();
  let dropped = 0;
  // Spans the processor holds (handed to it, not yet given to the exporter): it drops
  // a span when this reaches maxQueueSize, so counting here counts exactly those.
  let queued = 0;
  const exporter: import('@opentelemetry/sdk-trace-base').SpanExporter = {
    export(spans, done) {
      queued -= spans.length;
      try {
        inner.export(spans, (result) => {
          if (result.code !== 0) dropped += spans.length;
          done(result);
        });
      } catch (err) {
        dropped += spans.length;
        done({ code: 1, error: err instanceof Error ? err : new Error(String(err)) });
      }
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  const ids = { traceId: undefined as string | undefined, spanId: undefined as string | undefined };
  const random = new base.RandomIdGenerator();
  const provider = new node.NodeTracerProvider({
    resource: resources
      .resourceFromAttributes({ 'service.name': config.serviceName })
      .merge(resources.detectResources({ detectors: [resources.envDetector] })),
    idGenerator: {
      generateTraceId: () => ids.traceId ?? random.generateTraceId(),
      generateSpanId: () => ids.spanId ?? random.generateSpanId(),
    },
    spanProcessors: [
      new base.BatchSpanProcessor(exporter, {
        maxQueueSize: config.maxQueueSize,
        maxExportBatchSize: config.maxExportBatchSize,
        scheduledDelayMillis: config.scheduleDelayMs,
        exportTimeoutMillis: config.exportTimeoutMs,
      }),
    ],
  });
  const tracer = provider.getTracer('@logtrace/services', '0.1.0');
  const KIND = { server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT, internal: api.SpanKind.INTERNAL };
  return {
    emit(spans) {
      for (const spec of spans) {
        try {
          if (queued >= config.maxQueueSize) {
            dropped += 1;
            continue;
          }
          const parent =
            spec.parentSpanId === undefined
              ? api.ROOT_CONTEXT
              : api.trace.setSpanContext(api.ROOT_CONTEXT, {
                  traceId: spec.traceId,
                  spanId: spec.parentSpanId,
                  traceFlags: api.TraceFlags.SAMPLED,
                  isRemote: true,
                });
          ids.traceId = spec.traceId;
          ids.spanId = spec.spanId;
          const span = tracer.startSpan(
            spec.name,
            { kind: KIND[spec.kind], startTime: hrTime(spec.startMs), attributes: spec.attributes },
            parent,
          );
          ids.traceId = undefined;
          ids.spanId = undefined;
          for (const event of spec.events) span.addEvent(event.name, event.attributes, hrTime(event.timeMs));
          if (spec.status.code === 'error')
            span.setStatus({
              code: api.SpanStatusCode.ERROR,
              ...(spec.status.message === undefined ? {} : { message: spec.status.message }),
            });
          if (span.isRecording()) queued += 1;
          span.end(hrTime(Math.max(spec.startMs, spec.endMs)));
        } catch {
          // A span is never worth a request: whatever the SDK throws is a dropped span.
          ids.traceId = undefined;
          ids.spanId = undefined;
          dropped += 1;
        }
      }
    },
    dropped: () => dropped,
    async shutdown(deadlineMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
        timer.unref();
      });
      try {
        await Promise.race([provider.shutdown().catch(() => undefined), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Epoch ms as the SDK's [seconds, nanoseconds], exact to the nanosecond the ms carry. */
function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return [seconds, nanos];
}
