// End-to-end runs of the built backend binary: start, serve, drain on SIGTERM, exit codes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postGenerate, waitFor } from './support/backend-harness.js';
import { afterGate, answerImage, GENERATION_ID, hang, startGpuStandIn, type GpuStandIn } from './support/gpu-stand-in.js';
import {
  BIN,
  isRefused as refused,
  readCheckedLog,
  spawnService,
  startedPort as portOf,
  type ServiceChild,
} from './support/service-process.js';

const runBackend = (env: Record<string, string>): ServiceChild => spawnService(BIN.backend, env);
const readLog = (logDir: string): Array<Record<string, unknown>> => readCheckedLog(path.join(logDir, 'backend.log'));

let logDir: string;
let gpu: GpuStandIn;
let child: ServiceChild | undefined;
beforeEach(async () => {
  expect(existsSync(BIN.backend), 'run `npm run build` first').toBe(true);
  logDir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-backend-main-'));
  gpu = await startGpuStandIn();
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await gpu.close();
  rmSync(logDir, { recursive: true, force: true });
});

const startedPort = (): Promise<number> => portOf(path.join(logDir, 'backend.log'));

describe('backend binary', () => {
  it('serves, finishes an in-flight request on SIGTERM, logs service_stop and exits 0', async () => {
    let release: () => void = () => undefined;
    gpu.respond(afterGate(new Promise<void>((resolve) => (release = resolve)), answerImage()));
    child = runBackend({ PORT: '0', LOG_DIR: logDir, GPU_SERVER_URL: gpu.url });
    const port = await startedPort();
    const url = `http://127.0.0.1:${port}`;
    expect(readLog(logDir)[0]).toMatchObject({ event: 'service_start', host: '127.0.0.1', gpu_server_url: gpu.url, gpu_auth: 'none' });
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const arrived = gpu.nextCall();
    const pending = postGenerate({ url }, { prompt: 'a quiet harbour' });
    await arrived;
    child.kill('SIGTERM');
    await waitFor(async () => ((await refused(port)) ? true : undefined));
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { generation_id: string }).generation_id).toBe(GENERATION_ID);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stderr()).toBe('');
    const records = readLog(logDir);
    expect(records.map((r) => r['event'])).toEqual([
      'service_start',
      'generate_request',
      'gpu_request',
      'gpu_response',
      'response_sent',
      'service_stop',
    ]);
    expect(records[4]).toMatchObject({ status: 200, request_id: res.headers.get('x-request-id') });
    expect(records[5]).toMatchObject({ signal: 'SIGTERM' });
  });

  it('answers 503 to a request still waiting at the shutdown deadline, then exits 0', async () => {
    gpu.respond(hang());
    child = runBackend({ PORT: '0', LOG_DIR: logDir, GPU_SERVER_URL: gpu.url, SHUTDOWN_TIMEOUT_MS: '200' });
    const url = `http://127.0.0.1:${await startedPort()}`;
    const arrived = gpu.nextCall();
    const pending = postGenerate({ url }, { prompt: 'a quiet harbour' });
    await arrived;
    child.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error_code: 'service_stopping' });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(
      readLog(logDir)
        .map((r) => [r['event'], r['status']])
        .slice(-2),
    ).toEqual([
      ['response_sent', 503],
      ['service_stop', undefined],
    ]);
  });

  it('exits 2 listing every configuration problem, without a stack trace or a log file', async () => {
    child = runBackend({
      PORT: 'abc',
      LOG_DIR: logDir,
      LOG_LEVEL: 'loud',
      GPU_TIMEOUT_MS: '0',
      GPU_SERVER_URL: 'ftp://gpu',
      GPU_SERVER_TOKEN: 'bad token',
    });
    expect(await child.exited).toEqual({ code: 2, signal: null });
    const stderr = child.stderr();
    expect(
      stderr
        .split('\n')
        .filter((l) => l.startsWith('  - '))
        .map((l) => l.split(':')[0]),
    ).toEqual(['  - PORT', '  - LOG_LEVEL', '  - GPU_SERVER_URL', '  - GPU_TIMEOUT_MS', '  - GPU_SERVER_TOKEN']);
    expect(stderr).toMatch(/^backend: invalid configuration:/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('bad token');
    expect(existsSync(path.join(logDir, 'backend.log'))).toBe(false);
  });

  it('exits 1 with one line when the log directory cannot be created', async () => {
    child = runBackend({ PORT: '0', LOG_DIR: '/dev/null/logs' });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toMatch(/^backend: cannot start: .*\n$/);
  });
});
