// Times with microseconds or nanoseconds keep their precision for ordering, and are
// shown to the microsecond: lines of the same millisecond are not put out of order.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, type Json } from './run-cli.js';

const R = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-subms-'));
  // Written by two services: the later line of the same millisecond is in the file read first.
  await writeFile(
    path.join(dir, 'backend.log'),
    `{"timestamp": "2026-11-28T05:03:21.939902", "level": "INFO", "service": "backend", "event": "gpu_response", "request_id": "${R}", "status": 200, "duration_ms": 3000, "message": "GPU server answered"}\n`,
  );
  await writeFile(
    path.join(dir, 'gpu_server.log'),
    `{"time": 1795842201939.5, "level": "INFO", "service": "gpu_server", "event": "generation_start", "request_id": "${R}", "msg": "as a number"}\n` +
      `{"timestamp": "2026-11-28T05:03:21.939792", "level": "INFO", "service": "gpu_server", "event": "image_retrieved", "request_id": "${R}", "duration_ms": 40, "message": "image fetched"}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sub-millisecond times', () => {
  it('order a trace by every digit, file order only breaking ties', async () => {
    const { json } = await runJson<Json>(['trace', R, '--dir', dir]);
    expect((json['events'] as Json[]).map((e) => [e['event'], e['time']])).toEqual([
      ['generation_start', '2026-11-28T05:03:21.939500Z'],
      ['image_retrieved', '2026-11-28T05:03:21.939792Z'],
      ['gpu_response', '2026-11-28T05:03:21.939902Z'],
    ]);
    expect(json['duration_ms']).toBe(0);
  });

  it('are merged in order by errors --no-group', async () => {
    const { stdout } = await runCli(['errors', '--no-group', '--level', 'debug', '--dir', dir, '--json']);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Json)['event']),
    ).toEqual(['generation_start', 'image_retrieved', 'gpu_response']);
  });
});
