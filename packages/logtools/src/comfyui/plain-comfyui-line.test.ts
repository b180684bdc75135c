import { describe, expect, it } from 'vitest';
import { splitComfyuiLine, type LineText } from './plain-comfyui-line.js';
import { toComfyuiLine } from './to-comfyui-line.js';

const STAMP = '2026-11-28T05:03:21.123Z';
const TEXTS = [
  'got prompt',
  'Prompt executed in 3.42 seconds',
  '',
  ' ',
  '  0%|          | 0/20 [00:00<?, ?it/s]\r 50%|█████     | 10/20\r100%|██████████| 20/20',
  '  0%|    | 0/20\r 50%|  | 10/20\r   \r',
  '\r\r',
  'x\r',
  'déjà vu',
  '\u00a0\rnbsp',
  'Requested to load SDXL',
  'tab\tinside',
];
const PREFIXES = [
  '',
  `${STAMP} `,
  `${STAMP}`,
  '2026-11-28T05:03:21Z ',
  '2026-11-28T05:03:21.123456789Z ',
  '2026-11-28T05:03:21.1234567890Z ',
  '2026-11-28T05:03:21.123+01:00 ',
  '2026-11-28T05:03:21.Z ',
  '2026-13-28T05:03:21.123Z ',
  '2026-11-28 05:03:21.123Z ',
  '1234-',
  '20261128 ',
];

describe('splitComfyuiLine', () => {
  it('finds the same stamp, time and text as toComfyuiLine, or declines', () => {
    let taken = 0;
    for (const prefix of PREFIXES) {
      for (const text of TEXTS) {
        const raw = `${prefix}${text}`;
        const bytes = Buffer.from(`\0${raw}\n`);
        const out: LineText = { start: 0, end: 0, time: undefined };
        if (!splitComfyuiLine(bytes, 1, bytes.length - 1, out)) continue;
        taken++;
        const expected = toComfyuiLine(raw, 1);
        expect({ text: bytes.toString('utf8', out.start, out.end), time: out.time }, JSON.stringify(raw)).toEqual({ text: expected.text, time: expected.time });
      }
    }
    expect(taken).toBeGreaterThan(PREFIXES.length * 4);
  });
});
