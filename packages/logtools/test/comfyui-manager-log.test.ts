import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Json } from './run-cli.js';
import { runBuiltCli } from './run-built-cli.js';
import type { ErrorGroup } from '../src/errors/error-grouper.js';

// A real ComfyUI 0.3.64 run three times under ComfyUI-Manager's logging code, with
// TZ=America/New_York (fixtures/comfyui-manager/README.md): Manager stamps each line
// with the local time and no zone, and rotates comfyui_<port>.log on every start.
const FIXTURE = fileURLToPath(new URL('./fixtures/comfyui-manager', import.meta.url));
const FILES = ['comfyui_38517.prev2.log', 'comfyui_38517.prev.log', 'comfyui_38517.log'];
/** New York in December is UTC−5 (EST). */
const EST_MS = 5 * 3_600_000;
/** What each start was sent, in order (capture_manager_log.py's RUNS). */
const RUNS = [
  ['ok', 'error', 'error'],
  ['missing', 'error', 'list', 'ok', 'error'],
  ['small', 'ok', 'error', 'missing'],
];

const STAMP = /^\[(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})\] (.*)$/;

/** The `got prompt` stamps of the capture, in age order, read as New York time (epoch ms). */
async function gotPromptTimes(): Promise<number[]> {
  const times: number[] = [];
  for (const name of FILES) {
    for (const line of (await readFile(path.join(FIXTURE, name), 'utf8')).split('\n')) {
      const m = STAMP.exec(line);
      if (m === null || m[8] !== 'got prompt') continue;
      const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map(Number) as [number, number, number, number, number, number, number];
      times.push(Date.UTC(y, mo - 1, d, h, mi, s, ms) + EST_MS);
    }
  }
  return times;
}

const requestId = (i: number) => `${String(i).padStart(8, '0')}-5b1e-4c2a-9d3f-1a2b3c4d5e6f`;

let dir = '';
let kinds: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-manager-'));
  for (const name of FILES) await copyFile(path.join(FIXTURE, name), path.join(dir, name));
  // The GPU server's side of the same POSTs: accepted prompts are sent, rejected ones are a 400.
  kinds = RUNS.flat();
  const times = await gotPromptTimes();
  expect(times).toHaveLength(kinds.length);
  const lines = kinds.map((kind, i) => {
    const base = {
      time: new Date((times[i] ?? 0) + 5).toISOString(),
      service: 'gpu_server',
      request_id: requestId(i),
      generation_id: requestId(i),
    };
    const rejected = kind === 'missing' || kind === 'list' || kind === 'small';
    return JSON.stringify(
      rejected
        ? { ...base, level: 'ERROR', event: 'error_comfyui', error_code: 'prompt_invalid', status: 400, msg: 'ComfyUI rejected the prompt' }
        : { ...base, level: 'INFO', event: 'comfyui_prompt_sent', prompt_id: `p-${i}`, msg: 'prompt sent' },
    );
  });
  await writeFile(path.join(dir, 'gpu_server.log'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ComfyUI-Manager's comfyui.log", () => {
  it('finds the 5 exceptions of the three starts, at their time in the machine zone', async () => {
    const { code, stdout } = await runBuiltCli(['errors', '--service', 'comfyui', '--dir', FIXTURE, '--json'], { TZ: 'America/New_York' });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { total: number; groups: ErrorGroup[]; input: Json };
    const exceptions = report.groups.filter((g) => g.event === 'exception');
    expect(exceptions.map((g) => [g.error_code, g.count])).toEqual([['Exception', 5]]);
    // The first stamp in the oldest file, 14:16:21.870 in New York, and the last in the live one.
    expect(exceptions[0]?.first_time).toBe('2026-12-04T19:16:21.870Z');
    expect(exceptions[0]?.last_time).toBe('2026-12-04T19:16:31.476Z');
    expect(report.input['files']).toBe(3);
  });

  it('reads the stamps in --comfyui-tz, or --tz, when given', async () => {
    const first = async (argv: string[], env: NodeJS.ProcessEnv) => {
      const { stdout } = await runBuiltCli(['errors', '--service', 'comfyui', '--dir', FIXTURE, '--json', ...argv], env);
      return (JSON.parse(stdout) as { groups: ErrorGroup[] }).groups.find((g) => g.event === 'exception')?.first_time;
    };
    expect(await first([], { TZ: 'UTC' })).toBe('2026-12-04T14:16:21.870Z');
    expect(await first(['--comfyui-tz', 'America/New_York'], { TZ: 'UTC' })).toBe('2026-12-04T19:16:21.870Z');
    expect(await first(['--tz=-05:00'], { TZ: 'Asia/Tokyo' })).toBe('2026-12-04T19:16:21.870Z');
    expect(await first(['--tz', 'Asia/Tokyo', '--comfyui-tz', 'UTC'], { TZ: 'America/New_York' })).toBe('2026-12-04T14:16:21.870Z');
  });

  it('groups the rejected prompts by reason', async () => {
    const { stdout } = await runCli(['errors', '--service', 'comfyui', '--dir', FIXTURE, '--json'], { env: { TZ: 'America/New_York' } });
    const groups = (JSON.parse(stdout) as { groups: ErrorGroup[] }).groups.filter((g) => g.event === 'invalid_prompt');
    expect(groups.map((g) => [g.error_code, g.message, g.count])).toEqual([
      ['prompt_outputs_failed_validation', 'Required input is missing', 2],
      ['prompt_outputs_failed_validation', 'Value <n> smaller than min of <n>', 1],
      ['prompt_outputs_failed_validation', 'Value not in list', 1],
    ]);
  });

  it('lists the request ids of the GPU server attempts each group is attributed to', async () => {
    const { stdout } = await runCli(['errors', '--service', 'comfyui', '--dir', dir, '--json'], { env: { TZ: 'America/New_York' } });
    const groups = (JSON.parse(stdout) as { groups: ErrorGroup[] }).groups;
    const idsOf = (kind: string) => kinds.flatMap((k, i) => (k === kind ? [requestId(i)] : []));
    const byMessage = (message: string) => groups.find((g) => g.message === message)?.request_ids;
    expect(groups.find((g) => g.event === 'exception')?.request_ids).toEqual(idsOf('error'));
    expect(byMessage('Required input is missing')).toEqual(idsOf('missing'));
    expect(byMessage('Value not in list')).toEqual(idsOf('list'));
    expect(byMessage('Value <n> smaller than min of <n>')).toEqual(idsOf('small'));
    const { stdout: text } = await runCli(['errors', '--service', 'comfyui', '--dir', dir], { env: { TZ: 'America/New_York' } });
    expect(text).toContain(`requests ${idsOf('missing').join(' ')}`);
  });

  it('prints tracebacks whole with --full, summarized without', async () => {
    const argv = ['errors', '--service', 'comfyui', '--dir', FIXTURE];
    const { stdout: short } = await runCli(argv, { env: { TZ: 'America/New_York' } });
    const { stdout: full } = await runCli([...argv, '--full'], { env: { TZ: 'America/New_York' } });
    const frame = 'File "/workspace/ComfyUI/execution.py", line 289, in _async_map_node_over_list';
    expect(short).toContain('│ …');
    expect(short).not.toContain(frame);
    expect(full).not.toContain('│ …');
    expect(full).toContain(frame);
    // Every line of the first traceback, uncut.
    const { stdout } = await runCli([...argv, '--json', '--full'], { env: { TZ: 'America/New_York' } });
    const traceback = (JSON.parse(stdout) as { groups: ErrorGroup[] }).groups.find((g) => g.event === 'exception')?.traceback ?? [];
    expect(traceback.length).toBeGreaterThan(20);
    for (const line of traceback) expect(full).toContain(line);
  });

  it('reads the rotations as one log, oldest first', async () => {
    const { stdout } = await runCli(['errors', '--service', 'comfyui', '--dir', FIXTURE, '--no-group', '--json'], {
      env: { TZ: 'America/New_York' },
    });
    const times = stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { time: string }).time);
    expect(times).toHaveLength(9);
    expect([...times].sort()).toEqual(times);
    expect(await readdir(FIXTURE)).toEqual(expect.arrayContaining(FILES));
  });

  it('says which zone names it takes when --tz or --comfyui-tz is not one', async () => {
    for (const option of ['--tz', '--comfyui-tz']) {
      const { code, stdout, stderr } = await runCli(['errors', '--dir', FIXTURE, option, 'Mars/Olympus_Mons']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `${option}: expected UTC, an offset such as +05:30, or an IANA zone name such as Europe/Berlin, got "Mars/Olympus_Mons"`,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
