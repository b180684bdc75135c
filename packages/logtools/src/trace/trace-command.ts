import { defineScanCommand } from '../cli/define-scan-command.js';
import { FOLLOW_OPTIONS } from '../follow/follow-options.js';

/** `logtrace trace <id>`: everything that happened to one request, across every log. */
export const traceCommand = defineScanCommand({
  command: 'trace <id>',
  describe: 'What happened to one request: timeline across all logs, outcome, where the time went',
  options: {
    ...FOLLOW_OPTIONS,
    timeout: { type: 'string', describe: 'With -f: stop waiting after this long (90s, 10m); exit 1 then' },
    otlp: {
      type: 'string',
      describe: 'Also write the trace as OTLP/JSON spans to this file (one {"resourceSpans":[…]} object: Jaeger UI\'s "upload JSON")',
    },
  },
  positional: {
    name: 'id',
    options: {
      type: 'string',
      describe:
        "A request_id, generation_id, prompt_id, client_request_id (the caller's X-Request-ID) or trace_id (W3C), or a unique prefix of at least 8 characters",
    },
  },
  examples: [
    ['$0 trace "$REQUEST_ID"', 'Trace a request by its id (the X-Request-ID header)'],
    ['$0 trace 9d2b7f8e', 'Trace by an 8-character prefix of any of its ids'],
    ['$0 trace 0b6f4c1e --json | jq .outcome', 'ok, validation_error, timeout, error or incomplete'],
    ['$0 trace -f "$REQUEST_ID" --timeout 5m', 'The trace so far, then its new lines as they are logged, until its response_sent'],
    ['$0 trace "$TRACE_ID" --otlp trace.json', 'By its W3C trace id, and write its spans for Jaeger or Tempo'],
  ],
  epilogue:
    'Links are followed transitively (request_id → generation_id → prompt_id → comfyui.log). ComfyUI lines are placed ' +
    'in the timeline and say how they were attributed: by time (stamped lines) or by order (the k-th "got prompt" is the ' +
    "GPU server's k-th POST /prompt). Exit 1 for an unknown id, 2 for an ambiguous prefix. With -f: the lines logged " +
    'from then on, until the response_sent of the request (exit 0) or --timeout (exit 1).',
  load: async () => (await import('./trace-handler.js')).traceHandler,
});
