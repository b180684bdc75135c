import { describe, expect, it } from 'vitest';
import { parseHistoryResponse } from './parse-history-response.js';

const entry = (status: unknown, outputs: unknown = {}): string => JSON.stringify({ p: { prompt: [], outputs, status, meta: {} } });

describe('parseHistoryResponse', () => {
  it('reads {} as not finished', () => {
    expect(parseHistoryResponse(200, '{}', 'p')).toEqual({ ok: true, value: { state: 'pending' } });
  });

  it('collects images of every output node in node id order; an old entry without status is a success', () => {
    const outputs = {
      '10': { images: [{ filename: 'b.png', subfolder: '', type: 'output' }] },
      '9': { images: [{ filename: 'a.png', subfolder: 's', type: 'temp' }, { nope: 1 }], text: ['x'] },
    };
    const result = parseHistoryResponse(200, entry(undefined, outputs), 'p');
    expect(result).toEqual({
      ok: true,
      value: {
        state: 'success',
        images: [
          { filename: 'a.png', subfolder: 's', type: 'temp', nodeId: '9' },
          { filename: 'b.png', subfolder: '', type: 'output', nodeId: '10' },
        ],
      },
    });
  });

  it.each([
    ['not json', 'comfyui_bad_response'],
    ['[]', 'comfyui_bad_response'],
    ['{"other": {}}', 'comfyui_bad_response'],
    [entry('weird'), 'comfyui_bad_response'],
    [entry({ status_str: 'nope', completed: true, messages: [] }), 'comfyui_bad_response'],
    [entry({ status_str: 'error', completed: false, messages: 'x' }), 'comfyui_execution_error'],
  ])('turns %j into %s', (body, code) => {
    const result = parseHistoryResponse(200, body, 'p');
    expect(result.ok ? undefined : result.error.code).toBe(code);
  });

  it('is comfyui_http_<status> for other statuses', () => {
    const result = parseHistoryResponse(503, 'busy', 'p');
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'comfyui_http_503', status: 503 });
  });
});
