// The whole stack started by scripts/startup.sh with LOG_DIR on a 64 KiB tmpfs that is
// already full: every log line, the services' stderr (`<service>.out`) and startup.log
// fail with ENOSPC. The services must start and keep answering, say what they lost on
// /health, never glue a line to the torn half-line a crashed writer left behind, and
// startup.sh must say the disk is full and keep to STARTUP_TIMEOUT.
// Needs root (mount -t tmpfs), as CI has.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/service-process.js';

type Json = Record<string, any>;

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'logtrace-full-disk-'));
const logDir = path.join(work, 'logs');
const filler = path.join(logDir, 'filler');
const TORN = '{"level":"INFO","time":"2026-11-28T05:03:21.123Z","service":"backend","event":"respo';
let env: NodeJS.ProcessEnv = {};
let backendUrl = '';
let gpuUrl = '';

interface ScriptRun {
  readonly code: number;
  readonly stderr: string;
  readonly ms: number;
}

async function script(name: string, extra: NodeJS.ProcessEnv = {}): Promise<ScriptRun> {
  const started = Date.now();
  try {
    const { stderr } = await run(path.join(ROOT, 'scripts', name), [], { cwd: work, env: { ...env, ...extra }, timeout: 120_000 });
    return { code: 0, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

/** Fills the file system of LOG_DIR to the last byte. */
function fillDisk(): void {
  const fd = openSync(filler, 'a');
  const chunk = Buffer.alloc(1024, 0x2e);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full. Single bytes take the last partial block.
    try {
      for (;;) writeSync(fd, chunk.subarray(0, 1));
    } catch {
      // full to the byte
    }
  } finally {
    closeSync(fd);
  }
}

async function generate(prompt: string): Promise<number> {
  try {
    const res = await fetch(`${backendUrl}/api/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, steps: 2 }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return -1;
  }
}

const isJson = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

const health = async (url: string): Promise<Json> => (await (await fetch(`${url}/health`)).json()) as Json;

beforeAll(async () => {
  mkdirSync(logDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', logDir]);
  const [backend, gpu, comfyui] = [await freePort(), await freePort(), await freePort()];
  backendUrl = `http://127.0.0.1:${backend}`;
  gpuUrl = `http://127.0.0.1:${gpu}`;
  env = {
    ...process.env,
    LOG_DIR: logDir,
    RUN_DIR: path.join(work, 'run'),
    BACKEND_PORT: String(backend),
    GPU_PORT: String(gpu),
    COMFYUI_PORT: String(comfyui),
    STARTUP_TIMEOUT: '30',
    COMFYUI_POLL_INTERVAL_MS: '20',
    EMULATOR_STEP_MS: '0',
    EMULATOR_NODE_MS: '0',
    EMULATOR_LOAD_MS: '0',
    EMULATOR_JITTER: '0',
  };
});

afterAll(async () => {
  await script('stop_services.sh');
  try {
    execFileSync('umount', [logDir]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

describe('the stack on a full log disk (64 KiB tmpfs)', () => {
  it('starts, says the disk is full, answers every request, and loses no line once space is back', async () => {
    // A writer that died mid-line left a torn half-line, then the disk filled up.
    writeFileSync(path.join(logDir, 'backend.log'), TORN);
    fillDisk();

    const started = await script('startup.sh');
    expect(started.stderr).toMatch(/LOG_DIR=\S+ is full/);
    expect(started.code).toBe(0);

    const statuses = new Map<number, number>();
    const queue = Array.from({ length: 60 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const status = await generate(`a lighthouse in a storm, number ${i}`);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: 60 });

    const backend = await health(backendUrl);
    const gpu = await health(gpuUrl);
    expect(backend).toMatchObject({ status: 'degraded', log_last_error: expect.stringContaining('ENOSPC') });
    expect(gpu).toMatchObject({ status: 'degraded', log_last_error: expect.stringContaining('ENOSPC') });
    // Every line is either whole in the file (tmpfs still had room in the file's last
    // page) or counted as lost: service_start, then per request generate_request,
    // gpu_request, gpu_response, response_sent.
    // A line cut short when the page filled up is lost too, and stays alone on its line.
    const whole = readFileSync(path.join(logDir, 'backend.log'), 'utf8').split('\n').filter(isJson);
    expect(backend['log_lines_lost']).toBeGreaterThan(200);
    expect(whole.length + backend['log_lines_lost']).toBe(1 + 60 * 4);
    expect(backend['log_write_errors']).toBe(backend['log_lines_lost']);
    expect(gpu['log_lines_lost']).toBeGreaterThan(200);

    // Space comes back: the next lines are whole, none glued to the torn one.
    unlinkSync(filler);
    for (let i = 0; i < 3; i += 1) expect(await generate(`after the storm ${i}`)).toBe(200);
    const lines = readFileSync(path.join(logDir, 'backend.log'), 'utf8').split('\n');
    expect(lines[0]).toBe(TORN);
    expect(lines.at(-1)).toBe('');
    // At most one line was cut short (when the disk filled); the rest are whole records.
    expect(lines.slice(1, -1).filter((line) => !isJson(line)).length).toBeLessThanOrEqual(1);
    const records = lines
      .slice(1, -1)
      .filter(isJson)
      .map((line) => JSON.parse(line) as Json);
    expect(records.filter((r) => r['event'] === 'response_sent' && r['status'] === 200).length).toBeGreaterThanOrEqual(3);
    expect(records.slice(-4).map((r) => r['event'])).toEqual(['generate_request', 'gpu_request', 'gpu_response', 'response_sent']);
    const gpuLines = readFileSync(path.join(logDir, 'gpu_server.log'), 'utf8').split('\n').slice(0, -1);
    expect(gpuLines.filter((line) => !isJson(line)).length).toBeLessThanOrEqual(1);
    expect(JSON.parse(gpuLines.at(-1) ?? '')).toMatchObject({ event: 'image_retrieved' });

    const stopped = await script('stop_services.sh');
    expect(stopped.code).toBe(0);
  });

  it('a service that cannot start on the full disk: startup.sh says the disk is full, within STARTUP_TIMEOUT', async () => {
    await script('stop_services.sh');
    fillDisk();
    // A bad setting makes the GPU server exit at once; its message cannot reach gpu_server.out.
    const failed = await script('startup.sh', { STARTUP_TIMEOUT: '5', COMFYUI_TIMEOUT_MS: 'soon' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/gpu_server\.out is empty: LOG_DIR=\S+ is full/);
    expect(failed.ms).toBeLessThan(5000 + 4000);
    unlinkSync(filler);
  });

  it('STARTUP_TIMEOUT is wall-clock time: a ComfyUI that never answers is given up on in time', async () => {
    await script('stop_services.sh');
    const nobody = await freePort();
    // Each probe spawns node and may wait 2 s; counting probes instead of time took twice as long.
    const failed = await script('startup.sh', { STARTUP_TIMEOUT: '4', COMFYUI_URL: `http://127.0.0.1:${nobody}` });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('does not answer GET /system_stats');
    expect(failed.ms).toBeGreaterThanOrEqual(4000);
    expect(failed.ms).toBeLessThan(4000 + 2500);
  });
});
