import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './run-cli.js';

const A = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const B = '0b6f4c1e-9999-4c47-8a53-5e9f1f3b7a11';
const G = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const HOSTILE = 'boom \u001b[31mred\u001b[0m \u202eevil\u202c \u0007bell\u2028next';

const line = (o: Record<string, unknown>) => JSON.stringify({ level: 'INFO', time: '2026-11-28T05:03:21.123Z', msg: 'm', ...o });

let root = '';
let dir = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-cli-'));
  dir = path.join(root, 'logs');
  await mkdir(dir);
  await mkdir(path.join(root, 'empty'));
  await writeFile(
    path.join(dir, 'backend.log'),
    [
      line({ service: 'backend', event: 'generate_request', request_id: A }),
      line({
        service: 'backend',
        event: 'gpu_error',
        level: 'ERROR',
        request_id: A,
        error_code: 'ECONNREFUSED',
        error: HOSTILE,
        time: '2026-11-28T05:03:21.200Z',
      }),
      line({ service: 'backend', event: 'response_sent', request_id: A, status: 502, duration_ms: 90, time: '2026-11-28T05:03:21.213Z' }),
      line({ service: 'backend', event: 'generate_request', request_id: B, time: '2026-11-28T06:00:00.000Z' }),
    ].join('\n') + '\n',
  );
  await writeFile(
    path.join(dir, 'gpu_server.log'),
    line({ service: 'gpu_server', event: 'generation_start', request_id: B, generation_id: G, time: '2026-11-28T06:00:00.010Z' }) + '\n',
  );
  await writeFile(path.join(dir, 'startup.log'), '2026-11-28T05:00:00.000Z starting the stack\n');
  await writeFile(path.join(dir, 'deploy.log'), '2026-11-28T05:00:00.000Z deploying\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('help', () => {
  it('lists the commands and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const text of ['trace <id>', 'perf', 'errors', 'Exit codes', 'LOGTRACE_DIR', '--since', '--no-color'])
      expect(stdout).toContain(text);
  });

  it.each([
    ['trace', 'logtrace trace 9d2b7f8e'],
    ['perf', 'logtrace perf --since 2h --slow 90s --top 5'],
    ['errors', 'logtrace errors --service comfyui'],
  ])('%s --help has examples', async (command, example) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain(example);
  });

  it('perf --help defines the percentiles', async () => {
    expect((await runCli(['perf', '--help'])).stdout).toMatch(/exact, nearest rank/);
  });
});

describe('usage errors exit 2 with a message', () => {
  it.each([
    [[], /Choose a command/],
    [['bogus'], /Unknown argument: bogus/],
    [['perf', '--wat'], /Unknown argument: wat/],
    [['trace', 'short'], /at least 8 characters/],
    [['perf', '--slow', 'fast'], /--slow: expected a duration/],
    [['perf', '--top', '-3'], /--top: expected a whole number/],
    [['errors', '--level', 'loud'], /--level: expected debug, info, warn, error or fatal/],
    [['perf', '--since', 'whenever'], /--since: expected an ISO time/],
    [['perf', '--since', '1h', '--until', '2h'], /--since must be earlier/],
  ])('%j', async (argv, message) => {
    const { code, stderr, stdout } = await runCli([...argv, '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('a missing directory is an I/O error', async () => {
    const { code, stderr } = await runCli(['perf', '--dir', path.join(root, 'nope')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read log directory .*nope: no such file or directory/);
  });

  it('a directory without logs says so', async () => {
    const { code, stderr } = await runCli(['errors', '--dir', path.join(root, 'empty')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no log files/);
  });
});

describe('where logs are read from', () => {
  it('uses $LOGTRACE_DIR, else ./logs', async () => {
    expect((await runCli(['errors', '--json'], { env: { LOGTRACE_DIR: dir } })).code).toBe(0);
    expect((await runCli(['errors', '--json'], { cwd: root })).code).toBe(0);
    expect((await runCli(['errors'], { cwd: path.join(root, 'empty') })).code).toBe(2);
  });

  it("ignores a plain-text *.log and says so (the start script's startup.log quietly)", async () => {
    const { stderr } = await runCli(['errors', '--dir', dir]);
    expect(stderr).toMatch(/ignored .*deploy\.log \(not JSON lines: 1 of the first 1 lines are not objects\)/);
    expect(stderr).not.toMatch(/startup\.log/);
  });
});

describe('output safety and colour', () => {
  it('escapes control characters, escape sequences and bidi overrides from the log', async () => {
    for (const argv of [['errors'], ['errors', '--no-group'], ['trace', A]]) {
      const { stdout } = await runCli([...argv, '--dir', dir]);
      expect(stdout).toContain('\\x1b[');
      expect(stdout).toContain('\\u202eevil');
      expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    }
  });

  it('keeps JSON output exact but never raw bidi or separator characters', async () => {
    const { json } = await runJson<{ groups: { sample: string }[] }>(['errors', '--dir', dir]);
    expect(json.groups[0]?.sample).toBe(HOSTILE);
    const raw = await runCli(['errors', '--dir', dir, '--json']);
    expect(raw.stdout).not.toMatch(/[\u001b\u202e\u2028\u0007]/);
    const ndjson = await runCli(['errors', '--dir', dir, '--json', '--no-group']);
    expect(ndjson.stdout).not.toMatch(/[\u001b\u202e\u2028\u0007]/);
    expect(JSON.parse(ndjson.stdout.trim()).error).toBe(HOSTILE);
  });

  it('colours only a terminal, and never with NO_COLOR, --no-color or --json', async () => {
    const ESC = '\u001b[';
    expect((await runCli(['errors', '--dir', dir], { tty: true })).stdout).toContain(ESC);
    expect((await runCli(['errors', '--dir', dir], { tty: false })).stdout).not.toContain(ESC);
    expect((await runCli(['errors', '--dir', dir], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await runCli(['errors', '--dir', dir, '--no-color'], { tty: true })).stdout).not.toContain(ESC);
    expect((await runCli(['errors', '--dir', dir, '--json'], { tty: true })).stdout).not.toContain(ESC);
  });
});

describe('trace ids', () => {
  it('lists the candidates of an ambiguous prefix and exits 2', async () => {
    const { code, stderr } = await runCli(['trace', '0b6f4c1e', '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('ambiguous');
    expect(stderr).toContain(A);
    expect(stderr).toContain(B);
  });

  it('accepts a longer prefix that is unique, in any case', async () => {
    const { code, json } = await runJson<{ request_id: string; generation_ids: string[] }>([
      'trace',
      B.slice(0, 12).toUpperCase(),
      '--dir',
      dir,
    ]);
    expect(code).toBe(0);
    expect(json.request_id).toBe(B);
    expect(json.generation_ids).toEqual([G]);
  });
});

describe('--json shapes', () => {
  it('perf', async () => {
    const { code, json } = await runJson<Record<string, Record<string, unknown>>>(['perf', '--dir', dir]);
    expect(code).toBe(0);
    expect(Object.keys(json)).toEqual(['generation', 'stages', 'slow', 'buckets', 'nodes', 'cache', 'steps_per_s', 'input']);
    expect(Object.keys(json['generation'] ?? {})).toEqual(['count', 'avg_ms', 'min_ms', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'max_ms']);
    expect(Object.keys(json['stages'] ?? {})).toEqual([
      'backend_end_to_end',
      'gpu_round_trip',
      'image_transfer',
      'queue_wait',
      'execution',
    ]);
    // No ComfyUI websocket events in these logs: empty, never missing.
    expect(json['stages']?.['queue_wait']).toMatchObject({ count: 0, avg_ms: null });
    expect(json['nodes']).toEqual({});
    expect(json['cache']).toEqual({ executed: 0, cached: 0, hit_ratio: null, unattributed: 0 });
    expect(json['steps_per_s']).toEqual({});
    expect(Object.keys(json['slow'] ?? {})).toEqual(['threshold_ms', 'count', 'items']);
    expect(json['input']).toMatchObject({ files: 2, lines: 5, skipped: 0 });
  });

  it('errors', async () => {
    const { json } = await runJson<{ total: number; groups: Record<string, unknown>[] }>(['errors', '--dir', dir]);
    expect(json.total).toBe(1);
    expect(Object.keys(json.groups[0] ?? {}).slice(0, 8)).toEqual([
      'service',
      'event',
      'error_code',
      'message',
      'count',
      'first_time',
      'last_time',
      'request_ids',
    ]);
    expect(json.groups[0]).toMatchObject({
      service: 'backend',
      event: 'gpu_error',
      error_code: 'ECONNREFUSED',
      count: 1,
      request_ids: [A],
      first_time: '2026-11-28T05:03:21.200Z',
    });
  });

  it('trace', async () => {
    const { json } = await runJson<Record<string, unknown>>(['trace', A, '--dir', dir]);
    expect(Object.keys(json).slice(0, 8)).toEqual([
      'id',
      'request_id',
      'generation_ids',
      'prompt_ids',
      'outcome',
      'duration_ms',
      'started_at',
      'events',
    ]);
    expect(json).toMatchObject({ nodes: [], stalls: [], breakdown: { queue_wait_ms: null, execution_ms: null } });
    expect(json).toMatchObject({ id: A, request_id: A, outcome: 'error', duration_ms: 90, comfyui: [] });
    expect((json['events'] as Record<string, unknown>[])[1]).toMatchObject({
      time: '2026-11-28T05:03:21.200Z',
      service: 'backend',
      event: 'gpu_error',
      level: 'ERROR',
      error_code: 'ECONNREFUSED',
    });
  });

  it('errors --no-group --json streams one record per line', async () => {
    const { stdout, code } = await runCli(['errors', '--dir', dir, '--json', '--no-group', '--level', 'info']);
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string });
    expect(records).toHaveLength(5);
    expect(records.map((r) => r.time)).toEqual([...records.map((r) => r.time)].sort());
  });
});
