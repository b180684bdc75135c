import { describe, expect, it } from 'vitest';
import { recordHost } from './record-host.js';

describe('recordHost', () => {
  it("takes hostname, else host (non-empty strings), else the directory's host", () => {
    expect(recordHost({ hostname: 'gpu-2', host: '127.0.0.1' }, 'dir')).toBe('gpu-2');
    expect(recordHost({ host: 'web-1' }, 'dir')).toBe('web-1');
    expect(recordHost({ hostname: '', host: 'web-1' }, 'dir')).toBe('web-1');
    expect(recordHost({ hostname: 7, host: { name: 'n' } }, 'dir')).toBe('dir');
    expect(recordHost({}, undefined)).toBeUndefined();
  });
});
