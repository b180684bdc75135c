import { describe, expect, it } from 'vitest';
import { formatStamp, STAMP_PATTERN } from './comfyui-stamp.js';
import { parseTime } from './parse-time.js';

describe('the comfyui.log stamp', () => {
  it('reads back what the stamper writes, to the millisecond', () => {
    const ms = Date.UTC(2026, 10, 28, 5, 3, 21, 123);
    const line = `${formatStamp(ms)}got prompt`;
    expect(line).toBe('2026-11-28T05:03:21.123Z got prompt');
    const m = STAMP_PATTERN.exec(line);
    expect(parseTime(m?.[1])).toBe(ms);
    expect(line.slice(m?.[0].length)).toBe('got prompt');
  });

  it('accepts other ISO forms and refuses text that only starts like a date', () => {
    expect(STAMP_PATTERN.exec('2026-11-28T05:03:21+01:00 x')?.[1]).toBe('2026-11-28T05:03:21+01:00');
    expect(STAMP_PATTERN.exec('2026-11-28T05:03:21.123456789Z')?.[1]).toBe('2026-11-28T05:03:21.123456789Z');
    expect(STAMP_PATTERN.exec('2026-11-28 05:03:21 got prompt')).toBeNull();
    expect(STAMP_PATTERN.exec('2026-11-28T05:03:21Zgot prompt')).toBeNull();
  });
});
