import { describe, expect, it } from 'vitest';
import { decodeJsonLine } from '../read/decode-json-line.js';
import { formatRecord } from '../generator/format-record.js';
import { ALL_TIME } from '../core/time-window.js';
import { LiveErrorGroups } from './live-error-groups.js';
import { LiveTraceMatcher } from './live-trace-matcher.js';
import { recordItem, type FollowItem } from './live-source.js';
import { RollingPerf } from './rolling-perf.js';

/** A record as the services write it (the generator's writer), decoded by the reader every command uses. */
function item(
  event: string,
  fields: Record<string, unknown>,
  options: { time?: number; level?: 'INFO' | 'ERROR'; msg?: string } = {},
): FollowItem {
  const line = Buffer.from(
    formatRecord(
      'ours',
      { time: options.time ?? 1_000, level: options.level ?? 'INFO', service: 'backend', event, msg: options.msg ?? event, fields },
      1,
    ),
  );
  const decoded = decodeJsonLine(line, 0, line.length, { service: 'backend', first: false, tail: false });
  if (!decoded.ok) throw new Error(decoded.reason);
  return recordItem(decoded.record);
}

describe('LiveErrorGroups', () => {
  it("counts from the report's groups, with errors' own masking", () => {
    const live = new LiveErrorGroups({ minLevel: 'ERROR', services: undefined, window: ALL_TIME }, [
      {
        service: 'backend',
        event: 'error_internal',
        error_code: null,
        message: 'timeout after <n> ms',
        count: 4,
        first_time: null,
        last_time: null,
        request_ids: [],
        hosts: [],
        level: 'ERROR',
        last_frame: null,
        sample: 'timeout after 10 ms',
        traceback: null,
      },
    ]);
    expect(live.take(item('error_internal', {}, { level: 'ERROR', msg: 'timeout after 250 ms' }))).toMatchObject({
      kind: 'occurrence',
      count: 5,
    });
    expect(live.take(item('error_internal', {}, { level: 'ERROR', msg: 'disk full' }))).toMatchObject({ kind: 'new_group', count: 1 });
    expect(live.take(item('request_received', {}))).toBeUndefined();
  });
});

describe('LiveTraceMatcher', () => {
  it('links the ids on matching lines and ends at response_sent', () => {
    const m = new LiveTraceMatcher('aaaaaaaa');
    expect(m.take(item('request_received', { request_id: 'bbbbbbbb-1' }))).toBe(false);
    expect(m.take(item('request_received', { request_id: 'aaaaaaaa-1' }))).toBe(true);
    expect(m.take(item('generation_started', { request_id: 'aaaaaaaa-1', generation_id: 'g-1' }))).toBe(true);
    expect(m.take(item('comfyui_prompt_sent', { generation_id: 'g-1', prompt_id: 'p-1' }))).toBe(true);
    expect(m.take(item('comfyui_complete', { prompt_id: 'p-1' }))).toBe(true);
    expect(m.done).toBe(false);
    expect(m.take(item('response_sent', { request_id: 'aaaaaaaa-1', status: 200, duration_ms: 5 }))).toBe(true);
    expect(m.done).toBe(true);
  });

  it("finds a request by the caller's client_request_id", () => {
    const m = new LiveTraceMatcher('caller-id-42');
    expect(m.take(item('request_received', { request_id: 'r-1', client_request_id: 'caller-id-42' }))).toBe(true);
    expect(m.take(item('response_sent', { request_id: 'r-1', status: 200, duration_ms: 5 }))).toBe(true);
    expect(m.done).toBe(true);
  });
});

describe('RollingPerf', () => {
  it('reports on the records of the last window only', () => {
    const rolling = new RollingPerf({ slowMs: 60_000, top: 5, bucketMs: 3_600_000 }, 10_000);
    for (const [time, ms] of [
      [1_000, 100],
      [12_000, 200],
      [15_000, 300],
    ] as const) {
      const it = item('response_sent', { request_id: 'r', status: 200, duration_ms: ms }, { time });
      if (it.record !== undefined) rolling.add(it.record);
    }
    // Not a record perf reads: left out.
    const other = item('request_received', {}, { time: 15_000 }).record;
    if (other !== undefined) rolling.add(other);
    const report = rolling.report(20_000);
    expect(report.stages.backend_end_to_end).toMatchObject({ count: 2, min_ms: 200, max_ms: 300 });
    expect(report.window).toEqual({ since: new Date(10_000).toISOString(), until: new Date(20_000).toISOString() });
    expect(rolling.report(30_000).stages.backend_end_to_end.count).toBe(0);
  });
});
