import { describe, expect, it } from 'vitest';
import { maskMessage } from './mask-message.js';

describe('maskMessage', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:8002', 'connect ECONNREFUSED <addr>'],
    ['connect ECONNREFUSED 127.0.0.1:8188', 'connect ECONNREFUSED <addr>'],
    ['prompt 0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10 failed after 120000 ms', 'prompt <id> failed after <n> ms'],
    ["cannot identify image file '/workspace/ComfyUI/input/broken.png'", "cannot identify image file '<path>'"],
    ['workflow "txt2img" not found in /workspace/workflows', 'workflow "txt2img" not found in <path>'],
    ['GET http://127.0.0.1:8188/history/abc returned 500', 'GET <url> returned <n>'],
    ['CUDA out of memory. Tried to allocate 2.00 GiB', 'CUDA out of memory. Tried to allocate <n> GiB'],
    ['hash deadbeef12 mismatch', 'hash <hex> mismatch'],
    ['Value 0 smaller than min of 1: width', 'Value <n> smaller than min of <n>: width'],
    ['  spaces \n and\tnewlines ', 'spaces and newlines'],
    ['received_type(MODEL) mismatch input_type(IMAGE)', 'received_type(MODEL) mismatch input_type(IMAGE)'],
  ])('masks %j', (input, expected) => {
    expect(maskMessage(input)).toBe(expected);
  });

  it('gives one key for messages that differ only in ids, numbers and paths', () => {
    const a = maskMessage("image 3f2a9c1b-1111-4222-8333-444455556666 of 1024 bytes at '/tmp/a/x.png'");
    const b = maskMessage("image 9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f of 77 bytes at '/var/b/y.png'");
    expect(a).toBe(b);
  });

  it('cuts very long messages', () => {
    expect(maskMessage('word '.repeat(500)).length).toBeLessThanOrEqual(300);
  });
});
