import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectedRequest } from '../src/generator/expected-answers.js';
import { useGeneratedDirs } from './generated-dirs.js';
import { runCli, runJson, type Json } from './run-cli.js';

const VARIANTS = [
  { name: 'our format, stamped comfyui.log, rotated', stamped: true, options: { seed: 21, requests: 90, rotate: true } },
  {
    name: 'Python style, unstamped comfyui.log',
    stamped: false,
    options: { seed: 22, requests: 90, style: 'python' as const, stamped: false },
  },
  {
    name: 'pino style, unstamped comfyui.log',
    stamped: false,
    options: { seed: 23, requests: 90, style: 'pino' as const, stamped: false },
  },
  { name: 'mixed styles, stamped', stamped: true, options: { seed: 24, requests: 90, style: 'mixed' as const } },
] as const;

const generated = useGeneratedDirs(VARIANTS);

/** One request per scenario and per outcome. */
function sample(requests: readonly ExpectedRequest[]): ExpectedRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => {
    const key = `${r.scenario}/${r.outcome}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function expectTrace(json: Json, request: ExpectedRequest, stamped: boolean): void {
  expect(json['request_id']).toBe(request.request_id);
  expect(json['outcome']).toBe(request.outcome);
  expect(json['generation_ids']).toEqual(request.generation_id === null ? [] : [request.generation_id]);
  expect(json['prompt_ids']).toEqual(request.prompt_id === null ? [] : [request.prompt_id]);
  expect(json['events'].map((e: Json) => [e['time'], e['service'], e['event']])).toEqual(
    request.events.map((e) => [new Date(e.time).toISOString(), e.service, e.event]),
  );
  const lines = json['comfyui'].flatMap((c: Json) => String(c['text']).split('\n'));
  expect(lines).toEqual(request.comfyui);
  const attributions = new Set(json['comfyui'].map((c: Json) => c['attribution']));
  if (request.comfyui.length > 0) expect([...attributions]).toEqual([stamped ? 'time' : 'order']);
  const t0 = request.events[0]?.time ?? 0;
  expect(json['nodes']).toEqual(request.nodes.map(({ start, ...node }) => ({ ...node, start_ms: start - t0 })));
  expect(json['breakdown']).toMatchObject({ queue_wait_ms: request.queue_wait_ms, execution_ms: request.execution_ms });
  expect(json['stalls'].length).toBe(request.stalled ? 1 : 0);
}

describe.each(VARIANTS)('trace on a generated directory: $name', (variant) => {
  const gen = () => generated(variant.name);

  it('covers every outcome, ComfyUI nodes run and cached, a stalled prompt and a lost websocket', () => {
    const requests = gen().expected.requests;
    const outcomes = new Set(requests.map((r) => r.outcome));
    expect([...outcomes].sort()).toEqual(['error', 'incomplete', 'ok', 'timeout', 'validation_error']);
    expect(requests.some((r) => r.nodes.some((n) => n.cached) && r.nodes.some((n) => !n.cached))).toBe(true);
    expect(requests.some((r) => r.stalled)).toBe(true);
    expect(requests.some((r) => r.scenario === 'ws_lost' && r.execution_ms === null && r.outcome === 'ok')).toBe(true);
  });

  it("gives each request's ComfyUI nodes, queue wait, execution and stall, for every scenario", async () => {
    const websocket = sample(gen().expected.requests.filter((r) => r.queue_wait_ms !== null || r.stalled));
    expect(websocket.length).toBeGreaterThan(5);
    for (const request of websocket) {
      const { json } = await runJson<Json>(['trace', request.request_id, '--dir', gen().dir]);
      expectTrace(json, request, variant.stamped);
    }
  });

  it('returns exactly the events of each request, in order, with its ComfyUI lines, from its request_id', async () => {
    for (const request of sample(gen().expected.requests)) {
      const { code, json } = await runJson<Json>(['trace', request.request_id, '--dir', gen().dir]);
      expect(code, request.scenario).toBe(0);
      expectTrace(json, request, variant.stamped);
    }
  });

  it('finds the same trace from the generation_id, the prompt_id and an 8-character prefix', async () => {
    const withPrompt = gen().expected.requests.filter((r) => r.prompt_id !== null && r.outcome === 'ok');
    for (const request of withPrompt.slice(0, 3)) {
      for (const id of [request.generation_id, request.prompt_id, request.request_id.slice(0, 8)]) {
        const { code, json } = await runJson<Json>(['trace', String(id), '--dir', gen().dir]);
        expect(code, String(id)).toBe(0);
        expectTrace(json, request, variant.stamped);
      }
    }
  });

  it('says so, with exit 1, for an unknown id', async () => {
    const result = await runCli(['trace', 'ffffffff-ffff-4fff-bfff-ffffffffffff', '--dir', gen().dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no request_id, generation_id, prompt_id, client_request_id or trace_id starting with "ffffffff-ffff-4fff-bfff-ffffffffffff"/,
    );
    expect(result.stdout).toBe('');
  });
});

describe('trace by order on an unstamped comfyui.log', () => {
  it('attributes the ComfyUI lines of every request, including after a prompt taken out of the queue', async () => {
    const requests = generated('Python style, unstamped comfyui.log').expected.requests;
    expect(requests.some((r) => r.scenario === 'short_deadline' && r.comfyui.length === 1)).toBe(true);
    for (const request of requests.filter((r) => r.comfyui.length > 0)) {
      const { json } = await runJson<Json>(['trace', request.request_id, '--dir', generated('Python style, unstamped comfyui.log').dir]);
      expect(
        json['comfyui'].flatMap((c: Json) => String(c['text']).split('\n')),
        request.request_id,
      ).toEqual(request.comfyui);
    }
  });
});
