import { describe, expect, it } from 'vitest';
import { parsePromptResponse } from './parse-prompt-response.js';

describe('parsePromptResponse', () => {
  it('accepts a 200 with prompt_id and number; node_errors defaults to {}', () => {
    expect(parsePromptResponse(200, '{"prompt_id": "p1", "number": 3}')).toEqual({
      ok: true,
      value: { promptId: 'p1', number: 3, nodeErrors: {} },
    });
  });

  it.each([
    [200, 'not json', 'comfyui_bad_response'],
    [200, '[]', 'comfyui_bad_response'],
    [200, '{"prompt_id": 5, "number": 1}', 'comfyui_bad_response'],
    [200, '{"prompt_id": "p", "number": "1"}', 'comfyui_bad_response'],
    [200, '{"prompt_id": "p", "number": 1, "node_errors": []}', 'comfyui_bad_response'],
    [400, '<html>proxy says no</html>', 'comfyui_http_400'],
    [502, '', 'comfyui_http_502'],
    [403, '', 'comfyui_http_403'],
  ])('turns %i %j into %s', (status, body, code) => {
    const result = parsePromptResponse(status, body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('keeps control characters of a hostile body out of the message', () => {
    const result = parsePromptResponse(500, 'boom\u001b[31m\nnext');
    expect(result.ok ? '' : result.error.message).toBe('POST /prompt answered HTTP 500: boom\\u001b[31m\\nnext');
  });
});
