import { normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { ErrorGrouper, matchesErrorFilter } from './error-grouper.js';
import { ALL_TIME } from '../core/time-window.js';

const T0 = Date.UTC(2026, 10, 28, 5);

function rec(fields: Record<string, unknown>): NormalizedRecord {
  const result = normalizeRecord({ level: 'ERROR', time: T0, service: 'gpu_server', msg: 'm', ...fields });
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

describe('ErrorGrouper', () => {
  it('groups by service, event, error_code and masked message, with times and sample ids', () => {
    const g = new ErrorGrouper();
    for (let i = 0; i < 7; i++) {
      g.addRecord(
        rec({
          event: 'error_comfyui',
          error_code: 'comfyui_timeout',
          error: `ComfyUI did not finish within ${i}000 ms`,
          request_id: `r${i}`,
          time: T0 + i,
        }),
      );
    }
    g.addRecord(rec({ event: 'error_comfyui', error_code: 'comfyui_http_500', error: 'ComfyUI answered HTTP 500', time: T0 + 50 }));
    g.addRecord(rec({ service: 'backend', event: 'gpu_error', error_code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:8002' }));
    g.addRecord(
      rec({
        service: 'backend',
        event: 'gpu_error',
        error_code: 'ECONNREFUSED',
        error: 'connect ECONNREFUSED 10.0.0.7:8002',
        level: 'FATAL',
      }),
    );
    const report = g.report();
    expect(report.total).toBe(10);
    expect(report.groups.map((x) => [x.service, x.event, x.error_code, x.message, x.count])).toEqual([
      ['gpu_server', 'error_comfyui', 'comfyui_timeout', 'ComfyUI did not finish within <n> ms', 7],
      ['backend', 'gpu_error', 'ECONNREFUSED', 'connect ECONNREFUSED <addr>', 2],
      ['gpu_server', 'error_comfyui', 'comfyui_http_500', 'ComfyUI answered HTTP <n>', 1],
    ]);
    expect(report.groups[0]).toMatchObject({
      first_time: '2026-11-28T05:00:00.000Z',
      last_time: '2026-11-28T05:00:00.006Z',
      request_ids: ['r0', 'r1', 'r2', 'r3', 'r4'],
      sample: 'ComfyUI did not finish within 0000 ms',
    });
    expect(report.groups[1]?.level).toBe('FATAL');
  });

  it('groups ComfyUI issues by type, message and last frame, without times when unstamped', () => {
    const g = new ErrorGrouper();
    const issue = {
      level: 'ERROR' as const,
      event: 'exception',
      type: 'PIL.UnidentifiedImageError',
      message: "cannot identify image file '/in/a.png'",
      lastFrame: 'Image.py:3283 in open',
    };
    g.addIssue(issue, undefined, ['!!! Exception during processing !!! x', 'Traceback (most recent call last):']);
    g.addIssue({ ...issue, message: "cannot identify image file '/in/b.png'" }, undefined, []);
    const [group] = g.report().groups;
    expect(group).toMatchObject({ service: 'comfyui', count: 2, first_time: null, last_frame: 'Image.py:3283 in open' });
    expect(group?.traceback).toHaveLength(2);
  });
});

describe('matchesErrorFilter', () => {
  const filter = { minLevel: 'ERROR' as const, services: new Set(['backend']), window: ALL_TIME };
  it('checks level, service and time', () => {
    expect(matchesErrorFilter({ level: 'ERROR', service: 'backend', time: 1 }, filter)).toBe(true);
    expect(matchesErrorFilter({ level: 'WARN', service: 'backend', time: 1 }, filter)).toBe(false);
    expect(matchesErrorFilter({ level: 'FATAL', service: 'gpu_server', time: 1 }, filter)).toBe(false);
    const windowed = { ...filter, window: { since: 10, until: undefined } };
    expect(matchesErrorFilter({ level: 'ERROR', service: 'backend', time: 5 }, windowed)).toBe(false);
    expect(matchesErrorFilter({ level: 'ERROR', service: 'backend', time: undefined }, windowed)).toBe(false);
    expect(matchesErrorFilter({ level: 'ERROR', service: 'backend', time: undefined }, filter)).toBe(true);
  });
});
