// Issue 13: what logtrace makes of the GPU server's events from ComfyUI's websocket
// (queue wait, nodes, progress, stalls, lost connections), and that logs without them
// read as before.
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
    const lines = (await runCli(['errors', '--dir', generated('polling only').dir, '--no-group', '--level', 'debug', '--json'])).stdout.trim().split('\n');
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
      expect(without['stages']).toEqual(withWs['stages'].filter((s: Json) => s['name'] !== 'comfyui_queue_wait' && s['name'] !== 'comfyui_execution'));
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
      expect.objectContaining({ service: 'gpu_server', level: 'WARN', error_code: null, count: expected.requests.filter((r) => r.stalled).length }),
    ]);
    expect(stalled[0]['request_ids']).toEqual(expected.requests.filter((r) => r.stalled).slice(0, 5).map((r) => r.request_id));
    expect(lost).toEqual([
      expect.objectContaining({ service: 'gpu_server', level: 'WARN', message: 'read ECONNRESET', request_ids: [], count: expected.errors.find((g) => g.event === EVENT.comfyui_ws_lost)?.count }),
    ]);
    expect(lost[0]['count']).toBeGreaterThan(0);
    const errorsOnly = await runJson<Json>(['errors', '--dir', generated('websocket').dir]);
    expect(errorsOnly.json['groups'].some((g: Json) => g['event'] === EVENT.comfyui_stalled || g['event'] === EVENT.comfyui_ws_lost)).toBe(false);
  });

  it('trace calls the stall out above the timeline', async () => {
    const request = generated('websocket').expected.requests.find((r) => r.stalled);
    const text = (await runCli(['trace', String(request?.request_id), '--dir', generated('websocket').dir])).stdout;
    const header = text.slice(0, text.indexOf('time (UTC)'));
    expect(header).toMatch(/^ {2}stalled {5}no websocket message from ComfyUI about the running prompt after \+[\d.]+ (ms|s) \(comfyui_node_executed #\d+ \w+\); comfyui_stalled at \+/m);
  });
});

describe('text output from generated logs', () => {
  it("trace draws ComfyUI's queue wait, execution and one row per node", async () => {
    const request = generated('websocket').expected.requests.find((r) => r.outcome === 'ok' && r.nodes.some((n) => n.cached) && r.execution_ms !== null);
    const text = (await runCli(['trace', String(request?.request_id), '--dir', generated('websocket').dir])).stdout;
    const waterfall = text.slice(text.indexOf('Where the time went')).split('\n');
    const rows = waterfall.filter((l) => /^ {4}ComfyUI|^ {6}#/.test(l)).map((l) => l.split('│')[0]?.trim().replace(/\s{2,}/g, ' | '));
    expect(rows).toEqual([
      expect.stringMatching(/^ComfyUI queue wait \| /),
      expect.stringMatching(/^ComfyUI execution \| /),
      ...(request?.nodes ?? []).map((n) => (n.cached ? `#${n.node_id} | cached` : expect.stringMatching(new RegExp(`^#${n.node_id} ${n.class_type} \\| `)))),
    ]);
    expect(waterfall.at(-2)).toMatch(/· queue wait [\d.]+ (ms|s) · execution [\d.]+ (ms|s) ·/);
  });

  it('perf --by-node lists every node class with its executions and cached runs', async () => {
    const text = (await runCli(['perf', '--by-node', '--dir', generated('websocket').dir])).stdout;
    const expected = generated('websocket').expected.perf();
    const table = text.slice(text.indexOf('Nodes by class')).split('\n').slice(2, 2 + Object.keys(expected.nodes).length);
    const rows = table.map((l) => l.trim().split(/ {2,}/).slice(0, 3));
    expect(rows.sort()).toEqual(Object.entries(expected.nodes).map(([c, n]) => [c, String(n.count), String(n.cached)]).sort());
    expect(text).toMatch(/^ComfyUI nodes: \d+ runs, \d+ from the cache \([\d.]+ % cache hits\)$/m);
    expect(text).toMatch(/^Sampler speed: KSampler [\d.]+ steps\/s avg/m);
  });
});
