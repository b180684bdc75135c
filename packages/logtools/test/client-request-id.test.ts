// The backend owns request_id; a caller's X-Request-ID is kept as client_request_id.
// `trace` finds a request by it, says when a reused one names several requests, and
// warns when one request_id has several generate_request lines (older logs, where a
// caller's id was taken as the request_id).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, type Json } from './run-cli.js';

const CLIENT = '7f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const REUSED = '11111111-2222-4333-8444-555555555555';
const R1 = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const R2 = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const R3 = 'a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4';
const G1 = 'c3c3c3c3-d4d4-4e5e-8f6f-a7a7a7a7a7a7';

function line(second: number, event: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 'INFO', time: `2026-11-28T05:00:0${second}.000Z`, service: 'backend', event, msg: event, ...fields });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-client-id-'));
  // The GPU server's lines carry the backend's request_id only: found by following it.
  await writeFile(
    path.join(dir, 'gpu_server.log'),
    `${JSON.stringify({ level: 'INFO', time: '2026-11-28T05:00:01.500Z', service: 'gpu_server', event: 'generation_start', request_id: R1, generation_id: G1, workflow: 'txt2img', msg: 'generation started' })}\n`,
  );
  await writeFile(
    path.join(dir, 'backend.log'),
    [
      line(1, 'generate_request', { request_id: R1, client_request_id: CLIENT }),
      line(2, 'response_sent', { request_id: R1, client_request_id: CLIENT, status: 200, duration_ms: 1000 }),
      line(3, 'generate_request', { request_id: R2, client_request_id: REUSED }),
      line(4, 'generate_request', { request_id: R3, client_request_id: REUSED }),
      line(5, 'response_sent', { request_id: R2, status: 200, duration_ms: 2000 }),
      line(6, 'response_sent', { request_id: R3, status: 502, duration_ms: 2000 }),
      // Before the backend made its own ids: a caller re-sent one request's id.
      line(7, 'generate_request', { request_id: R1 }),
    ].join('\n') + '\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trace by a client_request_id', () => {
  it("traces the request the caller's id belongs to", async () => {
    const { code, json } = await runJson<Json>(['trace', CLIENT, '--dir', dir]);
    expect(code).toBe(0);
    expect(json['request_id']).toBe(R1);
    expect(json['generation_ids']).toEqual([G1]);
    expect((json['events'] as Json[]).map((e) => e['event'])).toContain('generation_start');
  });

  it('lists the requests of a reused client id, as for an ambiguous prefix (exit 2)', async () => {
    const { code, stderr } = await runCli(['trace', REUSED, '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('ambiguous');
    expect(stderr).toContain(R2);
    expect(stderr).toContain(R3);
  });

  it('warns when one request_id has several generate_request lines', async () => {
    const { code, stderr } = await runCli(['trace', R1, '--dir', dir, '--json']);
    expect(code).toBe(0);
    expect(stderr).toContain("warning: 2 generate_request lines carry this request's id");
    const single = await runCli(['trace', R2, '--dir', dir, '--json']);
    expect(single.stderr).toBe('');
  });
});
