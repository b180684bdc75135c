// The built entry points as an operator runs them: configured by environment, a real
// generation through both processes, clean stop on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRecord } from '@logtrace/shared';
import { eventsOf } from './support/real-stack.js';

const DIST = fileURLToPath(new URL('../dist/bin/', import.meta.url));
const GPU_BIN = path.join(DIST, 'gpu-server.js');
const EMULATOR_BIN = path.join(DIST, 'comfyui-emulator.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-bins-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

function start(bin: string, env: Record<string, string>, args: string[] = []): Started {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function until<T>(probe: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('bins', () => {
  it('are built (npm run build)', () => {
    expect(existsSync(GPU_BIN) && existsSync(EMULATOR_BIN)).toBe(true);
  });

  it('run a generation through both processes and stop cleanly on SIGTERM', async () => {
    const emulator = start(EMULATOR_BIN, { EMULATOR_STEP_MS: '0', EMULATOR_NODE_MS: '0', EMULATOR_LOAD_MS: '0' }, ['--listen', '127.0.0.1', '--port', '0']);
    const comfyUrl = await until(() => /To see the GUI go to: (http:\/\/\S+)/.exec(emulator.stderr())?.[1], 'the emulator banner');
    expect(emulator.stderr()).toMatch(/Starting server\n\nTo see the GUI go to: /);
    const logDir = path.join(dir, 'logs');
    const logFile = path.join(logDir, 'gpu_server.log');
    const gpu = start(GPU_BIN, { PORT: '0', LOG_DIR: logDir, COMFYUI_URL: comfyUrl, COMFYUI_POLL_INTERVAL_MS: '10' });
    const port = await until(() => {
      const line = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"service_start"')) : undefined;
      return line === undefined ? undefined : ((JSON.parse(line) as { port: number }).port);
    }, 'service_start');
    const res = await fetch(`http://127.0.0.1:${port}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a quiet harbour', workflow: 'txt2img', steps: 3 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { image: { content_type: string } }).image.content_type).toBe('image/png');
    gpu.child.kill('SIGTERM');
    emulator.child.kill('SIGTERM');
    expect(await gpu.exited).toBe(0);
    expect(await emulator.exited).toBe(0);
    const records = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const record of records) expect(checkRecord(record)).toEqual([]);
    const requestId = records[1]?.['request_id'] as string;
    expect([records[0]?.['event'], ...eventsOf(records, requestId), records.at(-1)?.['event']]).toEqual(
      ['service_start', 'generation_start', 'workflow_loaded', 'comfyui_prompt_sent', 'comfyui_complete', 'image_retrieved', 'service_stop'],
    );
    expect(emulator.stderr()).toMatch(/got prompt\n[\s\S]*\r100%\|██████████\| 3\/3 [\s\S]*Prompt executed in \d+\.\d\d seconds\n\nStopped server\n$/);
  });

  it('on SIGTERM cut a stuck generation off at SHUTDOWN_TIMEOUT_MS, cancel its prompt, log, and exit 0', async () => {
    const emulator = start(EMULATOR_BIN, { PORT: '0', EMULATOR_NODE_MS: '0' });
    const comfyUrl = await until(() => /To see the GUI go to: (http:\/\/\S+)/.exec(emulator.stderr())?.[1], 'the emulator banner');
    const logFile = path.join(dir, 'drain', 'gpu_server.log');
    const gpu = start(GPU_BIN, { PORT: '0', LOG_DIR: path.dirname(logFile), COMFYUI_URL: comfyUrl, SHUTDOWN_TIMEOUT_MS: '200' });
    const port = await until(() => {
      const line = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"service_start"')) : undefined;
      return line === undefined ? undefined : ((JSON.parse(line) as { port: number }).port);
    }, 'service_start');
    const answer = fetch(`http://127.0.0.1:${port}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'stuck [[fault:hang]]' }),
    }).catch((err: unknown) => err);
    await until(() => (readFileSync(logFile, 'utf8').includes('comfyui_prompt_sent') ? true : undefined), 'the prompt to be queued');
    gpu.child.kill('SIGTERM');
    expect(await gpu.exited).toBe(0);
    await answer;
    const events = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e['event'] === 'error_comfyui')).toMatchObject({ error_code: 'client_closed_request', comfyui_cancel: 'interrupted' });
    expect(events.at(-1)?.['event']).toBe('service_stop');
    await until(() => (emulator.stderr().includes('Processing interrupted') ? true : undefined), 'the emulator to stop the prompt');
    emulator.child.kill('SIGTERM');
    expect(await emulator.exited).toBe(0);
  });

  it('refuse a bad configuration with every problem listed and exit code 2', async () => {
    const gpu = start(GPU_BIN, { PORT: 'eighty', COMFYUI_URL: 'nope', LOG_DIR: path.join(dir, 'bad') });
    expect(await gpu.exited).toBe(2);
    expect(gpu.stderr()).toContain('PORT: expected an integer');
    expect(gpu.stderr()).toContain('COMFYUI_URL: expected an http(s) URL');
    const emulator = start(EMULATOR_BIN, { EMULATOR_FAULTS: 'meteor' });
    expect(await emulator.exited).toBe(2);
    expect(emulator.stderr()).toContain('EMULATOR_FAULTS: unknown fault(s) meteor');
  });
});
