import { describe, expect, it } from 'vitest';
import { validateGenerateRequest } from './validate-generate-request.js';

describe('validateGenerateRequest', () => {
  it('fills in defaults for a prompt-only request', () => {
    expect(validateGenerateRequest({ prompt: 'a red fox' })).toEqual({
      ok: true,
      params: {
        prompt: 'a red fox',
        negative_prompt: '',
        width: 512,
        height: 512,
        steps: 20,
        seed: undefined,
        workflow: 'default',
      },
    });
  });

  it('keeps every valid field', () => {
    const body = { prompt: 'p\nq', negative_prompt: 'blur', width: 768, height: 64, steps: 30, seed: 0, workflow: 'txt2img' };
    expect(validateGenerateRequest(body)).toEqual({ ok: true, params: body });
  });

  it('reports every problem at once', () => {
    const result = validateGenerateRequest({
      prompt: '',
      width: 513,
      height: 4096,
      steps: 2.5,
      seed: -1,
      workflow: '../etc/passwd',
      stpes: 3,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'body', message: 'has 1 unknown field(s); allowed: prompt, negative_prompt, width, height, steps, seed, workflow' },
        { field: 'prompt', message: 'must not be empty' },
        { field: 'width', message: 'must be a multiple of 8' },
        { field: 'height', message: 'must be from 64 to 2048' },
        { field: 'steps', message: 'must be an integer' },
        { field: 'seed', message: 'must be from 0 to 9007199254740991' },
        { field: 'workflow', message: 'must be a name of letters, digits, _ or - (at most 64), not a path' },
      ],
    });
  });

  it.each([
    [[], 'body'],
    ['text', 'body'],
    [null, 'body'],
    [{ prompt: { nested: { deeper: 1 } } }, 'prompt'],
    [{ prompt: 42 }, 'prompt'],
    [{}, 'prompt'],
    [{ prompt: 'x'.repeat(4001) }, 'prompt'],
    [{ prompt: 'bell\u0007' }, 'prompt'],
    [{ prompt: 'esc \u001b[31mred' }, 'prompt'],
    [{ prompt: 'abc\u202egnp.exe' }, 'prompt'],
    [{ prompt: 'ok', negative_prompt: 'iso\u2066late' }, 'negative_prompt'],
    [{ prompt: 'ok', width: '512' }, 'width'],
    [{ prompt: 'ok', workflow: 'a/b' }, 'workflow'],
    [{ prompt: 'ok', workflow: 'a\\b' }, 'workflow'],
    [{ prompt: 'ok', workflow: '/abs' }, 'workflow'],
    [{ prompt: 'ok', workflow: 'nul\u0000' }, 'workflow'],
    [{ prompt: 'ok', workflow: '..' }, 'workflow'],
  ])('rejects %j on %s', (body, field) => {
    const result = validateGenerateRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toContain(field);
  });

  it('does not echo unknown keys such as level or time', () => {
    const result = validateGenerateRequest({ prompt: 'x', level: 'FATAL', time: '1999' });
    expect(JSON.stringify(result)).not.toContain('FATAL');
    expect(JSON.stringify(result)).not.toContain('1999');
  });
});
