// The built services with span export on, against an OTLP/HTTP receiver of the test's
// own on 127.0.0.1 that decodes with the official protobuf definitions (the GPU server
// sends http/protobuf, the default) and the OTLP/JSON rules (the backend is set to
// http/json): one trace per generation across backend, GPU server and ComfyUI
// (emulator) spans, with the ids its log lines carry; a caller's traceparent continued,
// hostile ones ignored; a receiver that is down, slow or failing affects no request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { startProcessStack, type ProcessStack } from './support/process-stack.js';
import { freePort, readCheckedLog, waitUntil } from './support/service-process.js';

type Json = Record<string, any>;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function otelEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_EXPORTER_OTLP_TIMEOUT: '1000', ...extra };
}

async function startStack(
  endpoint: string,
  extra: { backend?: Record<string, string>; gpu?: Record<string, string> } = {},
): Promise<ProcessStack> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-otel-'));
  dirs.push(logDir);
  return startProcessStack(logDir, {
    emulator: { EMULATOR_NODE_MS: '15', EMULATOR_STEP_MS: '2' },
    backend: otelEnv(endpoint, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...extra.backend }),
    gpu: otelEnv(endpoint, extra.gpu),
  });
}

async function generate(stack: ProcessStack, body: Json, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await fetch(`${stack.urls.backend}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    requestId: res.headers.get('x-request-id') ?? '',
    body: (await res.json()) as Json,
    ms: Date.now() - started,
  };
}

function linesOf(stack: ProcessStack, requestId: string): { backend: Json[]; gpu: Json[] } {
  const pick = (file: string) => readCheckedLog(file).filter((r) => r['request_id'] === requestId) as Json[];
  return { backend: pick(stack.logFiles.backend), gpu: pick(stack.logFiles.gpu) };
}

/**
 * Waits until the receiver holds `count` spans of the trace, the backend's two among
 * them (each service exports on its own schedule).
 */
function spansOf(receiver: OtlpReceiver, traceId: string, count: number): Promise<ReceivedSpan[]> {
  return waitUntil(() => {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    const backend = spans.filter((s) => s.service === 'backend').length;
    return spans.length >= count && backend >= 2 ? spans : undefined;
  }, `${count} spans of trace ${traceId}`);
}

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const found = spans.filter((s) => s.name === name && s.service !== '');
  if (found.length === 0) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0] as ReceivedSpan;
};

const ns = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
// Log times have millisecond resolution; a span's edge may fall up to 1 ms outside them.
const MS = 1_000_000n;

describe('span export to an OTLP receiver', () => {
  let receiver: OtlpReceiver;
  let stack: ProcessStack;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack(receiver.url);
  });
  afterAll(async () => {
    stack.kill();
    await receiver.close();
  });

  it('shows a generation as one trace across backend, GPU server and ComfyUI, with the ids of its log lines', async () => {
    const res = await generate(stack, { prompt: 'a secret lighthouse', workflow: 'txt2img', width: 64, height: 64, steps: 3 });
    expect(res.status).toBe(200);
    const lines = linesOf(stack, res.requestId);
    const traceId = lines.backend[0]?.['trace_id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // Every line of the request, in both services, carries the trace id and its service's span id.
    for (const line of [...lines.backend, ...lines.gpu]) expect(line['trace_id']).toBe(traceId);
    const backendSpanId = lines.backend[0]?.['span_id'] as string;
    const gpuSpanId = lines.gpu[0]?.['span_id'] as string;
    expect(new Set(lines.backend.map((l) => l['span_id']))).toEqual(new Set([backendSpanId]));
    expect(new Set(lines.gpu.map((l) => l['span_id']))).toEqual(new Set([gpuSpanId]));

    const nodes = lines.gpu.filter((l) => l['event'] === 'comfyui_node_executed');
    expect(nodes.length).toBeGreaterThan(0);
    const spans = await spansOf(receiver, traceId, 7 + nodes.length);
    const server = spans.find((s) => s.service === 'backend' && s.kind === 2) as ReceivedSpan;
    const client = spans.find((s) => s.service === 'backend' && s.kind === 3) as ReceivedSpan;
    const gpu = spans.find((s) => s.service === 'gpu_server' && s.kind === 2) as ReceivedSpan;
    expect(server).toMatchObject({ name: 'POST /api/generate', spanId: backendSpanId, parentSpanId: undefined, status: { code: 0 } });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/generate',
      'url.scheme': 'http',
      'http.response.status_code': 200,
      'logtrace.request_id': res.requestId,
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.output.type': 'image',
    });
    expect(client).toMatchObject({ name: 'POST /generate', parentSpanId: backendSpanId });
    expect(client.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
    });
    expect(gpu).toMatchObject({ name: 'POST /generate', spanId: gpuSpanId, parentSpanId: client.spanId });
    expect(gpu.attributes).toMatchObject({
      'logtrace.generation_id': res.body['generation_id'],
      'comfyui.workflow': 'txt2img',
      'comfyui.steps': 3,
    });
    const prompt = byName(spans, 'comfyui.prompt');
    expect(prompt).toMatchObject({ service: 'gpu_server', parentSpanId: gpuSpanId });
    expect(prompt.attributes['comfyui.prompt_id']).toBe(res.body['prompt_id']);
    expect(byName(spans, 'comfyui.queue_wait').parentSpanId).toBe(prompt.spanId);
    const execution = byName(spans, 'comfyui.execution');
    expect(execution.parentSpanId).toBe(prompt.spanId);
    const nodeSpans = spans.filter((s) => s.name.startsWith('comfyui.node '));
    expect(nodeSpans).toHaveLength(nodes.length);
    for (const node of nodeSpans) expect(node.parentSpanId).toBe(execution.spanId);
    expect(nodeSpans.map((s) => s.name)).toContain('comfyui.node KSampler');
    expect(byName(spans, 'comfyui.image_download').parentSpanId).toBe(gpuSpanId);
    // The prompt text is never an attribute.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('secret lighthouse');

    // Spans lie within the times their service's log gives the request (response_sent's
    // duration_ms reaches back before the first line, to when the request arrived).
    const within = (span: ReceivedSpan, records: Json[]) => {
      const times = records.map((r) => ns(r['time'] as string));
      const sent = records.find((r) => r['event'] === 'response_sent');
      if (sent !== undefined) times.push(ns(sent['time'] as string) - BigInt(sent['duration_ms'] as number) * MS);
      const first = times.reduce((a, b) => (a < b ? a : b));
      const last = times.reduce((a, b) => (a > b ? a : b));
      expect(span.startNs).toBeGreaterThanOrEqual(first - MS);
      expect(span.endNs).toBeLessThanOrEqual(last + MS);
      expect(span.endNs).toBeGreaterThanOrEqual(span.startNs);
    };
    for (const span of spans) within(span, span.service === 'backend' ? lines.backend : lines.gpu);
    expect(receiver.errors).toEqual([]);
    expect(new Set(receiver.contentTypes)).toEqual(new Set(['application/json', 'application/x-protobuf']));
    expect(gpu.startNs).toBeGreaterThanOrEqual(client.startNs - MS);
    expect(gpu.endNs).toBeLessThanOrEqual(client.endNs + MS);
  });

  it('continues a caller’s traceparent and passes the trace into ComfyUI’s extra_data', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const parent = '1122334455667788';
    const res = await generate(stack, { prompt: 'continued' }, { traceparent: `00-${traceId}-${parent}-01`, tracestate: 'vendor=abc' });
    expect(res.status).toBe(200);
    const lines = linesOf(stack, res.requestId);
    expect(lines.backend.every((l) => l['trace_id'] === traceId)).toBe(true);
    expect(lines.backend.find((l) => l['event'] === 'generate_request')?.['parent_span_id']).toBe(parent);
    const spans = await spansOf(receiver, traceId, 7);
    expect(spans.find((s) => s.service === 'backend' && s.kind === 2)?.parentSpanId).toBe(parent);
    const history = (await (await fetch(`${stack.urls.emulator}/history/${res.body['prompt_id'] as string}`)).json()) as Json;
    const marker = history[res.body['prompt_id'] as string]?.prompt?.[3]?.extra_pnginfo?.logtrace as Json;
    expect(marker).toMatchObject({ request_id: res.requestId, trace_id: traceId });
    expect(marker['traceparent']).toBe(`00-${traceId}-${lines.gpu[0]?.['span_id'] as string}-01`);
  });

  it.each([
    ['another version', `01-a1b2c3d4e5f60718293a4b5c6d7e8f91-1122334455667788-01`],
    ['upper-case hex', `00-A1B2C3D4E5F60718293A4B5C6D7E8F92-1122334455667788-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-1122334455667788-01`],
    ['an all-zero span id', `00-a1b2c3d4e5f60718293a4b5c6d7e8f93-${'0'.repeat(16)}-01`],
    ['trailing junk', `00-a1b2c3d4e5f60718293a4b5c6d7e8f94-1122334455667788-01-"><script>`],
    ['a long value', `00-${'f'.repeat(4000)}`],
  ])('ignores a traceparent with %s: a new trace, no error, nothing of it logged', async (_label, header) => {
    const res = await generate(stack, { prompt: 'hostile' }, { traceparent: header, tracestate: 'x=<y>' });
    expect(res.status).toBe(200);
    const lines = linesOf(stack, res.requestId);
    const traceId = lines.backend[0]?.['trace_id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(header.toLowerCase()).not.toContain(traceId);
    expect(lines.backend.some((l) => 'parent_span_id' in l)).toBe(false);
    expect(readFileSync(stack.logFiles.backend, 'utf8')).not.toContain(header.slice(3, 40));
    const spans = await spansOf(receiver, traceId, 7);
    expect(spans.find((s) => s.service === 'backend' && s.kind === 2)?.parentSpanId).toBeUndefined();
  });

  it('marks a failed generation as an error with an exception event, in every span on its path', async () => {
    const res = await generate(stack, { prompt: 'no such workflow', workflow: 'missing' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const lines = linesOf(stack, res.requestId);
    const traceId = lines.backend[0]?.['trace_id'] as string;
    const spans = await spansOf(receiver, traceId, 3);
    const gpu = spans.find((s) => s.service === 'gpu_server' && s.kind === 2) as ReceivedSpan;
    expect(gpu.status.code).toBe(2);
    expect(gpu.events).toEqual([
      expect.objectContaining({ name: 'exception', attributes: expect.objectContaining({ 'exception.type': 'workflow_not_found' }) }),
    ]);
    const client = spans.find((s) => s.service === 'backend' && s.kind === 3) as ReceivedSpan;
    expect(client.status.code).toBe(2);
    expect(client.attributes['http.response.status_code']).toBe(gpuStatusOf(lines.backend));
    const server = spans.find((s) => s.service === 'backend' && s.kind === 2) as ReceivedSpan;
    expect(server.attributes['http.response.status_code']).toBe(res.status);
    expect(server.status.code).toBe(res.status >= 500 ? 2 : 0);
  });
});

function gpuStatusOf(lines: readonly Json[]): number {
  return lines.find((l) => l['event'] === 'gpu_response')?.['status'] as number;
}

describe('a collector in trouble', () => {
  const stacks: ProcessStack[] = [];
  const receivers: OtlpReceiver[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) s.kill();
    for (const r of receivers.splice(0)) await r.close();
  });

  async function expectUnaffected(stack: ProcessStack): Promise<void> {
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => generate(stack, { prompt: `unaffected ${i}` })));
    for (const res of results) expect(res.status).toBe(200);
    const health = (await (await fetch(`${stack.urls.backend}/health`)).json()) as Json;
    expect(health['status']).toBe('ok');
  }

  it('a receiver that is down: requests succeed, lost spans are counted on /health', async () => {
    const stack = await startStack(`http://127.0.0.1:${await freePort()}`);
    stacks.push(stack);
    await expectUnaffected(stack);
    for (const url of [stack.urls.backend, stack.urls.gpu]) {
      await waitUntil(async () => {
        const health = (await (await fetch(`${url}/health`)).json()) as Json;
        return (health['otel_spans_dropped'] as number) > 0 ? true : undefined;
      }, `otel_spans_dropped on ${url}`);
    }
  });

  it('a receiver answering 500: requests succeed, lost spans are counted', async () => {
    const receiver = await startOtlpReceiver({ kind: 'fail', status: 500 });
    receivers.push(receiver);
    const stack = await startStack(receiver.url);
    stacks.push(stack);
    await expectUnaffected(stack);
    await waitUntil(async () => {
      const health = (await (await fetch(`${stack.urls.gpu}/health`)).json()) as Json;
      return (health['otel_spans_dropped'] as number) > 0 ? true : undefined;
    }, 'otel_spans_dropped');
    expect(receiver.requests()).toBeGreaterThan(0);
  });

  it('a receiver that never answers in time: requests succeed while exports hang, and SIGTERM exits within the flush deadline', async () => {
    const receiver = await startOtlpReceiver({ kind: 'slow', delayMs: 60_000 });
    receivers.push(receiver);
    const stack = await startStack(receiver.url, {
      backend: { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' },
      gpu: { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' },
    });
    stacks.push(stack);
    await expectUnaffected(stack);
    await waitUntil(() => (receiver.requests() > 0 ? true : undefined), 'an export request');
    await expectUnaffected(stack);
    const stopped = Date.now();
    stack.backend.kill('SIGTERM');
    expect(await stack.backend.exited).toEqual({ code: 0, signal: null });
    // The shutdown waits for in-flight requests (none) and at most the 2 s flush deadline.
    expect(Date.now() - stopped).toBeLessThan(8000);
  });

  it('flushes the spans still queued on SIGTERM', async () => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const stack = await startStack(receiver.url, { backend: { OTEL_BSP_SCHEDULE_DELAY: '600000' } });
    stacks.push(stack);
    const res = await generate(stack, { prompt: 'flushed at exit' });
    expect(res.status).toBe(200);
    const traceId = linesOf(stack, res.requestId).backend[0]?.['trace_id'] as string;
    expect(receiver.spans.filter((s) => s.traceId === traceId && s.service === 'backend')).toHaveLength(0);
    stack.backend.kill('SIGTERM');
    await stack.backend.exited;
    expect(receiver.spans.filter((s) => s.traceId === traceId && s.service === 'backend')).toHaveLength(2);
  });
});
