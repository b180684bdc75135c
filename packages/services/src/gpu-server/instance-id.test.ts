import { describe, expect, it } from 'vitest';
import { defaultInstanceId } from './instance-id.js';

describe('defaultInstanceId', () => {
  it('is stable for a host and port, hides the host name, and differs per host and port', () => {
    const id = defaultInstanceId('gpu-box-7.internal', 8002, () => 'fresh');
    expect(id).toMatch(/^[0-9a-f]{12}:8002$/);
    expect(id).not.toContain('gpu-box');
    expect(defaultInstanceId('gpu-box-7.internal', 8002, () => 'other')).toBe(id);
    expect(defaultInstanceId('gpu-box-8.internal', 8002, () => 'fresh')).not.toBe(id);
    expect(defaultInstanceId('gpu-box-7.internal', 8003, () => 'fresh')).not.toBe(id);
  });

  it("on port 0 (a new port each start) is fresh each time, so it never claims another run's prompts", () => {
    expect(defaultInstanceId('h', 0, () => 'f1')).toMatch(/^[0-9a-f]{12}:f1$/);
  });
});
