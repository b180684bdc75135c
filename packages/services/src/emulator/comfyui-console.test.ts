import { describe, expect, it } from 'vitest';
import { createComfyuiConsole, formatExecutedLine, formatTqdm } from './comfyui-console.js';

describe('ComfyUI console', () => {
  it('draws tqdm bars like ComfyUI samplers', () => {
    expect(formatTqdm(0, 20, 0)).toBe('  0%|          | 0/20 [00:00<?, ?it/s]');
    expect(formatTqdm(1, 20, 0.2)).toBe('  5%|▌         | 1/20 [00:00<00:03,  5.00it/s]');
    expect(formatTqdm(20, 20, 1.573)).toBe('100%|██████████| 20/20 [00:01<00:00, 12.71it/s]');
    expect(formatTqdm(1, 4, 3)).toBe(' 25%|██▌       | 1/4 [00:03<00:09,  3.00s/it]');
  });

  it('prints execution times with two decimals, and HH:MM:SS past ten minutes', () => {
    expect(formatExecutedLine(0.0149)).toBe('Prompt executed in 0.01 seconds');
    expect(formatExecutedLine(8.951)).toBe('Prompt executed in 8.95 seconds');
    expect(formatExecutedLine(3725)).toBe('Prompt executed in 01:02:05');
  });

  it('writes bare lines and folds bar redraws into one buffer entry', () => {
    let out = '';
    let t = 0;
    const console = createComfyuiConsole({ write: (s) => (out += s), now: () => (t += 200), capacity: 3 });
    console.log('got prompt');
    const bar = console.progress(2);
    bar.update(1, 100);
    bar.update(2, 200);
    bar.close();
    console.log('Prompt executed in 0.20 seconds');
    expect(out).toBe(
      'got prompt\n\r  0%|          | 0/2 [00:00<?, ?it/s]\r 50%|█████     | 1/2 [00:00<00:00, 10.00it/s]\r100%|██████████| 2/2 [00:00<00:00, 10.00it/s]\nPrompt executed in 0.20 seconds\n',
    );
    expect(console.entries().map((e) => e.m)).toEqual([
      '\r100%|██████████| 2/2 [00:00<00:00, 10.00it/s]',
      '\n',
      'Prompt executed in 0.20 seconds\n',
    ]);
    expect(console.entries()[0]?.t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });
});
