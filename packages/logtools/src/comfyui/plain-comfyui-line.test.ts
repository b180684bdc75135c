import { resolveTimeZone } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { ComfyuiEntryParser } from './parse-comfyui-entries.js';
import { classifyText, splitComfyuiLine, STAND_IN_TEXT, stampTimeOf, type LineText } from './plain-comfyui-line.js';
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
  // ComfyUI-Manager's stamps (local time, no zone), its epoch fallback, and look-alikes.
  '[2026-12-03 14:37:36.463] ',
  '[2026-12-03 14:37:36.463]',
  '[2026-12-03 14:37:36] ',
  '[2026-12-03 14:37:36.4631] ',
  '[2026-13-03 14:37:36.463] ',
  '[2026-12-03T14:37:36.463Z] ',
  '[1764772656] ',
  '[ComfyUI-Manager] ',
  '[2/3] ',
  '[',
];
const ZONES = [undefined, resolveTimeZone('America/New_York'), resolveTimeZone('+05:30')];

describe('splitComfyuiLine', () => {
  it('finds the same stamp, time and text as toComfyuiLine, or declines', () => {
    let taken = 0;
    for (const zone of ZONES) {
      for (const prefix of PREFIXES) {
        for (const text of TEXTS) {
          const raw = `${prefix}${text}`;
          const bytes = Buffer.from(`\0${raw}\n`);
          const out: LineText = { start: 0, end: 0, stampStart: 0, stampEnd: -1 };
          if (!splitComfyuiLine(bytes, 1, bytes.length - 1, out)) continue;
          taken++;
          const expected = toComfyuiLine(raw, 1, zone);
          const found = { text: bytes.toString('utf8', out.start, out.end), time: stampTimeOf(bytes, out, zone) };
          expect(found, JSON.stringify(raw)).toEqual({ text: expected.text, time: expected.time });
        }
      }
    }
    expect(taken).toBeGreaterThan(ZONES.length * PREFIXES.length * 4);
  });

  it("reads ComfyUI-Manager's stamp as a wall-clock time in the zone given", () => {
    const ny = resolveTimeZone('America/New_York');
    expect(toComfyuiLine('[2026-12-03 14:37:36.463] got prompt', 1, ny)).toEqual({
      text: 'got prompt',
      time: Date.parse('2026-12-03T19:37:36.463Z'),
      line: 1,
    });
    expect(toComfyuiLine('[2026-12-03 14:37:36.463] got prompt', 1).time).toBe(Date.parse('2026-12-03T14:37:36.463Z'));
    expect(toComfyuiLine('[1764772656] got prompt', 1, ny)).toEqual({ text: 'got prompt', time: 1764772656000, line: 1 });
    expect(toComfyuiLine('[2026-12-03 14:37:36.463]  - Required input is missing: image', 1).text).toBe(
      ' - Required input is missing: image',
    );
    expect(toComfyuiLine('[ComfyUI-Manager] x', 1)).toEqual({ text: '[ComfyUI-Manager] x', time: undefined, line: 1 });
  });
});

describe('classifyText', () => {
  const kindOf = (text: string) => {
    const kinds: string[] = [];
    const parser = new ComfyuiEntryParser((entry) => kinds.push(entry.kind));
    parser.push({ text, time: undefined, line: 1 });
    parser.end();
    return kinds[0];
  };
  const texts = [
    ...TEXTS,
    'got prompt ',
    'got promptx',
    'Prompt executed in 1.00 seconds',
    'Prompt executed',
    'Processing interrupted',
    '  5%|#',
    '100%|',
    '1000%|',
    '\u000b42%|x',
    '\u00a042%|x',
    '7%',
    'invalid prompt: {}',
    '!!! Exception during processing !!! boom',
    'Error handling request',
    'Failed to validate prompt for output 9:',
    '* CLIPTextEncode 6:',
    'WARNING: x',
    'Starting server',
    'To see the GUI go to: http://x',
    'Traceback (most recent call last):',
    'zzz',
    'Requested to load SDXL',
    '[ComfyUI] x',
    'éa',
  ];
  it('says what the parser would make of a line read with no block open', () => {
    const expected = { plain: 'other', got_prompt: 'got_prompt', executed: 'executed', progress: 'progress' } as const;
    for (const text of texts) {
      const bytes = Buffer.from(text);
      const kind = classifyText(bytes, 0, bytes.length);
      if (kind !== 'special') expect(kindOf(text), JSON.stringify(text)).toBe(expected[kind]);
    }
    for (const [kind, text] of Object.entries(STAND_IN_TEXT)) expect(kindOf(text)).toBe(expected[kind as keyof typeof STAND_IN_TEXT]);
  });
});
