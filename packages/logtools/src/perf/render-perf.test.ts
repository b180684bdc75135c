import { normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { createColors } from '../render/colors.js';
import { PerfAccumulator } from './perf-accumulator.js';
import { renderPerf } from './render-perf.js';

const OPTIONS = { slowMs: 60_000, top: 5, bucketMs: 3_600_000 };
const T0 = Date.UTC(2026, 10, 28, 5);
const plain = createColors(false);

function rec(event: string, fields: Record<string, unknown>): NormalizedRecord {
  const result = normalizeRecord({ level: 'INFO', time: T0, event, msg: '', ...fields });
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

function report(records: readonly NormalizedRecord[]) {
  const acc = new PerfAccumulator(OPTIONS);
  for (const r of records) acc.add(r);
  return PerfAccumulator.merged(OPTIONS, [acc.toParts()]).report();
}

const OLD = [rec('comfyui_complete', { duration_ms: 4000 }), rec('response_sent', { duration_ms: 4100 })];
const NEW = [
  rec('comfyui_complete', { duration_ms: 4000, queue_wait_ms: 700, execution_ms: 3100 }),
  rec('comfyui_node_executed', { node_id: '4', class_type: 'CheckpointLoaderSimple', duration_ms: 800 }),
  rec('comfyui_node_executed', { node_id: '3', class_type: 'KSampler', duration_ms: 2300 }),
  rec('comfyui_nodes_cached', { node_ids: ['4'], count: 1 }),
  rec('comfyui_progress', { node_id: '3', class_type: 'KSampler', value: 20, max: 20, steps_per_s: 8.7 }),
];

describe('renderPerf', () => {
  it("shows nothing of ComfyUI's nodes, and no queue wait or execution row, for logs without them", () => {
    const text = renderPerf(report(OLD), plain);
    expect(text).not.toMatch(/queue wait|ComfyUI execution|ComfyUI nodes|Sampler speed|Nodes by class/);
    expect(text).toMatch(/^backend end-to-end +1 /m);
    expect(renderPerf(report(OLD), plain, { byNode: true })).toBe(text);
  });

  it("adds ComfyUI's stages, cache hits and sampler speed, and with byNode the table of node classes", () => {
    const text = renderPerf(report(NEW), plain);
    expect(text).toMatch(/^ComfyUI queue wait +1 +700 ms/m);
    expect(text).toMatch(/^ComfyUI execution +1 +3\.10 s/m);
    expect(text).toContain('ComfyUI nodes: 3 runs, 1 from the cache (33.3 % cache hits)  (per class: --by-node)');
    expect(text).toContain('Sampler speed: KSampler 8.70 steps/s avg, p50 8.70, min 8.70, max 8.70 (1 finished run)');
    expect(text).not.toContain('Nodes by class');
    const byNode = renderPerf(report(NEW), plain, { byNode: true });
    expect(byNode).not.toContain('--by-node');
    const table = byNode.slice(byNode.indexOf('Nodes by class')).split('\n').slice(1, 4);
    expect(table.map((l) => l.trim().split(/ {2,}/))).toEqual([
      ['class_type', 'count', 'cached', 'avg', 'p50', 'p95', 'max'],
      ['KSampler', '1', '0', '2.30 s', '2.30 s', '2.30 s', '2.30 s'],
      ['CheckpointLoaderSimple', '1', '1', '800 ms', '800 ms', '800 ms', '800 ms'],
    ]);
  });
});
