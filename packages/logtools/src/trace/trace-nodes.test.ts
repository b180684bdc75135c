import { normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { traceNodes, traceStalls } from './trace-nodes.js';

const T0 = Date.UTC(2026, 10, 28, 5);

function rec(offset: number, event: string, fields: Record<string, unknown> = {}): NormalizedRecord {
  const result = normalizeRecord({ level: 'DEBUG', time: T0 + offset, service: 'gpu_server', event, prompt_id: 'p1', msg: '', ...fields });
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

describe('traceNodes', () => {
  it('places each executed node at its start and the cached ones when ComfyUI named them, in order of start', () => {
    const records = [
      rec(0, 'comfyui_prompt_sent'),
      rec(500, 'comfyui_execution_start', { queue_wait_ms: 500 }),
      rec(500, 'comfyui_nodes_cached', { node_ids: ['4', 7, '5'], count: 3 }),
      rec(530, 'comfyui_node_executed', { node_id: '6', class_type: 'CLIPTextEncode', duration_ms: 30, cached: false }),
      rec(2530, 'comfyui_progress', { node_id: '3', class_type: 'KSampler', value: 20, max: 20, steps_per_s: 10 }),
      rec(2530, 'comfyui_node_executed', { node_id: '3', class_type: 'KSampler', duration_ms: 2000, cached: false }),
      rec(2600, 'comfyui_node_executed', { node_id: '8', duration_ms: 70 }),
      rec(2650, 'comfyui_node_executed', { node_id: '9', class_type: 'SaveImage' }),
    ];
    expect(traceNodes(records, T0)).toEqual([
      { node_id: '4', class_type: null, start_ms: 500, duration_ms: 0, cached: true },
      { node_id: '5', class_type: null, start_ms: 500, duration_ms: 0, cached: true },
      { node_id: '6', class_type: 'CLIPTextEncode', start_ms: 500, duration_ms: 30, cached: false },
      { node_id: '3', class_type: 'KSampler', start_ms: 530, duration_ms: 2000, cached: false },
      { node_id: '8', class_type: null, start_ms: 2530, duration_ms: 70, cached: false },
    ]);
  });

  it('is empty without websocket events', () => {
    expect(traceNodes([rec(0, 'comfyui_prompt_sent'), rec(4000, 'comfyui_complete', { duration_ms: 4000 })], T0)).toEqual([]);
  });
});

describe('traceStalls', () => {
  it("gives the stall's idle time and running node, and the prompt's last websocket event before it", () => {
    const records = [
      rec(0, 'comfyui_execution_start', { queue_wait_ms: 0 }),
      rec(900, 'comfyui_node_executed', { node_id: '4', class_type: 'CheckpointLoaderSimple', duration_ms: 900 }),
      rec(1500, 'comfyui_progress', { node_id: '3', class_type: 'KSampler', value: 5, max: 20, steps_per_s: 8 }),
      rec(20_000, 'comfyui_polling', { prompt_id: 'p1' }),
      rec(25_000, 'comfyui_progress', { node_id: '3', class_type: 'KSampler', value: 5, max: 20, steps_per_s: 8, prompt_id: 'other' }),
      rec(31_500, 'comfyui_stalled', { idle_ms: 30_000, node_id: '3', class_type: 'KSampler' }),
    ];
    expect(traceStalls(records, T0)).toEqual([
      {
        time: '2026-11-28T05:00:31.500Z',
        at_ms: 31_500,
        idle_ms: 30_000,
        node_id: '3',
        class_type: 'KSampler',
        last_event: 'comfyui_progress',
        last_event_ms: 1500,
      },
    ]);
  });

  it('says so when the prompt never got a websocket event, and finds nothing without a stall', () => {
    expect(traceStalls([rec(0, 'comfyui_prompt_sent'), rec(30_000, 'comfyui_stalled')], T0)).toEqual([
      {
        time: '2026-11-28T05:00:30.000Z',
        at_ms: 30_000,
        idle_ms: null,
        node_id: null,
        class_type: null,
        last_event: null,
        last_event_ms: null,
      },
    ]);
    expect(traceStalls([rec(0, 'comfyui_execution_start')], T0)).toEqual([]);
  });
});
