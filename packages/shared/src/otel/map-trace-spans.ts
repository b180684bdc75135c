import { deriveSpanId, deriveTraceId, isSpanId, isTraceId } from './trace-context.js';
import type { SpanSourceRecord, SpanSpec } from './span-spec.js';
import { mapPromptSpans } from './map-prompt-spans.js';
import { compact, failed, find, num, str } from './span-fields.js';
import { SPAN_NAMES } from './span-names.js';

export { SPAN_NAMES };

/**
 * The span id of the backend's call to the GPU server, derived from the backend's
 * server span: the backend sends it in `traceparent` while the call runs, and the
 * export finds the same id from the logs, where no line names it.
 */
export function gpuClientSpanId(traceId: string, serverSpanId: string): string {
  return deriveSpanId(traceId, `${serverSpanId}/gpu_call`);
}

/**
 * Maps the records of one stitched trace (any order; backend and GPU server lines) to
 * spans: the backend's SERVER span (from response_sent and its duration) with the
 * CLIENT span of its GPU call, the GPU server's SERVER span per generation, and under
 * it `comfyui.prompt` (with `comfyui.queue_wait`, `comfyui.execution` and one
 * `comfyui.node <class_type>` per executed node) and `comfyui.image_download`.
 * Records that carry `trace_id`/`span_id` keep them; others get a trace id from their
 * request_id and span ids derived from the records, so the same logs always give the
 * same spans. Pure.
 */
export function mapTraceSpans(records: readonly SpanSourceRecord[]): SpanSpec[] {
  const sorted = [...records].sort((a, b) => a.time - b.time);
  const spans: SpanSpec[] = [];
  const clientByRequest = new Map<string, { traceId: string; spanId: string }>();
  for (const [requestId, group] of groupBy(
    sorted.filter((r) => r.service === 'backend'),
    (r) => str(r.fields['request_id']),
  )) {
    const backend = mapBackendSpans(group, requestId);
    spans.push(...backend.spans);
    if (backend.client !== undefined) clientByRequest.set(requestId, backend.client);
  }
  for (const [generationId, group] of groupBy(
    sorted.filter((r) => r.service === 'gpu_server'),
    (r) => str(r.fields['generation_id']),
  )) {
    const requestId = str(group[0]?.fields['request_id']);
    spans.push(...mapGenerationSpans(group, generationId, clientByRequest.get(requestId ?? '')));
  }
  return spans;
}

/** The backend's SERVER span and the CLIENT span of its GPU call, from one request's records. */
function mapBackendSpans(
  records: readonly SpanSourceRecord[],
  requestId: string,
): { spans: SpanSpec[]; client: { traceId: string; spanId: string } | undefined } {
  const traceId = traceIdOf(records, requestId);
  const spanId = spanIdOf(records) ?? deriveSpanId(traceId, `backend/${requestId}`);
  const request = find(records, 'generate_request');
  const sent = find(records, 'response_sent');
  const first = records[0] as SpanSourceRecord;
  const last = records[records.length - 1] as SpanSourceRecord;
  const endMs = sent?.time ?? last.time;
  const startMs = sent === undefined ? first.time : Math.min(first.time, endMs - num(sent.fields['duration_ms'], 0));
  const status = num(sent?.fields['status'], undefined);
  const parent = str(request?.fields['parent_span_id']);
  const failure = records.find((r) => r.event === 'gpu_error' || r.event === 'timeout_error' || r.event === 'internal_error');
  const spans: SpanSpec[] = [];
  const server: SpanSpec = {
    traceId,
    spanId,
    ...(isSpanId(parent) ? { parentSpanId: parent } : {}),
    service: 'backend',
    name: SPAN_NAMES.backendServer,
    kind: 'server',
    startMs,
    endMs,
    attributes: compact({
      'http.request.method': 'POST',
      'http.route': '/api/generate',
      'url.path': '/api/generate',
      'url.scheme': 'http',
      'http.response.status_code': status,
      'error.type': status !== undefined && status >= 500 ? String(status) : undefined,
      'logtrace.request_id': requestId,
      'logtrace.client_request_id': str(request?.fields['client_request_id']),
      'comfyui.workflow': str(request?.fields['workflow']),
      'comfyui.steps': num(request?.fields['steps'], undefined),
      'comfyui.width': num(request?.fields['width'], undefined),
      'comfyui.height': num(request?.fields['height'], undefined),
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.output.type': 'image',
    }),
    ...failed(status !== undefined && status >= 500, failure ?? sent, endMs),
  };
  spans.push(server);
  const call = find(records, 'gpu_request');
  if (call === undefined) return { spans, client: undefined };
  const clientId = gpuClientSpanId(traceId, spanId);
  const answer = records.find((r) => r.time >= call.time && ['gpu_response', 'timeout_error', 'gpu_error'].includes(r.event));
  const callEnd = answer?.time ?? endMs;
  const callStart = Math.min(call.time, callEnd - num(answer?.fields['duration_ms'], 0));
  const gpuStatus = answer?.event === 'gpu_response' ? num(answer.fields['status'], undefined) : undefined;
  const url = parseUrl(str(call.fields['gpu_url']));
  spans.push({
    traceId,
    spanId: clientId,
    parentSpanId: spanId,
    service: 'backend',
    name: SPAN_NAMES.gpuClient,
    kind: 'client',
    startMs: callStart,
    endMs: Math.max(callStart, callEnd),
    attributes: compact({
      'http.request.method': 'POST',
      'url.full': url?.href,
      'server.address': url?.hostname,
      'server.port': url === undefined ? undefined : Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'http.response.status_code': gpuStatus,
      'error.type':
        answer?.event === 'gpu_response'
          ? gpuStatus !== undefined && gpuStatus >= 400
            ? String(gpuStatus)
            : undefined
          : (str(answer?.fields['error_code']) ?? (answer?.event === 'timeout_error' ? 'timeout' : undefined)),
      'logtrace.request_id': requestId,
    }),
    ...failed(answer !== undefined && (answer.event !== 'gpu_response' || (gpuStatus ?? 0) >= 400), answer, callEnd),
  });
  return { spans, client: { traceId, spanId: clientId } };
}

/**
 * The GPU server's spans of one generation: its SERVER span (from generation_start to
 * the last line) and the ComfyUI spans under it. `caller` is the backend's CLIENT span
 * when its records are at hand; a record's `parent_span_id` (the traceparent the GPU
 * server received) wins over it.
 */
export function mapGenerationSpans(
  records: readonly SpanSourceRecord[],
  generationId: string,
  caller?: { traceId: string; spanId: string },
): SpanSpec[] {
  if (records.length === 0) return [];
  const requestId = str(records[0]?.fields['request_id']) ?? generationId;
  const logged = records.find((r) => isTraceId(r.fields['trace_id']))?.fields['trace_id'];
  const traceId = isTraceId(logged) ? logged : (caller?.traceId ?? deriveTraceId(requestId));
  const spanId = spanIdOf(records) ?? deriveSpanId(traceId, `gpu_server/${generationId}`);
  const start = find(records, 'generation_start');
  const first = records[0] as SpanSourceRecord;
  const last = records[records.length - 1] as SpanSourceRecord;
  const loggedParent = str(records.find((r) => isSpanId(r.fields['parent_span_id']))?.fields['parent_span_id']);
  const parent = loggedParent ?? (caller?.traceId === traceId ? caller.spanId : undefined);
  const failure = records.find((r) => r.event === 'error_comfyui' || r.event === 'error_workflow' || r.event === 'internal_error');
  const image = find(records, 'image_retrieved');
  const ids = { 'logtrace.request_id': requestId, 'logtrace.generation_id': generationId };
  const spans: SpanSpec[] = [
    {
      traceId,
      spanId,
      ...(parent === undefined ? {} : { parentSpanId: parent }),
      service: 'gpu_server',
      name: SPAN_NAMES.gpuServer,
      kind: 'server',
      startMs: first.time,
      endMs: last.time,
      attributes: compact({
        'http.request.method': 'POST',
        'http.route': '/generate',
        'url.path': '/generate',
        'url.scheme': 'http',
        'http.response.status_code': image !== undefined && failure === undefined ? 200 : undefined,
        'error.type': str(failure?.fields['error_code']),
        ...ids,
        'comfyui.workflow': str(start?.fields['workflow']),
        'comfyui.steps': num(start?.fields['steps'], undefined),
        'comfyui.width': num(start?.fields['width'], undefined),
        'comfyui.height': num(start?.fields['height'], undefined),
        'comfyui.seed': num(start?.fields['seed'], undefined),
        'comfyui.node_count': num(find(records, 'workflow_loaded')?.fields['node_count'], undefined),
        'gen_ai.operation.name': 'generate_content',
        'gen_ai.output.type': 'image',
      }),
      ...failed(failure !== undefined, failure, last.time),
    },
  ];
  spans.push(...mapPromptSpans(records, { traceId, parentSpanId: spanId, ids }));
  if (image !== undefined) {
    const startMs = image.time - num(image.fields['duration_ms'], 0);
    spans.push({
      traceId,
      spanId: deriveSpanId(traceId, `${spanId}/image/${str(image.fields['filename']) ?? ''}`),
      parentSpanId: spanId,
      service: 'gpu_server',
      name: SPAN_NAMES.imageDownload,
      kind: 'client',
      startMs,
      endMs: image.time,
      attributes: compact({
        ...ids,
        'comfyui.prompt_id': str(image.fields['prompt_id']),
        'comfyui.filename': str(image.fields['filename']),
        'comfyui.size_bytes': num(image.fields['size_bytes'], undefined),
      }),
      status: { code: 'unset' },
      events: [],
    });
  }
  return spans;
}

function traceIdOf(records: readonly SpanSourceRecord[], requestId: string): string {
  const logged = records.find((r) => isTraceId(r.fields['trace_id']))?.fields['trace_id'];
  return isTraceId(logged) ? logged : deriveTraceId(requestId);
}

function spanIdOf(records: readonly SpanSourceRecord[]): string | undefined {
  const logged = records.find((r) => isSpanId(r.fields['span_id']))?.fields['span_id'];
  return isSpanId(logged) ? logged : undefined;
}

function groupBy(records: readonly SpanSourceRecord[], key: (r: SpanSourceRecord) => string | undefined): Map<string, SpanSourceRecord[]> {
  const groups = new Map<string, SpanSourceRecord[]>();
  for (const record of records) {
    const k = key(record);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [record]);
    else group.push(record);
  }
  return groups;
}

function parseUrl(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
