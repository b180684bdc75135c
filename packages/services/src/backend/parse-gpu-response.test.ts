import { describe, expect, it } from 'vitest';
import { parseGpuResponse } from './parse-gpu-response.js';

const REQUEST_ID = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const GENERATION_ID = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const IMAGE = { filename: 'ComfyUI_00001_.png', content_type: 'image/png', size_bytes: 4, base64: 'AAECAw==' };
const SUCCESS = { request_id: REQUEST_ID, generation_id: GENERATION_ID, prompt_id: 'p-1', image: IMAGE };

describe('parseGpuResponse', () => {
  it('accepts the contract success body and keeps only its fields', () => {
    const parsed = parseGpuResponse(200, bytes({ ...SUCCESS, extra: 'dropped', image: { ...IMAGE, path: '/x' } }), REQUEST_ID);
    expect(parsed).toEqual({ kind: 'image', success: SUCCESS });
  });

  it.each([
    ['another request_id', { ...SUCCESS, request_id: GENERATION_ID }],
    ['a generation_id that is not a UUID v4', { ...SUCCESS, generation_id: 'gen-1' }],
    ['a prompt_id with spaces', { ...SUCCESS, prompt_id: 'a b' }],
    ['a path as filename', { ...SUCCESS, image: { ...IMAGE, filename: '../x.png' } }],
    ['a non-image content type', { ...SUCCESS, image: { ...IMAGE, content_type: 'text/html' } }],
    ['bad base64', { ...SUCCESS, image: { ...IMAGE, base64: 'AAEC$w==' } }],
    ['a wrong size', { ...SUCCESS, image: { ...IMAGE, size_bytes: 5 } }],
  ])('rejects a 200 with %s as gpu_bad_response', (_name, body) => {
    expect(parseGpuResponse(200, bytes(body), REQUEST_ID)).toMatchObject({ kind: 'invalid', errorCode: 'gpu_bad_response' });
  });

  it('reads a contract error body, dropping a malformed generation_id and oversize details', () => {
    const parsed = parseGpuResponse(
      502,
      bytes({ error: 'x'.repeat(600), error_code: 'comfyui_http_500', generation_id: 'nope', details: 'd'.repeat(20_000) }),
      REQUEST_ID,
    );
    expect(parsed).toEqual({
      kind: 'failure',
      failure: { error: `${'x'.repeat(497)}...`, error_code: 'comfyui_http_500', generation_id: undefined, details: undefined },
    });
  });

  it.each([
    [500, '', 'gpu_http_500', 'an empty body'],
    [503, '<html>', 'gpu_http_503', 'a body that is not JSON'],
    [400, '{"error":"x"}', 'gpu_http_400', 'an error body without error and error_code'],
    [400, '{"error":"x","error_code":"has space"}', 'gpu_http_400', 'an error body without error and error_code'],
    [200, 'null', 'gpu_bad_response', 'JSON that is not an object'],
  ])('classifies %i %j as invalid', (status, text, errorCode, problem) => {
    expect(parseGpuResponse(status, bytes(text), REQUEST_ID)).toEqual({
      kind: 'invalid',
      errorCode,
      problem: `GPU server answered ${status} with ${problem}`,
    });
  });
});
