// The built entry points as an operator runs them: configured by environment, a real
// generation through both processes, clean stop on SIGTERM.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRealStack, eventsOf } from './support/real-stack.js';
import {
  BIN,
  comfyuiSocketState,
  emulatorUrl,
  isRefused,
  readCheckedLog,
  spawnService,
  startedPort,
  waitUntil as until,
  type ServiceChild,
} from './support/service-process.js';
import { WATCHED_GENERATION_EVENTS } from './support/watched-generation-events.js';

const GPU_BIN = BIN.gpuServer;
const EMULATOR_BIN = BIN.emulator;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-bins-'));
const children: ServiceChild[] = [];

const inProcess = createRealStack();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await inProcess.close();
});

/** POSTs a generation request straight to a GPU server. */
function generate(port: number, body: Record<string, unknown>): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function start(bin: string, env: Record<string, string>, args: string[] = []): ServiceChild {
  const child = spawnService(bin, env, args);
  children.push(child);
  return child;
}

describe('bins', () => {
  it('are built (npm run build)', () => {
    expect(existsSync(GPU_BIN) && existsSync(EMULATOR_BIN)).toBe(true);
  });

  it('run a generation through both processes and stop cleanly on SIGTERM', async () => {
    const emulator = start(EMULATOR_BIN, { EMULATOR_STEP_MS: '0', EMULATOR_NODE_MS: '0', EMULATOR_LOAD_MS: '0' }, [
      '--listen',
      '127.0.0.1',
      '--port',
      '0',
    ]);
    const comfyuiUrl = await emulatorUrl(emulator);
    expect(emulator.stderr()).toMatch(/Starting server\n\nTo see the GUI go to: /);
    const logDir = path.join(dir, 'logs');
    const logFile = path.join(logDir, 'gpu_server.log');
    const gpu = start(GPU_BIN, { PORT: '0', LOG_DIR: logDir, COMFYUI_URL: comfyuiUrl, COMFYUI_POLL_INTERVAL_MS: '10' });
    const port = await startedPort(logFile);
    await comfyuiSocketState(port);
    const res = await generate(port, { prompt: 'a quiet harbour', workflow: 'txt2img', steps: 3 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { image: { content_type: string } }).image.content_type).toBe('image/png');
    gpu.kill('SIGTERM');
    emulator.kill('SIGTERM');
    expect((await gpu.exited).code).toBe(0);
    expect((await emulator.exited).code).toBe(0);
    const records = readCheckedLog(logFile);
    const requestId = records[1]?.['request_id'] as string;
    expect([records[0]?.['event'], ...eventsOf(records, requestId), records.at(-1)?.['event']]).toEqual([
      'service_start',
      ...WATCHED_GENERATION_EVENTS,
      'service_stop',
    ]);
    // The websocket's detail: the sampler's progress and every node of the graph timed.
    const progress = records.filter((r) => r['event'] === 'comfyui_progress');
    expect(progress.map((r) => [r['class_type'], r['value'], r['max']])).toEqual([
      ['KSampler', 1, 3],
      ['KSampler', 2, 3],
      ['KSampler', 3, 3],
    ]);
    expect(records.filter((r) => r['event'] === 'comfyui_node_executed')).toHaveLength(7);
    expect(emulator.stderr()).toMatch(
      /got prompt\n[\s\S]*\r100%\|██████████\| 3\/3 [\s\S]*Prompt executed in \d+\.\d\d seconds\n\nStopped server\n$/,
    );
  });

  it('on SIGTERM stop accepting, finish the generation in flight, then log service_stop and exit 0', async () => {
    const { emulator, url: comfyuiUrl } = await inProcess.startEmulator();
    emulator.hold();
    const logFile = path.join(dir, 'finish', 'gpu_server.log');
    const gpu = start(GPU_BIN, { PORT: '0', LOG_DIR: path.dirname(logFile), COMFYUI_URL: comfyuiUrl, COMFYUI_POLL_INTERVAL_MS: '10' });
    const port = await startedPort(logFile);
    await comfyuiSocketState(port);
    const answer = generate(port, { prompt: 'a slow harbour' });
    await until(() => (readFileSync(logFile, 'utf8').includes('comfyui_prompt_sent') ? true : undefined), 'the prompt to be queued');
    gpu.kill('SIGTERM');
    await until(async () => ((await isRefused(port)) ? true : undefined), 'the listener to close');
    emulator.release();
    const res = await answer;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { request_id: string };
    expect(await gpu.exited).toEqual({ code: 0, signal: null });
    const records = readCheckedLog(logFile);
    expect([...eventsOf(records, body.request_id), records.at(-1)?.['event']]).toEqual([...WATCHED_GENERATION_EVENTS, 'service_stop']);
    expect(records.at(-1)).toMatchObject({ signal: 'SIGTERM' });
  });

  it('on SIGTERM cut a stuck generation off at SHUTDOWN_TIMEOUT_MS, cancel its prompt, log, and exit 0', async () => {
    const emulator = start(EMULATOR_BIN, { PORT: '0', EMULATOR_NODE_MS: '0' });
    const comfyuiUrl = await emulatorUrl(emulator);
    const logFile = path.join(dir, 'drain', 'gpu_server.log');
    const gpu = start(GPU_BIN, { PORT: '0', LOG_DIR: path.dirname(logFile), COMFYUI_URL: comfyuiUrl, SHUTDOWN_TIMEOUT_MS: '200' });
    const port = await startedPort(logFile);
    const answer = generate(port, { prompt: 'stuck [[fault:hang]]' }).catch((err: unknown) => err);
    await until(() => (readFileSync(logFile, 'utf8').includes('comfyui_prompt_sent') ? true : undefined), 'the prompt to be queued');
    gpu.kill('SIGTERM');
    expect((await gpu.exited).code).toBe(0);
    await answer;
    const events = readCheckedLog(logFile);
    expect(events.find((e) => e['event'] === 'error_comfyui')).toMatchObject({
      error_code: 'client_closed_request',
      comfyui_cancel: 'interrupted',
    });
    expect(events.at(-1)?.['event']).toBe('service_stop');
    await until(() => (emulator.stderr().includes('Processing interrupted') ? true : undefined), 'the emulator to stop the prompt');
    emulator.kill('SIGTERM');
    expect((await emulator.exited).code).toBe(0);
  });

  it('refuse a bad configuration with every problem listed and exit code 2', async () => {
    const gpu = start(GPU_BIN, { PORT: 'eighty', COMFYUI_URL: 'nope', LOG_DIR: path.join(dir, 'bad') });
    expect((await gpu.exited).code).toBe(2);
    expect(gpu.stderr()).toContain('PORT: expected an integer');
    expect(gpu.stderr()).toContain('COMFYUI_URL: expected an http(s) URL');
    const emulator = start(EMULATOR_BIN, { EMULATOR_FAULTS: 'meteor' });
    expect((await emulator.exited).code).toBe(2);
    expect(emulator.stderr()).toContain('EMULATOR_FAULTS: unknown fault(s) meteor');
  });
});
