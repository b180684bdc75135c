import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_COMFYUI_LOG } from './fixture-paths.js';
import { runCli, runJson } from './run-cli.js';

const FIXTURE = REAL_COMFYUI_LOG;

interface Group {
  service: string;
  event: string;
  error_code: string | null;
  count: number;
  last_frame: string | null;
  first_time: string | null;
  message: string;
}

// Rejections for the nodes' inputs are grouped by the reasons of the validation report.
const EXPECTED_GROUPS = [
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Custom validation failed for node'],
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Exception when validating node'],
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Failed to convert an input value to a INT value'],
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Required input is missing; Value <n> smaller than min of <n>'],
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Return type mismatch between linked nodes'],
  ['invalid_prompt', 'prompt_outputs_failed_validation', 1, null, 'Value not in list'],
  ['exception', 'Exception', 1, '/workspace/ComfyUI/folder_paths.py:397 in get_save_image_path', null],
  ['exception', 'PIL.UnidentifiedImageError', 1, '/usr/lib/python3/dist-packages/PIL/Image.py:3283 in open', null],
  ['invalid_prompt', 'invalid_prompt', 1, null, 'Cannot execute because node NoSuchNode does not exist.'],
  ['invalid_prompt', 'prompt_no_outputs', 1, null, 'Prompt has no outputs'],
  ['request_error', 'json.decoder.JSONDecodeError', 1, '/usr/lib/python3.11/json/decoder.py:353 in raw_decode', null],
] as const;

const sorted = (groups: readonly Group[]) =>
  groups
    .map((g) => [g.event, g.error_code, g.count, g.last_frame, g.event === 'invalid_prompt' ? g.message : null])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[4]).localeCompare(String(b[4])));
const expected = () =>
  sorted(
    EXPECTED_GROUPS.map(
      ([event, error_code, count, last_frame, message]) => ({ event, error_code, count, last_frame, message: message ?? '' }) as Group,
    ),
  );

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-fixture-'));
  // The same log as the line stamper would have written it.
  const lines = (await readFile(FIXTURE, 'utf8')).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const start = Date.UTC(2026, 10, 28, 5, 0, 0);
  await writeFile(path.join(dir, 'comfyui.log'), lines.map((l, i) => `${new Date(start + i * 10).toISOString()} ${l}`).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('errors on the real, unstamped comfyui.log', () => {
  it('groups its exceptions by type, message and last frame, and its rejected prompts by type and reason', async () => {
    const { code, json } = await runJson<{ total: number; groups: Group[] }>(['errors', '--file', FIXTURE]);
    expect(code).toBe(0);
    expect(json.total).toBe(11);
    expect(json.groups.every((g) => g.service === 'comfyui' && g.first_time === null)).toBe(true);
    expect(sorted(json.groups)).toEqual(expected());
    expect(json.groups.find((g) => g.error_code === 'PIL.UnidentifiedImageError')?.message).toBe("cannot identify image file '<path>'");
  });

  it('prints each group with the end of its traceback', async () => {
    const { stdout } = await runCli(['errors', '--file', FIXTURE]);
    expect(stdout).toMatch(/^11 errors in 11 groups/);
    expect(stdout).toContain('at /workspace/ComfyUI/folder_paths.py:397 in get_save_image_path');
    expect(stdout).toContain('PIL.UnidentifiedImageError: cannot identify image file');
    expect(stdout).not.toContain('pydantic');
  });

  it('adds the interrupt with --level warn', async () => {
    const { json } = await runJson<{ total: number; groups: Group[] }>(['errors', '--file', FIXTURE, '--level', 'warn']);
    expect(json.total).toBe(12);
    expect(json.groups.find((g) => g.event === 'interrupted')?.count).toBe(1);
  });

  it('cannot place unstamped lines in a time window, and says so', async () => {
    const { code, stderr } = await runCli(['errors', '--file', FIXTURE, '--since', '2h']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/left out 11 unstamped comfyui\.log problems/);
  });

  it('gives the same groups, with times, when the log is stamped', async () => {
    const { json } = await runJson<{ total: number; groups: Group[] }>(['errors', '--dir', dir]);
    expect(sorted(json.groups)).toEqual(expected());
    expect(json.groups.every((g) => g.first_time?.startsWith('2026-11-28T05:0'))).toBe(true);
  });
});
