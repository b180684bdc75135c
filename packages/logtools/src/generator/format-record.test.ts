import { normalizeRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { formatRecord, type LogEvent } from './format-record.js';

const EVENT: LogEvent = {
  time: Date.UTC(2026, 10, 28, 5, 3, 21, 123),
  level: 'WARN',
  service: 'gpu_server',
  event: 'error_comfyui',
  msg: 'ComfyUI failed',
  fields: {
    request_id: 'r-1',
    prompt_id: 'p "1"',
    status: 400,
    node_errors: { '9': ['é'] },
    skipped: undefined,
    error: 'line\nbreak\u001b',
  },
};

describe('formatRecord', () => {
  it('writes our format exactly as JSON.stringify would', () => {
    const { skipped: _skipped, ...fields } = EVENT.fields;
    const expected = JSON.stringify({
      level: 'WARN',
      time: '2026-11-28T05:03:21.123Z',
      service: 'gpu_server',
      pid: 7,
      ...fields,
      event: 'error_comfyui',
      msg: 'ComfyUI failed',
    });
    expect(formatRecord('ours', EVENT, 7)).toBe(expected);
  });

  it('writes Python json.dumps style with its spacing, names and escapes', () => {
    const line = formatRecord('python', EVENT, 7);
    expect(line.startsWith('{"timestamp": "2026-11-28T05:03:21.123000", "level": "WARNING", "service": "gpu_server"')).toBe(true);
    expect(line).toContain('"\\u00e9"');
  });

  it('gives the same record in all three styles, and leaves the service to the file name when asked', () => {
    const read = (line: string) => {
      const result = normalizeRecord(JSON.parse(line), { defaultService: 'from_file' });
      if (!result.ok) throw new Error(result.problem);
      const { extra: _extra, ...core } = result.record;
      return core;
    };
    const ours = read(formatRecord('ours', EVENT, 7));
    expect(read(formatRecord('python', EVENT, 7))).toEqual(ours);
    expect(read(formatRecord('pino', EVENT, 7))).toEqual(ours);
    expect(read(formatRecord('pino', EVENT, 7, true)).service).toBe('from_file');
    expect(ours).toMatchObject({ level: 'WARN', service: 'gpu_server', prompt_id: 'p "1"', error: 'line\nbreak\u001b' });
  });
});
