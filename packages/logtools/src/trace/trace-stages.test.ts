import { normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { comfyuiTimes, timeBreakdown, traceStages } from './trace-stages.js';

const T0 = Date.UTC(2026, 10, 28, 5);

function rec(offset: number, service: string, event: string, fields: Record<string, unknown> = {}): NormalizedRecord {
  const result = normalizeRecord({ level: 'INFO', time: T0 + offset, service, event, msg: '', ...fields });
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

/** A request whose prompt waited 1.2 s in ComfyUI's queue and ran 2.5 s; the GPU server saw it done at +4000. */
const OK = [
  rec(0, 'backend', 'generate_request'),
  rec(1, 'backend', 'gpu_request'),
  rec(3, 'gpu_server', 'generation_start'),
  rec(10, 'gpu_server', 'comfyui_prompt_sent'),
  rec(1210, 'gpu_server', 'comfyui_execution_start', { queue_wait_ms: 1200, queue_remaining: 0 }),
  rec(4010, 'gpu_server', 'comfyui_complete', { duration_ms: 4000, queue_wait_ms: 1200, execution_ms: 2500 }),
  rec(4110, 'gpu_server', 'image_retrieved', { duration_ms: 100 }),
  rec(4112, 'backend', 'gpu_response', { duration_ms: 4111, status: 200 }),
  rec(4114, 'backend', 'response_sent', { duration_ms: 4114, status: 200 }),
];

const names = (records: readonly NormalizedRecord[]) => traceStages(records, 4114).map((s) => [s.name, s.start_ms, s.duration_ms]);

describe('traceStages', () => {
  it("splits ComfyUI's stage into its queue wait and its execution", () => {
    expect(names(OK)).toEqual([
      ['total', 0, 4114],
      ['backend_before_gpu', 0, 1],
      ['gpu_round_trip', 1, 4111],
      ['gpu_before_comfyui', 3, 7],
      ['comfyui', 10, 4000],
      ['comfyui_queue_wait', 10, 1200],
      ['comfyui_execution', 1210, 2500],
      ['image_transfer', 4010, 100],
      ['backend_after_gpu', 4112, 2],
    ]);
    expect(timeBreakdown(traceStages(OK, 4114), 4114, comfyuiTimes(OK))).toEqual({
      backend_overhead_ms: 3,
      gpu_before_comfyui_ms: 7,
      comfyui_ms: 4000,
      image_transfer_ms: 100,
      queue_wait_ms: 1200,
      execution_ms: 2500,
    });
  });

  it('runs the execution of a prompt that failed until the error, and takes the queue wait from comfyui_complete without comfyui_execution_start', () => {
    const failed = [
      ...OK.slice(0, 5),
      rec(9000, 'gpu_server', 'error_comfyui', { error_code: 'comfyui_timeout', error: 'x', prompt_id: 'p' }),
    ];
    expect(names(failed).filter(([name]) => String(name).startsWith('comfyui'))).toEqual([
      ['comfyui', 10, 8990],
      ['comfyui_queue_wait', 10, 1200],
      ['comfyui_execution', 1210, 7790],
    ]);
    const noStart = OK.filter((r) => r.event !== 'comfyui_execution_start');
    expect(comfyuiTimes(noStart)).toEqual({ queueWaitMs: 1200, executionMs: 2500 });
  });

  it('is what it was before the websocket events without them', () => {
    const old = OK.filter((r) => r.event !== 'comfyui_execution_start').map((r) =>
      r.event === 'comfyui_complete' ? rec(4010, 'gpu_server', 'comfyui_complete', { duration_ms: 4000 }) : r,
    );
    expect(names(old).map(([name]) => name)).toEqual([
      'total',
      'backend_before_gpu',
      'gpu_round_trip',
      'gpu_before_comfyui',
      'comfyui',
      'image_transfer',
      'backend_after_gpu',
    ]);
    expect(timeBreakdown(traceStages(old, 4114), 4114, comfyuiTimes(old))).toMatchObject({ queue_wait_ms: null, execution_ms: null });
  });
});
