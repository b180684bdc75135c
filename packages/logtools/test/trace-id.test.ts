// `logtrace trace <trace_id>`: the W3C trace id on every line of a request finds it, by
// prefix too; a caller's trace that holds several requests lists their request ids.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, type Json } from './run-cli.js';

const R1 = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const R2 = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const R3 = 'a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4';
const G1 = 'c3c3c3c3-d4d4-4e5e-8f6f-a7a7a7a7a7a7';
const T1 = '4bf92f3577b34da6a3ce929d0e0e4736';
const SHARED = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function line(second: number, service: string, event: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 'INFO', time: `2026-11-28T05:00:0${second}.000Z`, service, event, msg: event, ...fields });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-trace-id-'));
  await writeFile(
    path.join(dir, 'backend.log'),
    [
      line(1, 'backend', 'generate_request', { request_id: R1, trace_id: T1, span_id: '1111111111111111' }),
      line(4, 'backend', 'response_sent', { request_id: R1, trace_id: T1, span_id: '1111111111111111', status: 200, duration_ms: 3000 }),
      // One caller's trace, two requests.
      line(5, 'backend', 'generate_request', { request_id: R2, trace_id: SHARED, span_id: '3333333333333333' }),
      line(6, 'backend', 'generate_request', { request_id: R3, trace_id: SHARED, span_id: '4444444444444444' }),
    ].join('\n') + '\n',
  );
  await writeFile(
    path.join(dir, 'gpu_server.log'),
    `${line(2, 'gpu_server', 'generation_start', { request_id: R1, generation_id: G1, trace_id: T1, span_id: '2222222222222222', workflow: 'txt2img' })}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trace by a trace_id', () => {
  it('traces the request, its GPU server lines included, from the whole id or a prefix', async () => {
    for (const id of [T1, T1.slice(0, 10)]) {
      const { code, json } = await runJson<Json>(['trace', id, '--dir', dir]);
      expect(code).toBe(0);
      expect(json['request_id']).toBe(R1);
      expect(json['generation_ids']).toEqual([G1]);
      expect((json['events'] as Json[]).map((e) => e['event'])).toEqual(['generate_request', 'generation_start', 'response_sent']);
    }
  });

  it('lists the requests of a trace that holds several, as for an ambiguous prefix (exit 2)', async () => {
    const { code, stderr } = await runCli(['trace', SHARED, '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('ambiguous');
    expect(stderr).toContain(`${R2}  (request_id, backend`);
    expect(stderr).toContain(`${R3}  (request_id, backend`);
  });
});
