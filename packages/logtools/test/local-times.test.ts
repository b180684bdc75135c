// Times written without a zone (python-json-logger's asctime, or a renamed `timestamp`)
// are read in the machine's zone, or --tz's: the offset of each instant, across
// New York's daylight-saving changes. The lines are written by the real library
// (test/producers/python_local_times.py, in TZ=America/New_York).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './run-built-cli.js';

const PYTHON = '/usr/bin/python3';
const PRODUCER = fileURLToPath(new URL('./producers/python_local_times.py', import.meta.url));

let dir = '';
let instants: { gpu_server: number[]; backend: number[] };
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-local-times-'));
  const ran = spawnSync(PYTHON, [PRODUCER, dir], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', TZ: 'America/New_York' } });
  if (ran.status !== 0) throw new Error(`producer failed (npm run test:deps installs python-json-logger): ${ran.stderr}`);
  instants = JSON.parse(ran.stdout) as typeof instants;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The time of each error line, by service, as `errors --no-group --json` gives them. */
async function timesOf(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Record<string, number[]>> {
  const { code, stdout, stderr } = await runBuiltCli(['errors', '--no-group', '--json', '--dir', dir, ...argv], env);
  expect(code, stderr).toBe(0);
  const times: Record<string, number[]> = {};
  for (const line of stdout.trim().split('\n')) {
    const item = JSON.parse(line) as { service: string; time: string };
    (times[item.service] ??= []).push(Date.parse(item.time));
  }
  return times;
}

describe('times without a zone', () => {
  it("are read in the machine's zone, each at its own offset (DST included)", async () => {
    expect(await timesOf([], { TZ: 'America/New_York' })).toEqual(instants);
  });

  it('are read in --tz when given, whatever the machine', async () => {
    expect(await timesOf(['--tz', 'America/New_York'], { TZ: 'Asia/Tokyo' })).toEqual(instants);
    const utc = await timesOf(['--tz', 'UTC'], { TZ: 'America/New_York' });
    // Read as UTC, each is off by its New York offset: 5 hours in winter, 4 in summer.
    const offsets = instants.gpu_server.map((t, i) => (t - (utc['gpu_server']?.[i] ?? 0)) / 3_600_000);
    expect(offsets).toEqual([5, 4, 4, 5, 4]);
  });

  it('give the same answer on the fast path, with --strict and on several threads', async () => {
    const env = { TZ: 'America/New_York' };
    expect(await timesOf(['--strict'], env)).toEqual(instants);
    expect(await timesOf([], { ...env, LOGTRACE_THREADS: '3' })).toEqual(instants);
    expect(await timesOf(['--tz', 'Europe/Berlin'], { TZ: 'UTC', LOGTRACE_THREADS: '3' })).toEqual(
      await timesOf(['--tz', 'Europe/Berlin'], { TZ: 'UTC' }),
    );
  });

  it("are read in --tz in errors' groups too", async () => {
    const { stdout } = await runBuiltCli(['errors', '--json', '--dir', dir, '--service', 'backend', '--tz', 'Asia/Tokyo'], { TZ: 'UTC' });
    const report = JSON.parse(stdout) as { groups: { first_time: string }[] };
    // Tokyo is UTC+9 all year: the earliest wall time, 01:30 on 8 March, is 16:30 the day before in UTC.
    expect(report.groups.map((g) => g.first_time).sort()[0]).toBe('2026-03-07T16:30:00.000Z');
  });
});
