// What the GPU server learns from ComfyUI's websocket (issue 13), against the emulator on
// real 127.0.0.1 ports: per-node timing, cache hits, progress, stalls; and that a lost,
// refused or hostile websocket costs detail, never a generation.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@logtrace/shared';
import { createRealStack, eventsOf, readLog, type LogRecord, type StartedService } from './support/real-stack.js';
import { HOSTILE_MARKER, startHostileProxy } from './support/hostile-socket-proxy.js';
import { waitUntil } from './support/service-process.js';
import { WATCHED_GENERATION_EVENTS } from './support/watched-generation-events.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const stack = createRealStack();
afterAll(() => stack.close());

async function generate(server: StartedService, body: Json): Promise<{ requestId: string; status: number; body: Json }> {
  const requestId = newId();
  const res = await fetch(`${server.url}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify(body),
  });
  return { requestId, status: res.status, body: (await res.json()) as Json };
}

/** The request's lines (every line of the file checked with checkRecord first). */
const linesOf = (server: StartedService, requestId: string): LogRecord[] => readLog(server).filter((r) => r['request_id'] === requestId);
const named = (lines: LogRecord[], event: string): LogRecord[] => lines.filter((l) => l['event'] === event);
const health = async (server: StartedService): Promise<Json> => (await (await fetch(`${server.url}/health`)).json()) as Json;

describe("ComfyUI's websocket in gpu_server.log", () => {
  it('times the queue wait, each executed node and the execution, and reports cached nodes on a re-run', async () => {
    const { url } = await stack.startEmulator();
    const gpu = await stack.startGpuServer(url);
    const body = { prompt: 'a lighthouse', workflow: 'default', width: 64, height: 64, seed: 7 };
    const first = await generate(gpu, body);
    expect(first.status).toBe(200);
    const lines = linesOf(gpu, first.requestId);
    expect(eventsOf(lines, first.requestId)).toEqual([...WATCHED_GENERATION_EVENTS]);
    const ids = { generation_id: first.body['generation_id'], prompt_id: first.body['prompt_id'] };
    expect(named(lines, 'comfyui_execution_start')).toEqual([
      expect.objectContaining({ level: 'INFO', ...ids, queue_wait_ms: expect.any(Number), queue_remaining: 1 }),
    ]);
    const nodes = named(lines, 'comfyui_node_executed');
    expect(nodes.map((n) => [n['node_id'], n['class_type'], n['cached'], n['level']])).toEqual([
      ['1', 'EmptyImage', false, 'DEBUG'],
      ['2', 'ImageInvert', false, 'DEBUG'],
      ['3', 'SaveImage', false, 'DEBUG'],
    ]);
    for (const node of nodes) expect(node).toMatchObject({ ...ids, duration_ms: expect.any(Number) });
    expect(named(lines, 'comfyui_nodes_cached')).toEqual([]);
    const complete = named(lines, 'comfyui_complete')[0];
    expect(complete).toMatchObject({
      nodes_executed: 3,
      nodes_cached: 0,
      queue_wait_ms: expect.any(Number),
      execution_ms: expect.any(Number),
    });
    expect(complete?.['execution_ms']).toBeLessThanOrEqual(complete?.['duration_ms']);

    // The same prompt again: ComfyUI serves every node from its cache.
    const again = await generate(gpu, body);
    expect(again.status).toBe(200);
    const rerun = linesOf(gpu, again.requestId);
    expect(named(rerun, 'comfyui_nodes_cached')).toEqual([
      expect.objectContaining({ level: 'DEBUG', node_ids: ['1', '2', '3'], count: 3 }),
    ]);
    expect(named(rerun, 'comfyui_node_executed')).toEqual([]);
    expect(named(rerun, 'comfyui_complete')[0]).toMatchObject({ nodes_executed: 0, nodes_cached: 3 });
  });

  it('reports sampler progress at most four times a node, the last at the final step', async () => {
    const { url } = await stack.startEmulator();
    const gpu = await stack.startGpuServer(url);
    const res = await generate(gpu, { prompt: 'a harbour', workflow: 'txt2img', width: 64, height: 64, steps: 10 });
    expect(res.status).toBe(200);
    const progress = named(linesOf(gpu, res.requestId), 'comfyui_progress');
    expect(progress.map((p) => [p['node_id'], p['class_type'], p['value'], p['max']])).toEqual([
      ['3', 'KSampler', 3, 10],
      ['3', 'KSampler', 5, 10],
      ['3', 'KSampler', 8, 10],
      ['3', 'KSampler', 10, 10],
    ]);
    expect(named(linesOf(gpu, res.requestId), 'comfyui_node_executed')).toHaveLength(7);
  });

  it('writes one comfyui_stalled for a hung prompt, then runs to the deadline as before', async () => {
    const { url } = await stack.startEmulator();
    const gpu = await stack.startGpuServer(url, { COMFYUI_STALL_MS: '150', COMFYUI_TIMEOUT_MS: '1200' });
    const res = await generate(gpu, { prompt: 'stuck [[fault:hang]]' });
    expect([res.status, res.body['error_code']]).toEqual([504, 'comfyui_timeout']);
    const lines = linesOf(gpu, res.requestId);
    expect(named(lines, 'comfyui_stalled')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        prompt_id: res.body['prompt_id'] ?? expect.any(String),
        idle_ms: expect.any(Number),
        node_id: '3',
        class_type: 'SaveImage',
      }),
    ]);
    expect(named(lines, 'comfyui_stalled')[0]?.['idle_ms']).toBeGreaterThanOrEqual(150);
    expect(lines.at(-1)).toMatchObject({ event: 'error_comfyui', error_code: 'comfyui_timeout', comfyui_cancel: 'interrupted' });
  });

  it('loses no generation when the websocket drops mid-generation: one comfyui_ws_lost, and the detail returns after reconnecting', async () => {
    const { url, emulator } = await stack.startEmulator();
    const gpu = await stack.startGpuServer(url);
    emulator.hold();
    const pending = generate(gpu, { prompt: 'through the storm' });
    await waitUntil(
      () => (readFileSync(gpu.logFile, 'utf8').includes('comfyui_execution_start') ? true : undefined),
      'the prompt to start',
    );
    emulator.state.sockets.dropAll();
    await waitUntil(() => (readFileSync(gpu.logFile, 'utf8').includes('comfyui_ws_lost') ? true : undefined), 'the loss to be noticed');
    emulator.release();
    const res = await pending;
    expect(res.status).toBe(200);
    const lost = readLog(gpu).filter((r) => r['event'] === 'comfyui_ws_lost');
    expect(lost).toEqual([expect.objectContaining({ level: 'WARN', in_flight: 1, error: expect.any(String) })]);
    // What the drop hid is left out, not guessed: no node count, no duration across the gap.
    const complete = named(linesOf(gpu, res.requestId), 'comfyui_complete')[0];
    expect(complete).toMatchObject({ queue_wait_ms: expect.any(Number), nodes_cached: 0 });
    expect(complete).not.toHaveProperty('nodes_executed');

    await waitUntil(async () => ((await health(gpu))['comfyui_ws']['state'] === 'connected' ? true : undefined), 'the reconnection');
    const next = await generate(gpu, { prompt: 'calm again', width: 72 });
    expect(named(linesOf(gpu, next.requestId), 'comfyui_complete')[0]).toMatchObject({ nodes_executed: 3 });
    expect(readLog(gpu).filter((r) => r['event'] === 'comfyui_ws_lost')).toHaveLength(1);
    expect((await health(gpu))['comfyui_ws']).toMatchObject({ state: 'connected', disconnections: 1 });
  });

  it('loses no generation when ComfyUI restarts mid-generation, and logs the loss once', async () => {
    const { url } = await stack.startEmulator({ crashDownMs: 300 });
    const gpu = await stack.startGpuServer(url);
    const res = await generate(gpu, { prompt: '[[fault:crash]]' });
    expect(res.status).toBe(502);
    await waitUntil(async () => ((await health(gpu))['comfyui_ws']['state'] === 'connected' ? true : undefined), 'the reconnection');
    expect((await generate(gpu, { prompt: 'after the restart' })).status).toBe(200);
    expect(readLog(gpu).filter((r) => r['event'] === 'comfyui_ws_lost')).toHaveLength(1);
  });

  it('says once at start that ComfyUI refuses the websocket, and generates as before', async () => {
    const { url } = await stack.startEmulator({ websocket: false });
    const gpu = await stack.startGpuServer(url);
    const first = await generate(gpu, { prompt: 'no socket' });
    // Let a few reconnection attempts fail too (50 ms backoff in the test stack).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await generate(gpu, { prompt: 'still no socket' });
    expect([first.status, second.status]).toEqual([200, 200]);
    const log = readLog(gpu);
    expect(log.filter((r) => r['event'] === 'comfyui_ws_unavailable')).toEqual([
      expect.objectContaining({ level: 'WARN', error_code: 'http_404', error: 'Unexpected server response: 404' }),
    ]);
    expect(eventsOf(log, first.requestId)).toEqual([
      'generation_start',
      'workflow_loaded',
      'comfyui_prompt_sent',
      'comfyui_complete',
      'image_retrieved',
    ]);
    expect(named(log, 'comfyui_complete')[0]).not.toHaveProperty('queue_wait_ms');
    expect((await health(gpu))['comfyui_ws']).toMatchObject({ state: 'refused' });
  });

  it('is unmoved by malformed, oversized, binary and forged frames', async () => {
    const { url } = await stack.startEmulator();
    const proxy = await startHostileProxy(url);
    try {
      const gpu = await stack.startGpuServer(proxy.url);
      const res = await generate(gpu, { prompt: 'under fire', workflow: 'txt2img', steps: 4 });
      expect(res.status).toBe(200);
      expect(proxy.sent()).toBeGreaterThan(20);
      const lines = linesOf(gpu, res.requestId);
      expect(eventsOf(lines, res.requestId)).toEqual([...WATCHED_GENERATION_EVENTS]);
      expect(named(lines, 'comfyui_node_executed')).toHaveLength(7);
      expect(named(lines, 'comfyui_complete')[0]).toMatchObject({ nodes_executed: 7, nodes_cached: 0 });
      const text = readFileSync(gpu.logFile, 'utf8');
      expect(text).not.toContain(HOSTILE_MARKER);
      expect(readLog(gpu).filter((r) => r['level'] !== 'DEBUG' && r['level'] !== 'INFO')).toEqual([]);
      const ws = (await health(gpu))['comfyui_ws'];
      expect(ws).toMatchObject({ state: 'connected', disconnections: 0 });
      expect(ws['ignored']['malformed']).toBeGreaterThan(0);
      expect(ws['ignored']['oversized']).toBeGreaterThan(0);
      expect(ws['ignored']['binary']).toBeGreaterThan(0);
      expect(ws['ignored']['unknown']).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
