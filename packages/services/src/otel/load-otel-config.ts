import { ConfigError } from '@logtrace/shared';

/** How long SIGTERM waits for the spans still queued to be exported, in ms: a collector that is down must not hold the exit. */
export const OTEL_FLUSH_DEADLINE_MS = 2000;

/** OTLP/HTTP encodings the services export spans in. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/** Whether and how a service exports spans; read once at start. */
export type OtelConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf` (the spec's default). */
      readonly protocol: (typeof OTLP_PROTOCOLS)[number];
      /** `OTEL_SERVICE_NAME`, else the service's own name. */
      readonly serviceName: string;
      /** Spans held for export at most (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048); more are dropped and counted. */
      readonly maxQueueSize: number;
      /** Spans per export request at most (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, default 512). */
      readonly maxExportBatchSize: number;
      /** Ms between exports (`OTEL_BSP_SCHEDULE_DELAY`, default 5000). */
      readonly scheduleDelayMs: number;
      /** Ms one export may take before it counts as failed (`OTEL_BSP_EXPORT_TIMEOUT`, default 30000). */
      readonly exportTimeoutMs: number;
    };

/**
 * Reads the standard OpenTelemetry variables that decide whether spans are exported:
 * on only when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is
 * set and `OTEL_SDK_DISABLED` is not `true`. The endpoint, headers, timeout and
 * compression are read by the OTLP exporter itself. A protocol the services do not
 * speak (`grpc`) or a bad number stops the start. Pure: pass `process.env`.
 */
export function loadOtelConfig(env: Readonly<Record<string, string | undefined>>, service: string): OtelConfig {
  const endpoint = nonEmpty(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) ?? nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (endpoint === undefined || env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return { enabled: false };
  const problems: string[] = [];
  const protocol = nonEmpty(env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) ?? nonEmpty(env['OTEL_EXPORTER_OTLP_PROTOCOL']) ?? 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${OTLP_PROTOCOLS.join(', ')}, got "${protocol.slice(0, 40)}"`);
  }
  const count = (name: string, fallback: number, max: number): number => {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      problems.push(`${name} must be an integer from 1 to ${max}, got "${raw.slice(0, 40)}"`);
      return fallback;
    }
    return value;
  };
  const config = {
    enabled: true as const,
    protocol: protocol as (typeof OTLP_PROTOCOLS)[number],
    serviceName: nonEmpty(env['OTEL_SERVICE_NAME']) ?? service,
    maxQueueSize: count('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1_000_000),
    maxExportBatchSize: count('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1_000_000),
    scheduleDelayMs: count('OTEL_BSP_SCHEDULE_DELAY', 5000, 3_600_000),
    exportTimeoutMs: count('OTEL_BSP_EXPORT_TIMEOUT', 30_000, 3_600_000),
  };
  if (config.maxExportBatchSize > config.maxQueueSize)
    problems.push('OTEL_BSP_MAX_EXPORT_BATCH_SIZE must not exceed OTEL_BSP_MAX_QUEUE_SIZE');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The fields /health and service_start show about span export. */
export function describeOtelConfig(config: OtelConfig): Record<string, unknown> {
  return config.enabled ? { otel: 'on', otel_protocol: config.protocol, otel_service_name: config.serviceName } : { otel: 'off' };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
