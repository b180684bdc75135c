import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize-record.js';

const REQUEST_ID = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const GENERATION_ID = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';

const ours = `{"level":"WARN","time":"2026-11-28T05:03:21.123Z","service":"gpu_server","event":"comfyui_complete","request_id":"${REQUEST_ID}","generation_id":"${GENERATION_ID}","prompt_id":"p-1","duration_ms":4210,"attempts":9,"msg":"ComfyUI finished the prompt"}`;
const python = `{"timestamp": "2026-11-28T05:03:21.123000", "level": "WARNING", "service": "gpu_server", "event": "comfyui_complete", "request_id": "${REQUEST_ID}", "generation_id": "${GENERATION_ID}", "prompt_id": "p-1", "duration_ms": 4210, "attempts": 9, "message": "ComfyUI finished the prompt"}`;
const pinoDefault = `{"level":40,"time":${Date.UTC(2026, 10, 28, 5, 3, 21, 123)},"pid":7,"hostname":"h","name":"gpu_server","event":"comfyui_complete","request_id":"${REQUEST_ID}","generation_id":"${GENERATION_ID}","prompt_id":"p-1","duration_ms":4210,"attempts":9,"msg":"ComfyUI finished the prompt"}`;

function read(line: string) {
  const result = normalizeRecord(JSON.parse(line));
  if (!result.ok) throw new Error(result.problem);
  return result.record;
}

describe('normalizeRecord', () => {
  it('reads our format, Python json.dumps style and pino defaults into the same record', () => {
    const a = read(ours);
    const b = read(python);
    const c = read(pinoDefault);
    const core = (r: ReturnType<typeof read>) => ({ ...r, extra: { attempts: r.extra['attempts'] } });
    expect(core(b)).toEqual(core(a));
    expect(core(c)).toEqual(core(a));
    expect(a).toMatchObject({
      time: Date.UTC(2026, 10, 28, 5, 3, 21, 123),
      level: 'WARN',
      service: 'gpu_server',
      event: 'comfyui_complete',
      request_id: REQUEST_ID,
      generation_id: GENERATION_ID,
      prompt_id: 'p-1',
      duration_ms: 4210,
      msg: 'ComfyUI finished the prompt',
    });
  });

  it('keeps unknown fields, including pino pid and hostname', () => {
    const c = read(pinoDefault);
    expect(c.extra).toEqual({ pid: 7, hostname: 'h', attempts: 9 });
  });

  it('takes the service from options when the line names none', () => {
    const result = normalizeRecord({ time: 1795843296979, level: 30, msg: 'x' }, { defaultService: 'telegram_bot' });
    expect(result.ok && result.record.service).toBe('telegram_bot');
  });

  it('reads a pino error object as the error message', () => {
    const result = normalizeRecord({ time: 1795843296979, level: 50, error: { type: 'Error', message: 'boom' } });
    expect(result.ok && result.record.error).toBe('boom');
  });

  it.each([
    [42, 'not_object'],
    [null, 'not_object'],
    [[1], 'not_object'],
    [{ level: 'INFO' }, 'no_time'],
    [{ time: '2026-11-28T05:03:21.123Z', level: 'LOUD' }, 'no_level'],
  ])('rejects %j as %s', (value, problem) => {
    expect(normalizeRecord(value)).toEqual({ ok: false, problem });
  });

  it('does not let a __proto__ key change any prototype', () => {
    const parsed: unknown = JSON.parse('{"time":"2026-11-28T05:03:21.123Z","level":"INFO","__proto__":{"polluted":1},"msg":"x"}');
    const result = normalizeRecord(parsed);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.record.extra)).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(result.record.extra)).toEqual(['__proto__']);
  });
});
