import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeComfyuiIssue } from './describe-comfyui-issue.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { toComfyuiLine } from './to-comfyui-line.js';
import { REAL_COMFYUI_LOG } from '../../test/fixture-paths.js';

const FIXTURE = REAL_COMFYUI_LOG;

function parse(text: string): ComfyuiEntry[] {
  const entries: ComfyuiEntry[] = [];
  const parser = new ComfyuiEntryParser((e) => entries.push(e));
  text.split('\n').forEach((raw, i, all) => {
    if (i === all.length - 1 && raw === '') return;
    parser.push(toComfyuiLine(raw, i + 1));
  });
  parser.end();
  return entries;
}

describe('toComfyuiLine', () => {
  it('takes off the stamp and keeps the final state of a progress bar', () => {
    expect(toComfyuiLine('2026-11-28T05:03:21.123Z got prompt', 1)).toEqual({
      text: 'got prompt',
      time: Date.UTC(2026, 10, 28, 5, 3, 21, 123),
      line: 1,
    });
    expect(toComfyuiLine('got prompt\r', 2)).toEqual({ text: 'got prompt', time: undefined, line: 2 });
    const bar = '  0%|          | 0/20 [00:00<?, ?it/s]\r 50%|█████     | 10/20\r100%|██████████| 20/20 [00:01<00:00, 12.71it/s]';
    expect(toComfyuiLine(bar, 3).text).toBe('100%|██████████| 20/20 [00:01<00:00, 12.71it/s]');
    expect(toComfyuiLine(`2026-11-28T05:03:21.123Z ${bar}`, 3).text).toMatch(/^100%/);
    expect(toComfyuiLine('2026-11-28T05:03:21.123Z ', 4)).toMatchObject({ text: '' });
  });
});

describe('ComfyuiEntryParser on the real comfyui.log', () => {
  const entries = parse(readFileSync(FIXTURE, 'utf8'));
  const kinds = (kind: string) => entries.filter((e) => e.kind === kind);

  it('finds every got prompt and every finished prompt', () => {
    expect(kinds('got_prompt')).toHaveLength(21);
    expect(kinds('executed')).toHaveLength(10);
    expect(kinds('interrupted')).toHaveLength(1);
  });

  it('keeps validation reports together, ending at invalid prompt', () => {
    const validation = kinds('validation');
    expect(validation).toHaveLength(8);
    expect(validation[0]?.lines.map((l) => l.text)).toEqual([
      'Failed to validate prompt for output 3:',
      '* (prompt):',
      '  - Required input is missing: filename_prefix',
      '* EmptyImage 1:',
      '  - Value 0 smaller than min of 1: width',
      '* SaveImage 3:',
      '  - Required input is missing: filename_prefix',
      'Output will be ignored',
      "invalid prompt: {'type': 'prompt_outputs_failed_validation', 'message': 'Prompt outputs failed validation', 'details': 'Required input is missing: filename_prefix', 'extra_info': {}}",
    ]);
    const issues = validation.map(describeComfyuiIssue);
    expect(issues.map((i) => i?.type)).toEqual([
      'prompt_outputs_failed_validation',
      'prompt_outputs_failed_validation',
      'invalid_prompt',
      'prompt_no_outputs',
      'prompt_outputs_failed_validation',
      'prompt_outputs_failed_validation',
      'prompt_outputs_failed_validation',
      'prompt_outputs_failed_validation',
    ]);
    expect(issues[2]?.message).toBe('Cannot execute because node NoSuchNode does not exist.');
  });

  it('keeps each exception with its whole (chained) traceback and reads type, message and last frame', () => {
    const exceptions = kinds('exception');
    expect(exceptions).toHaveLength(2);
    const [save, load] = exceptions.map(describeComfyuiIssue);
    expect(save).toEqual({
      level: 'ERROR',
      event: 'exception',
      type: 'Exception',
      message: '**** ERROR: Saving image outside the output folder is not allowed.',
      lastFrame: '/workspace/ComfyUI/folder_paths.py:397 in get_save_image_path',
    });
    expect(load).toMatchObject({
      type: 'PIL.UnidentifiedImageError',
      message: "cannot identify image file '/workspace/ComfyUI/input/broken.png'",
      lastFrame: '/usr/lib/python3/dist-packages/PIL/Image.py:3283 in open',
    });
    expect(exceptions[1]?.lines.some((l) => l.text.startsWith('During handling'))).toBe(true);
    expect(exceptions[1]?.lines.at(-1)?.text).toBe('');
  });

  it('reads the aiohttp request error and its traceback', () => {
    const [requestError] = kinds('request_error');
    expect(describeComfyuiIssue(requestError as ComfyuiEntry)).toMatchObject({
      type: 'json.decoder.JSONDecodeError',
      message: 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
      lastFrame: '/usr/lib/python3.11/json/decoder.py:353 in raw_decode',
    });
    const next = entries[entries.indexOf(requestError as ComfyuiEntry) + 1];
    expect(next?.kind).toBe('got_prompt');
  });

  it('marks the start and stop of the server', () => {
    expect(kinds('restart').map((e) => e.lines[0]?.text)).toEqual([
      'Starting server',
      'To see the GUI go to: http://127.0.0.1:8188',
      'Stopped server',
    ]);
  });
});

describe('ComfyuiEntryParser edge cases', () => {
  it('collapses a run of progress lines into the last', () => {
    const entries = parse(' 10%|█ | 2/20\n 50%|█████ | 10/20\n100%|██████████| 20/20\nPrompt executed in 7.21 seconds\n');
    expect(entries.map((e) => [e.kind, e.lines.map((l) => l.text)])).toEqual([
      ['progress', ['100%|██████████| 20/20']],
      ['executed', ['Prompt executed in 7.21 seconds']],
    ]);
  });

  it('ends a traceback at the next top-level line even without a blank line', () => {
    const entries = parse(
      '!!! Exception during processing !!! boom\nTraceback (most recent call last):\n  File "/a.py", line 1, in f\n    x()\nRuntimeError: boom\ngot prompt\n',
    );
    expect(entries.map((e) => e.kind)).toEqual(['exception', 'got_prompt']);
    expect(describeComfyuiIssue(entries[0] as ComfyuiEntry)).toMatchObject({ type: 'RuntimeError', lastFrame: '/a.py:1 in f' });
  });

  it('reads the 2024 spelling without a space and an exception without traceback', () => {
    const entries = parse('!!! Exception during processing!!! CUDA out of memory\nPrompt executed in 1.00 seconds\n');
    expect(describeComfyuiIssue(entries[0] as ComfyuiEntry)).toMatchObject({ type: 'Exception', message: 'CUDA out of memory' });
  });

  it('keeps a validation report that only ignores outputs as a warning', () => {
    const entries = parse(
      'Failed to validate prompt for output 9:\n* SaveImage 9:\n  - Required input is missing: images\nOutput will be ignored\nPrompt executed in 0.01 seconds\n',
    );
    expect(entries.map((e) => e.kind)).toEqual(['validation', 'executed']);
    expect(describeComfyuiIssue(entries[0] as ComfyuiEntry)).toMatchObject({ level: 'WARN', event: 'outputs_ignored' });
  });
});
