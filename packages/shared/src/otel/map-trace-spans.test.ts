import { describe, expect, it } from 'vitest';
import { encodeOtlpJson, nanos } from './encode-otlp-json.js';
import { gpuClientSpanId, mapTraceSpans } from './map-trace-spans.js';
import type { SpanSourceRecord } from './span-spec.js';
import { deriveSpanId } from './trace-context.js';

const R = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const G = 'c3c3c3c3-d4d4-4e5e-8f6f-a7a7a7a7a7a7';
const P = 'f7ae138f-1f8d-4b7e-aec8-e583cdd6598a';
const T0 = Date.UTC(2026, 10, 28, 5, 0, 0);

const backend = (ms: number, event: string, fields: Record<string, unknown> = {}): SpanSourceRecord => ({
  time: T0 + ms,
  service: 'backend',
  event,
  fields: { request_id: R, ...fields },
});
const gpu = (ms: number, event: string, fields: Record<string, unknown> = {}): SpanSourceRecord => ({
  time: T0 + ms,
  service: 'gpu_server',
  event,
  fields: { request_id: R, generation_id: G, ...fields },
});

/** One successful generation as the services log it, without trace context (older logs). */
const SUCCESS: SpanSourceRecord[] = [
  backend(10, 'generate_request', { workflow: 'txt2img', steps: 4, width: 64, height: 64, prompt_chars: 5 }),
  backend(11, 'gpu_request', { gpu_url: 'http://127.0.0.1:8002/generate', timeout_ms: 1000 }),
  gpu(20, 'generation_start', { workflow: 'txt2img', steps: 4, width: 64, height: 64, seed: 7 }),
  gpu(21, 'workflow_loaded', { workflow: 'txt2img', node_count: 3 }),
  gpu(30, 'comfyui_prompt_sent', { prompt_id: P, queue_number: 1 }),
  gpu(40, 'comfyui_execution_start', { prompt_id: P, queue_wait_ms: 10 }),
  gpu(60, 'comfyui_node_executed', { prompt_id: P, node_id: '3', class_type: 'KSampler', duration_ms: 15, cached: false }),
  gpu(70, 'comfyui_complete', { prompt_id: P, duration_ms: 40, attempts: 2 }),
  gpu(75, 'image_retrieved', { prompt_id: P, filename: 'a.png', size_bytes: 100, duration_ms: 4 }),
  backend(80, 'gpu_response', { status: 200, duration_ms: 69, generation_id: G }),
  backend(81, 'response_sent', { status: 200, duration_ms: 75 }),
];

describe('mapTraceSpans', () => {
  it('maps a generation to its spans, with ids derived from the request_id, the same each time', () => {
    const spans = mapTraceSpans(SUCCESS);
    const traceId = R.replaceAll('-', '');
    const server = deriveSpanId(traceId, `backend/${R}`);
    const client = gpuClientSpanId(traceId, server);
    const gpuSpan = deriveSpanId(traceId, `gpu_server/${G}`);
    expect(spans.map((s) => [s.name, s.kind, s.spanId, s.parentSpanId, s.startMs - T0, s.endMs - T0])).toEqual([
      ['POST /api/generate', 'server', server, undefined, 6, 81],
      ['POST /generate', 'client', client, server, 11, 80],
      ['POST /generate', 'server', gpuSpan, client, 20, 75],
      ['comfyui.prompt', 'internal', expect.any(String), gpuSpan, 30, 70],
      ['comfyui.queue_wait', 'internal', expect.any(String), spans[3]?.spanId, 30, 40],
      ['comfyui.execution', 'internal', expect.any(String), spans[3]?.spanId, 40, 70],
      ['comfyui.node KSampler', 'internal', expect.any(String), spans[5]?.spanId, 45, 60],
      ['comfyui.image_download', 'client', expect.any(String), gpuSpan, 71, 75],
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(mapTraceSpans([...SUCCESS].reverse())).toEqual(spans);
    expect(spans[0]?.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/api/generate',
      'url.path': '/api/generate',
      'url.scheme': 'http',
      'http.response.status_code': 200,
      'logtrace.request_id': R,
      'comfyui.workflow': 'txt2img',
      'comfyui.steps': 4,
      'comfyui.width': 64,
      'comfyui.height': 64,
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.output.type': 'image',
    });
    expect(spans[1]?.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': 8002, 'http.response.status_code': 200 });
  });

  it('keeps the ids the lines carry and the parent the caller gave', () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const withContext = SUCCESS.map((r) => ({
      ...r,
      fields: {
        ...r.fields,
        trace_id: traceId,
        span_id: r.service === 'backend' ? '1111111111111111' : '2222222222222222',
        ...(r.event === 'generate_request' ? { parent_span_id: '3333333333333333' } : {}),
        ...(r.event === 'generation_start' ? { parent_span_id: '4444444444444444' } : {}),
      },
    }));
    const spans = mapTraceSpans(withContext);
    expect(spans[0]).toMatchObject({ traceId, spanId: '1111111111111111', parentSpanId: '3333333333333333' });
    expect(spans[2]).toMatchObject({ traceId, spanId: '2222222222222222', parentSpanId: '4444444444444444' });
  });

  it('marks failures as errors with an exception event', () => {
    const spans = mapTraceSpans([
      backend(0, 'generate_request'),
      backend(1, 'gpu_request', { gpu_url: 'http://127.0.0.1:8002/generate', timeout_ms: 1000 }),
      backend(1001, 'timeout_error', { timeout_ms: 1000, duration_ms: 1000 }),
      backend(1002, 'response_sent', { status: 504, duration_ms: 1002, error_code: 'gpu_timeout' }),
    ]);
    expect(spans[0]).toMatchObject({ status: { code: 'error' }, attributes: { 'http.response.status_code': 504, 'error.type': '504' } });
    expect(spans[1]).toMatchObject({
      status: { code: 'error' },
      attributes: { 'error.type': 'timeout' },
      events: [{ name: 'exception', timeMs: T0 + 1001 }],
    });
  });
});

describe('encodeOtlpJson', () => {
  it('encodes by the OTLP/JSON rules: hex ids, integer enums, 64-bit integers as strings', () => {
    const encoded = encodeOtlpJson(mapTraceSpans(SUCCESS).slice(0, 1)) as { resourceSpans: any[] };
    const span = encoded.resourceSpans[0].scopeSpans[0].spans[0];
    expect(encoded.resourceSpans[0].resource).toEqual({ attributes: [{ key: 'service.name', value: { stringValue: 'backend' } }] });
    expect(span).toMatchObject({ kind: 2, startTimeUnixNano: nanos(T0 + 6), endTimeUnixNano: `${T0 + 81}000000`, status: {} });
    expect(span.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '200' } });
    expect(nanos(1.5)).toBe('1500000');
  });
});
