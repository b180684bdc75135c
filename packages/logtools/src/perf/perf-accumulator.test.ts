import { normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { PerfAccumulator } from './perf-accumulator.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 5);

function rec(
  event: string,
  duration_ms: number | undefined,
  time: number,
  id = 'r',
  fields: Record<string, unknown> = {},
): NormalizedRecord {
  const result = normalizeRecord({ level: 'INFO', time, event, duration_ms, request_id: id, msg: '', ...fields });
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

describe('PerfAccumulator', () => {
  const options = { slowMs: 60_000, top: 2, bucketMs: HOUR };

  it('collects generation time, stages, slow generations and hourly buckets', () => {
    const acc = new PerfAccumulator(options);
    acc.add(rec('comfyui_complete', 4000, T0 + 10, 'a'));
    acc.add(rec('comfyui_complete', 60_000, T0 + 20, 'b'));
    acc.add(rec('comfyui_complete', 125_000, T0 + HOUR + 5, 'c'));
    acc.add(rec('comfyui_complete', 90_000, T0 + HOUR + 6, 'd'));
    acc.add(rec('response_sent', 4100, T0 + 30));
    acc.add(rec('gpu_response', 4050, T0 + 29));
    acc.add(rec('image_retrieved', 80, T0 + 28));
    acc.add(rec('generation_start', 5, T0));
    acc.add(rec('comfyui_complete', undefined, T0));
    const report = acc.report();
    expect(report.generation).toMatchObject({ count: 4, min_ms: 4000, max_ms: 125_000, p50_ms: 60_000 });
    expect(report.stages.backend_end_to_end.count).toBe(1);
    expect(report.stages.gpu_round_trip.avg_ms).toBe(4050);
    expect(report.stages.image_transfer.max_ms).toBe(80);
    expect(report.slow.count).toBe(3);
    expect(report.slow.items.map((i) => [i.request_id, i.duration_ms])).toEqual([
      ['c', 125_000],
      ['d', 90_000],
    ]);
    expect(report.buckets.items).toEqual([
      { start: '2026-11-28T05:00:00.000Z', count: 2, avg_ms: 32_000, p95_ms: 60_000, max_ms: 60_000 },
      { start: '2026-11-28T06:00:00.000Z', count: 2, avg_ms: 107_500, p95_ms: 125_000, max_ms: 125_000 },
    ]);
  });

  it('gives the same report when the records are split over merged accumulators', () => {
    const records = Array.from({ length: 50 }, (_, i) => rec('comfyui_complete', (i * 7919) % 130_000, T0 + i * 600_000, `r${i}`));
    const whole = new PerfAccumulator(options);
    for (const r of records) whole.add(r);
    const parts = [new PerfAccumulator(options), new PerfAccumulator(options), new PerfAccumulator(options)];
    records.forEach((r, i) => parts[i % 3]?.add(r));
    expect(
      PerfAccumulator.merged(
        options,
        parts.map((p) => p.toParts()),
      ).report(),
    ).toEqual(whole.report());
  });

  it("reads ComfyUI's queue wait and execution from comfyui_complete, and its nodes, cache and sampler speed", () => {
    const acc = new PerfAccumulator(options);
    acc.add(rec('comfyui_execution_start', undefined, T0, 'a', { queue_wait_ms: 999 }));
    acc.add(rec('comfyui_node_executed', 900, T0 + 1, 'a', { node_id: '4', class_type: 'CheckpointLoaderSimple', cached: false }));
    acc.add(rec('comfyui_progress', undefined, T0 + 2, 'a', { node_id: '3', class_type: 'KSampler', value: 10, max: 20, steps_per_s: 6 }));
    acc.add(
      rec('comfyui_progress', undefined, T0 + 3, 'a', { node_id: '3', class_type: 'KSampler', value: 20, max: 20, steps_per_s: 6.5 }),
    );
    acc.add(
      rec('comfyui_progress', undefined, T0 + 3, 'b', { node_id: '3', class_type: 'KSampler', value: 20, max: 20, steps_per_s: 'fast' }),
    );
    acc.add(rec('comfyui_node_executed', 3000, T0 + 4, 'a', { node_id: '3', class_type: 'KSampler', cached: false }));
    acc.add(rec('comfyui_node_executed', 10, T0 + 5, 'a', { node_id: '9' }));
    acc.add(rec('comfyui_complete', 4500, T0 + 6, 'a', { queue_wait_ms: 600, execution_ms: 3900, nodes_executed: 2, nodes_cached: 0 }));
    acc.add(rec('comfyui_nodes_cached', undefined, T0 + 7, 'b', { node_ids: ['4', 7, '8'], count: 4 }));
    acc.add(rec('comfyui_complete', 1000, T0 + 8, 'b'));
    const report = PerfAccumulator.merged(options, [acc.toParts()]).report();
    expect(report.generation.count).toBe(2);
    expect(report.stages.queue_wait).toMatchObject({ count: 1, max_ms: 600 });
    expect(report.stages.execution).toMatchObject({ count: 1, max_ms: 3900 });
    expect(report.nodes).toEqual({
      KSampler: { count: 1, cached: 0, avg_ms: 3000, p50_ms: 3000, p95_ms: 3000, max_ms: 3000 },
      CheckpointLoaderSimple: { count: 1, cached: 1, avg_ms: 900, p50_ms: 900, p95_ms: 900, max_ms: 900 },
    });
    // '4' was a CheckpointLoaderSimple; '8' never ran; 4 counted, 2 of them not listed as strings.
    expect(report.cache).toEqual({ executed: 2, cached: 4, hit_ratio: 4 / 6, unattributed: 3 });
    expect(report.steps_per_s).toEqual({ KSampler: { count: 1, avg: 6.5, min: 6.5, p50: 6.5, max: 6.5 } });
  });

  it('leaves out records outside the time window', () => {
    const acc = new PerfAccumulator({ ...options, window: { since: T0 + 15, until: undefined } });
    acc.add(rec('comfyui_complete', 1, T0 + 10));
    acc.add(rec('comfyui_complete', 2, T0 + 20));
    expect(acc.report().generation.count).toBe(1);
  });
});

describe('PerfAccumulator.generationSeries', () => {
  it('gathers minute buckets into wider slots with exact percentiles of the slot, not of its minutes', () => {
    const acc = new PerfAccumulator({ slowMs: 60_000, top: 2, bucketMs: 60_000 });
    // Minute 0: 1, 2, 3 s; minute 1: 100 s; minute 5: 7 s.
    for (const [ms, at] of [
      [1000, 0],
      [2000, 1],
      [3000, 2],
      [100_000, 60_000],
      [7000, 300_000],
    ] as const) {
      acc.add(rec('comfyui_complete', ms, T0 + at));
    }
    expect(acc.generationSeries(300_000)).toEqual([
      { start: T0, count: 4, p50_ms: 2000, p95_ms: 100_000 },
      { start: T0 + 300_000, count: 1, p50_ms: 7000, p95_ms: 7000 },
    ]);
    expect([...acc.generationTimes()]).toEqual([1000, 2000, 3000, 7000, 100_000]);
  });
});
