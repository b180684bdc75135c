import { defineScanCommand } from '../cli/define-scan-command.js';

/** `logtrace export`: the stitched traces of a window, sent as OTLP spans. */
export const exportCommand = defineScanCommand({
  command: 'export',
  describe: 'Send the traces of a time window to an OpenTelemetry receiver as OTLP spans (Jaeger, Tempo, a Collector)',
  options: {
    'otlp-endpoint': {
      type: 'string',
      describe: 'OTLP/HTTP base URL (http://collector:4318; /v1/traces is added) [default: $OTEL_EXPORTER_OTLP_ENDPOINT]',
    },
    'otlp-timeout': { type: 'number', default: 10_000, describe: 'Milliseconds one export request may take' },
  },
  examples: [
    ['$0 export --otlp-endpoint http://127.0.0.1:4318 --since 1h', "The last hour's requests as spans, to a Collector or Jaeger"],
    ['$0 export --since 2026-11-28 --until 2026-11-29 --json', 'One day, with OTEL_EXPORTER_OTLP_ENDPOINT set; counts as JSON'],
  ],
  epilogue:
    "Spans are sent as OTLP/JSON. Their ids come from the records (a line's trace_id and span_id, else derived from its " +
    'request_id), so exporting the same window again sends the same spans. Headers from $OTEL_EXPORTER_OTLP_HEADERS. ' +
    'Exit 1 when the window holds no request, 2 when the receiver does not take them.',
  load: async () => (await import('./export-handler.js')).exportHandler,
});
