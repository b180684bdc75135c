// `logtrace trace <id> --otlp FILE` and `logtrace export` on the logs of the real
// services (the built binaries, span export on), decoded by the OTLP/JSON rules: the
// spans from the logs are the spans the services sent live (same ids, names, kinds,
// parents, attributes); a second export sends the same spans; logs written without
// trace context get a trace id from their request_id.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpJson, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { startProcessStack, type ProcessStack } from '../../services/test/support/process-stack.js';
import { freePort, readJsonLines, waitUntil } from '../../services/test/support/service-process.js';
import { runCli, type Json } from './run-cli.js';

let dir = '';
let logDir = '';
let live: OtlpReceiver;
let stack: ProcessStack;
const requests: { requestId: string; status: number }[] = [];

async function generate(body: Json): Promise<void> {
  const res = await fetch(`${stack.urls.backend}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  requests.push({ requestId: res.headers.get('x-request-id') ?? '', status: res.status });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-otlp-'));
  logDir = path.join(dir, 'logs');
  mkdirSync(logDir);
  live = await startOtlpReceiver();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: live.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' };
  stack = await startProcessStack(logDir, { emulator: { EMULATOR_NODE_MS: '10' }, backend: env, gpu: env });
  await generate({ prompt: 'one', workflow: 'txt2img', width: 64, height: 64, steps: 2 });
  await generate({ prompt: 'two', workflow: 'missing' });
  // SIGTERM flushes what is still queued; the logs are complete once both have exited.
  stack.backend.kill('SIGTERM');
  stack.gpu.kill('SIGTERM');
  await Promise.all([stack.backend.exited, stack.gpu.exited]);
  stack.kill();
}, 60_000);

afterAll(async () => {
  stack?.kill();
  await live?.close();
  rmSync(dir, { recursive: true, force: true });
});

const traceIdOf = (requestId: string): string =>
  readJsonLines(path.join(logDir, 'backend.log')).find((r) => r['request_id'] === requestId)?.['trace_id'] as string;

/** A span without its times, for comparing spans made at different moments from the same records. */
const shape = (s: ReceivedSpan) => ({
  ...s,
  startNs: undefined,
  endNs: undefined,
  events: s.events.map((e) => ({ ...e, timeNs: undefined })),
});
const byId = (spans: readonly ReceivedSpan[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
const MS = 1_000_000n;

describe('logtrace trace --otlp', () => {
  it.each([0, 1])('writes the spans of request %i as the services sent them live', async (index) => {
    const { requestId } = requests[index] as { requestId: string };
    const traceId = traceIdOf(requestId);
    const file = path.join(dir, `trace-${index}.json`);
    const { code, stderr } = await runCli(['trace', traceId, '--dir', logDir, '--otlp', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const document = JSON.parse(readFileSync(file, 'utf8')) as Json;
    expect(Object.keys(document)).toEqual(['resourceSpans']);
    const fromLogs = decodeOtlpJson(document, { strings: true });
    const sent = await waitUntil(() => {
      const spans = live.spans.filter((s) => s.traceId === traceId);
      return spans.length >= fromLogs.length ? spans : undefined;
    }, 'the live spans');
    expect(byId(fromLogs).map(shape)).toEqual(byId(sent).map(shape));
    // Times agree to the millisecond the log lines keep.
    const liveById = new Map(sent.map((s) => [s.spanId, s]));
    for (const span of fromLogs) {
      const twin = liveById.get(span.spanId) as ReceivedSpan;
      expect(span.startNs - twin.startNs).toBeLessThanOrEqual(MS);
      expect(twin.startNs - span.startNs).toBeLessThanOrEqual(MS);
      expect(span.endNs - twin.endNs).toBeLessThanOrEqual(MS);
      expect(twin.endNs - span.endNs).toBeLessThanOrEqual(MS);
    }
    if (index === 1) expect(fromLogs.some((s) => s.status.code === 2 && s.events[0]?.name === 'exception')).toBe(true);
  });

  it('refuses a file it cannot write, with exit 2 and no stack trace', async () => {
    const traceId = traceIdOf((requests[0] as { requestId: string }).requestId);
    const { code, stderr } = await runCli(['trace', traceId, '--dir', logDir, '--otlp', path.join(dir, 'no-such-dir', 'x.json')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^logtrace: cannot write the OTLP file .*ENOENT\n$/);
  });
});

describe('logtrace export', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('sends every request of the window as the same spans each time', async () => {
    const first = await runCli(['export', '--dir', logDir, '--otlp-endpoint', receiver.url, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ endpoint: `${receiver.url}/v1/traces`, traces: 2, requests: 1 });
    const once = receiver.spans.splice(0);
    expect(receiver.errors).toEqual([]);
    expect(receiver.contentTypes).toEqual(['application/json']);
    for (const { requestId } of requests) {
      const traceId = traceIdOf(requestId);
      expect(byId(once.filter((s) => s.traceId === traceId)).map(shape)).toEqual(
        byId(live.spans.filter((s) => s.traceId === traceId)).map(shape),
      );
    }
    const again = await runCli(['export', '--dir', logDir, '--otlp-endpoint', `${receiver.url}/v1/traces`]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`exported 2 traces (${once.length} spans, 1 requests) to ${receiver.url}/v1/traces\n`);
    expect(byId(receiver.spans.splice(0))).toEqual(byId(once));
  });

  it('derives the trace id from the request_id for logs written without trace context, the same every time', async () => {
    const old = path.join(dir, 'old-logs');
    mkdirSync(old);
    for (const name of ['backend.log', 'gpu_server.log']) {
      const lines = readJsonLines(path.join(logDir, name)).map((record) => {
        const { trace_id: _t, span_id: _s, parent_span_id: _p, ...rest } = record;
        return JSON.stringify(rest);
      });
      writeFileSync(path.join(old, name), `${lines.join('\n')}\n`);
    }
    const send = async () => {
      expect((await runCli(['export', '--dir', old, '--otlp-endpoint', receiver.url])).code).toBe(0);
      return receiver.spans.splice(0);
    };
    const first = await send();
    const { requestId } = requests[0] as { requestId: string };
    const traceId = requestId.replaceAll('-', '');
    const trace = first.filter((s) => s.traceId === traceId);
    expect(trace.map((s) => s.name)).toEqual(
      expect.arrayContaining(['POST /api/generate', 'POST /generate', 'comfyui.prompt', 'comfyui.execution']),
    );
    const server = trace.find((s) => s.service === 'backend' && s.kind === 2) as ReceivedSpan;
    const client = trace.find((s) => s.kind === 3 && s.service === 'backend') as ReceivedSpan;
    expect(client.parentSpanId).toBe(server.spanId);
    expect(trace.find((s) => s.service === 'gpu_server' && s.kind === 2)?.parentSpanId).toBe(client.spanId);
    expect(byId(await send())).toEqual(byId(first));
  });

  it('says when the receiver is down or refuses, with exit 2', async () => {
    const down = await runCli(['export', '--dir', logDir, '--otlp-endpoint', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^logtrace: the OTLP receiver at http:\/\/127\.0\.0\.1:\d+\/v1\/traces is unreachable \(ECONNREFUSED\)\n$/);
    const failing = await startOtlpReceiver({ kind: 'fail', status: 400 });
    try {
      const refused = await runCli(['export', '--dir', logDir, '--otlp-endpoint', failing.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`logtrace: the OTLP receiver at ${failing.url}/v1/traces answered HTTP 400\n`);
    } finally {
      await failing.close();
    }
  });

  it('asks for an endpoint, and refuses one that is not http(s)', async () => {
    expect((await runCli(['export', '--dir', logDir])).stderr).toContain('give --otlp-endpoint URL');
    const bad = await runCli(['export', '--dir', logDir, '--otlp-endpoint', 'file:///etc/passwd']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected http or https');
  });
});
