// Issue 13: what logtrace makes of the GPU server's events from ComfyUI's websocket
// (queue wait, nodes, progress, stalls, lost connections), and that logs without them
// read as before.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { useGeneratedDirs } from './generated-dirs.js';
import { runCli, runJson, type Json } from './run-cli.js';

const WEBSOCKET_EVENTS: readonly string[] = [
  EVENT.comfyui_execution_start,
  EVENT.comfyui_nodes_cached,
  EVENT.comfyui_node_executed,
  EVENT.comfyui_progress,
  EVENT.comfyui_stalled,
  EVENT.comfyui_ws_lost,
];

const EMPTY = { count: 0, avg_ms: null, min_ms: null, p50_ms: null, p90_ms: null, p95_ms: null, p99_ms: null, max_ms: null };

// The same simulation, logged by a GPU server that reads the websocket and by one that only polls.
const generated = useGeneratedDirs([
  { name: 'websocket', options: { seed: 41, requests: 100, corrupt: false } },
  { name: 'polling only', options: { seed: 41, requests: 100, corrupt: false, websocket: false } },
]);

describe('logs without the websocket events', () => {
  it('hold none of them', async () => {
    const lines = (await runCli(['errors', '--dir', generated('polling only').dir, '--no-group', '--level', 'debug', '--json'])).stdout
      .trim()
      .split('\n');
    expect(lines.length).toBeGreaterThan(500);
    expect(lines.filter((l) => WEBSOCKET_EVENTS.includes(String((JSON.parse(l) as Json)['event'])))).toEqual([]);
  });

  it('give the same perf answers as the websocket ones, and empty ComfyUI stages, nodes, cache and sampler speed', async () => {
    const withWs = (await runJson<Json>(['perf', '--dir', generated('websocket').dir])).json;
    const without = (await runJson<Json>(['perf', '--dir', generated('polling only').dir])).json;
    const { queue_wait: q, execution: e, ...stages } = withWs['stages'];
    expect(q.count).toBeGreaterThan(0);
    expect(e.count).toBeGreaterThan(0);
    expect({ ...without, input: null }).toEqual({
      ...withWs,
      stages: { ...stages, queue_wait: { ...q, ...EMPTY }, execution: { ...e, ...EMPTY } },
      nodes: {},
      cache: { executed: 0, cached: 0, hit_ratio: null, unattributed: 0 },
      steps_per_s: {},
      input: null,
    });
    const text = (await runCli(['perf', '--by-node', '--dir', generated('polling only').dir])).stdout;
    expect(text).not.toMatch(/ComfyUI queue wait|ComfyUI execution|ComfyUI nodes|Sampler speed|Nodes by class/);
  });

  it('give the same traces, less the websocket events and the rows made of them', async () => {
    const requests = generated('websocket').expected.requests.filter((r) => r.queue_wait_ms !== null);
    expect(requests.length).toBeGreaterThan(30);
    for (const request of requests.slice(0, 12)) {
      const withWs = (await runJson<Json>(['trace', request.request_id, '--dir', generated('websocket').dir])).json;
      const without = (await runJson<Json>(['trace', request.request_id, '--dir', generated('polling only').dir])).json;
      const strip = (event: Json) => {
        const { execution_ms: _e, queue_wait_ms: _q, nodes_executed: _n, nodes_cached: _c, ...rest } = event;
        return rest;
      };
      expect(without['events']).toEqual(withWs['events'].filter((e: Json) => !WEBSOCKET_EVENTS.includes(e['event'])).map(strip));
      expect(without['stages']).toEqual(
        withWs['stages'].filter((s: Json) => s['name'] !== 'comfyui_queue_wait' && s['name'] !== 'comfyui_execution'),
      );
      expect(without).toMatchObject({ nodes: [], stalls: [], breakdown: { queue_wait_ms: null, execution_ms: null } });
      const text = (await runCli(['trace', request.request_id, '--dir', generated('polling only').dir])).stdout;
      expect(text).not.toMatch(/ComfyUI queue wait|ComfyUI execution|#\d|stalled/);
    }
  });
});

describe('a stalled prompt and a lost websocket', () => {
  it('are warnings errors groups like the others: the stall with its request, the lost connection with none', async () => {
    const { json } = await runJson<Json>(['errors', '--dir', generated('websocket').dir, '--level', 'warn']);
    const expected = generated('websocket').expected;
    const stalled = json['groups'].filter((g: Json) => g['event'] === EVENT.comfyui_stalled);
    const lost = json['groups'].filter((g: Json) => g['event'] === EVENT.comfyui_ws_lost);
    expect(stalled).toEqual([
      expect.objectContaining({
        service: 'gpu_server',
        level: 'WARN',
        error_code: null,
        count: expected.requests.filter((r) => r.stalled).length,
      }),
    ]);
    expect(stalled[0]['request_ids']).toEqual(
      expected.requests
        .filter((r) => r.stalled)
        .slice(0, 5)
        .map((r) => r.request_id),
    );
    expect(lost).toEqual([
      expect.objectContaining({
        service: 'gpu_server',
        level: 'WARN',
        message: 'read ECONNRESET',
        request_ids: [],
        count: expected.errors.find((g) => g.event === EVENT.comfyui_ws_lost)?.count,
      }),
    ]);
    expect(lost[0]['count']).toBeGreaterThan(0);
    const errorsOnly = await runJson<Json>(['errors', '--dir', generated('websocket').dir]);
    expect(errorsOnly.json['groups'].some((g: Json) => g['event'] === EVENT.comfyui_stalled || g['event'] === EVENT.comfyui_ws_lost)).toBe(
      false,
    );
  });

  it('trace calls the stall out above the timeline', async () => {
    const request = generated('websocket').expected.requests.find((r) => r.stalled);
    const text = (await runCli(['trace', String(request?.request_id), '--dir', generated('websocket').dir])).stdout;
    const header = text.slice(0, text.indexOf('time (UTC)'));
    expect(header).toMatch(
      /^ {2}stalled {5}ComfyUI said nothing about the prompt for 1m 00s while #3 KSampler ran \(last: comfyui_node_executed at \+[\d.]+ (ms|s)\); comfyui_stalled at \+/m,
    );
  });
});

describe('text output from generated logs', () => {
  it("trace draws ComfyUI's queue wait, execution and one row per node", async () => {
    const request = generated('websocket').expected.requests.find(
      (r) => r.outcome === 'ok' && r.nodes.some((n) => n.cached) && r.execution_ms !== null,
    );
    const text = (await runCli(['trace', String(request?.request_id), '--dir', generated('websocket').dir])).stdout;
    const waterfall = text.slice(text.indexOf('Where the time went')).split('\n');
    const rows = waterfall
      .filter((l) => /^ {4}ComfyUI|^ {6}#/.test(l))
      .map((l) =>
        l
          .split('│')[0]
          ?.trim()
          .replace(/\s{2,}/g, ' | '),
      );
    expect(rows).toEqual([
      expect.stringMatching(/^ComfyUI queue wait \| /),
      expect.stringMatching(/^ComfyUI execution \| /),
      ...(request?.nodes ?? []).map((n) =>
        n.cached ? `#${n.node_id} | cached` : expect.stringMatching(new RegExp(`^#${n.node_id} ${n.class_type} \\| `)),
      ),
    ]);
    expect(waterfall.at(-2)).toMatch(/· queue wait [\d.]+ (ms|s) · execution [\d.]+ (ms|s) ·/);
  });

  it('perf --by-node lists every node class with its executions and cached runs', async () => {
    const text = (await runCli(['perf', '--by-node', '--dir', generated('websocket').dir])).stdout;
    const expected = generated('websocket').expected.perf();
    const table = text
      .slice(text.indexOf('Nodes by class'))
      .split('\n')
      .slice(2, 2 + Object.keys(expected.nodes).length);
    const rows = table.map((l) => l.trim().split(/ {2,}/).slice(0, 3));
    expect(rows.sort()).toEqual(
      Object.entries(expected.nodes)
        .map(([c, n]) => [c, String(n.count), String(n.cached)])
        .sort(),
    );
    expect(text).toMatch(/^ComfyUI nodes: \d+ runs, \d+ from the cache \([\d.]+ % cache hits\)$/m);
    expect(text).toMatch(/^Sampler speed: KSampler [\d.]+ steps\/s avg/m);
  });
});

describe('times past the millisecond', () => {
  it("keep trace's nodes and stalls in whole milliseconds from the first event", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'logtrace-ws-subms-'));
    try {
      const ids =
        '"request_id": "0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10", "generation_id": "9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f", "prompt_id": "p-1"';
      const line = (time: string, level: string, event: string, rest: string) =>
        `{"timestamp": "2026-11-28T05:${time}", "level": "${level}", "service": "gpu_server", ${ids}, "event": "${event}"${rest}, "message": "m"}`;
      await writeFile(
        path.join(dir, 'gpu_server.log'),
        [
          line('00:00.000250', 'INFO', 'comfyui_prompt_sent', ', "queue_number": 1'),
          line('00:00.400750', 'INFO', 'comfyui_execution_start', ', "queue_wait_ms": 400'),
          line('00:00.400800', 'DEBUG', 'comfyui_nodes_cached', ', "node_ids": ["4"], "count": 1'),
          line(
            '00:01.100900',
            'DEBUG',
            'comfyui_node_executed',
            ', "node_id": "6", "class_type": "CLIPTextEncode", "duration_ms": 700, "cached": false',
          ),
          line('01:01.100999', 'WARNING', 'comfyui_stalled', ', "idle_ms": 60000, "node_id": "3", "class_type": "KSampler"'),
        ].join('\n') + '\n',
      );
      const { json } = await runJson<Json>(['trace', '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10', '--dir', dir]);
      expect(json['nodes']).toEqual([
        { node_id: '4', class_type: null, start_ms: 400, duration_ms: 0, cached: true },
        { node_id: '6', class_type: 'CLIPTextEncode', start_ms: 400, duration_ms: 700, cached: false },
      ]);
      expect(json['stalls']).toEqual([
        {
          time: '2026-11-28T05:01:01.100Z',
          at_ms: 61_100,
          idle_ms: 60_000,
          node_id: '3',
          class_type: 'KSampler',
          last_event: 'comfyui_node_executed',
          last_event_ms: 1100,
        },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
