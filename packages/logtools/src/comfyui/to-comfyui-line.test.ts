import { describe, expect, it } from 'vitest';
import { isGluedProgress, mayBeGluedProgress, toComfyuiLine, toComfyuiLines } from './to-comfyui-line.js';

const STAMP = '2026-11-28T06:38:35.960Z ';
const T = Date.UTC(2026, 10, 28, 6, 38, 35, 960);

describe('toComfyuiLine', () => {
  it('takes off the stamp and reduces progress redraws to the last state', () => {
    expect(toComfyuiLine(`${STAMP} 10%|█ | 2/20\r 50%|█████ | 10/20 [00:00<00:00]\n`, 7)).toEqual({
      text: ' 50%|█████ | 10/20 [00:00<00:00]',
      time: T,
      line: 7,
    });
  });

  it('reads an unstamped line as it is', () => {
    expect(toComfyuiLine('got prompt\r\n', 1)).toEqual({ text: 'got prompt', time: undefined, line: 1 });
  });
});

describe('toComfyuiLines', () => {
  it('separates a line another thread printed onto an unfinished progress bar', () => {
    const raw = `${STAMP} 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]got prompt\n`;
    expect(toComfyuiLines(raw, 160)).toEqual([
      { text: ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]', time: T, line: 160 },
      { text: 'got prompt', time: T, line: 160 },
    ]);
  });

  it('leaves a finished bar and ordinary lines alone', () => {
    expect(toComfyuiLines('100%|██████████| 20/20 [00:01<00:00, 12.71it/s]', 3)).toHaveLength(1);
    expect(toComfyuiLines('Prompt executed in 1.42 seconds', 4)).toEqual([
      { text: 'Prompt executed in 1.42 seconds', time: undefined, line: 4 },
    ]);
  });
});

describe('mayBeGluedProgress', () => {
  it('rules out only bars that isGluedProgress would not split, and rules out plain finished bars', () => {
    const bars = [
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]got prompt',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s] got prompt',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]\tx',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]\u00a0x',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]]]',
      ' 61%|██████    | 17/28 [00:00<00:00, 20.31it/s]画像',
      '100%|██████████| 20/20 [00:01<00:00, 19.98it/s]',
      '  0%|          | 0/20 [00:00<?, ?it/s]Requested to load SDXL',
      ' 10%|█         | 2/20',
      '50%|x]y| 1/2 [a]b',
      ']',
      '',
    ];
    for (const text of bars) {
      const bytes = Buffer.from(text);
      const maybe = mayBeGluedProgress(bytes, 0, bytes.length);
      if (isGluedProgress(text)) expect(maybe, text).toBe(true);
    }
    const finished = Buffer.from('100%|██████████| 20/20 [00:01<00:00, 19.98it/s]');
    expect(mayBeGluedProgress(finished, 0, finished.length)).toBe(false);
    const spaced = Buffer.from(' 61%|█ | 17/28 [00:00<00:00, 20.31it/s] got prompt');
    expect(mayBeGluedProgress(spaced, 0, spaced.length)).toBe(false);
  });
});
