// A full log disk (the log file is a symlink to /dev/full: every write fails with
// ENOSPC) must not hang or crash a service: it keeps answering, says so on stderr and
// in /health, and still stops (SIGTERM) or dies (fatal error) promptly.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startGpuStandIn, type GpuStandIn } from './support/gpu-stand-in.js';
import { createRealStack } from './support/real-stack.js';
import { BIN, CRASHING_SERVICE, freePort, spawnService, waitUntil, type Exit, type ServiceChild } from './support/service-process.js';

type Json = Record<string, any>;

const stack = createRealStack();
const children: ServiceChild[] = [];
let gpu: GpuStandIn | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await gpu?.close();
  gpu = undefined;
});
afterAll(() => stack.close());

/** A LOG_DIR whose `<service>.log` is /dev/full. */
function fullLogDir(service: string): string {
  const dir = mkdtempSync(path.join(stack.dir, 'full-'));
  symlinkSync('/dev/full', path.join(dir, `${service}.log`));
  return dir;
}

/** Starts a binary on a free port (its port cannot be read from its log) and waits until /health answers. */
async function startOnFullDisk(bin: string, service: string, env: Record<string, string>): Promise<{ child: ServiceChild; url: string }> {
  const port = await freePort();
  const child = spawnService(bin, { ...env, PORT: String(port), LOG_DIR: fullLogDir(service) });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    () =>
      fetch(`${url}/health`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    `${service} /health`,
  );
  return { child, url };
}

/** The exit, or 'hung' when the process is still running after `ms`. */
function exitWithin(child: ServiceChild, ms: number): Promise<Exit | 'hung'> {
  return Promise.race([child.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref())]);
}

async function generate(url: string, route: string, prompt: string): Promise<number> {
  const res = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  await res.arrayBuffer();
  return res.status;
}

const REPORT = /cannot write log file .*: ENOSPC: no space left on device/;

describe('log disk full (ENOSPC)', () => {
  it('pino loads sonic-boom 5 (4.x loops for ever in flushSync on ENOSPC; the npm override pins 5)', () => {
    const fromShared = createRequire(createRequire(import.meta.url).resolve('@logtrace/shared'));
    const fromPino = createRequire(fromShared.resolve('pino'));
    const { version } = fromPino('sonic-boom/package.json') as { version: string };
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(5);
  });

  it('backend: keeps answering, reports on stderr and /health, and stops on SIGTERM', async () => {
    gpu = await startGpuStandIn();
    const { child, url } = await startOnFullDisk(BIN.backend, 'backend', { GPU_SERVER_URL: gpu.url });
    for (let i = 0; i < 3; i += 1) expect(await generate(url, '/api/generate', `a harbour ${i}`)).toBe(200);
    expect(await generate(url, '/api/generate', '')).toBe(400);
    const health = (await (await fetch(`${url}/health`)).json()) as Json;
    expect(health).toMatchObject({ status: 'degraded', log_last_error: expect.stringContaining('ENOSPC') });
    // service_start, three answered requests of four lines (generate_request,
    // gpu_request, gpu_response, response_sent), one refused of three: every one lost,
    // each after one failed write.
    expect(health).toMatchObject({ log_lines_lost: 1 + 3 * 4 + 3, log_write_errors: 1 + 3 * 4 + 3 });
    expect(child.stderr()).toMatch(REPORT);
    child.kill('SIGTERM');
    expect(await exitWithin(child, 10_000)).toEqual({ code: 0, signal: null });
  });

  it('GPU server: keeps generating, reports on stderr and /health, and stops on SIGTERM', async () => {
    const { url: comfyuiUrl } = await stack.startEmulator();
    const { child, url } = await startOnFullDisk(BIN.gpuServer, 'gpu_server', {
      COMFYUI_URL: comfyuiUrl,
      COMFYUI_POLL_INTERVAL_MS: '5',
    });
    for (let i = 0; i < 2; i += 1) expect(await generate(url, '/generate', `a harbour ${i}`)).toBe(200);
    expect(await generate(url, '/generate', '')).toBe(400);
    const health = (await (await fetch(`${url}/health`)).json()) as Json;
    expect(health).toMatchObject({ status: 'degraded', comfyui: { reachable: true }, log_last_error: expect.stringContaining('ENOSPC') });
    // service_start; per generation generation_start, workflow_loaded,
    // comfyui_prompt_sent, comfyui_complete, image_retrieved (and comfyui_polling at
    // DEBUG every 10th poll); the refused one request_rejected.
    expect(health['log_lines_lost']).toBeGreaterThanOrEqual(1 + 2 * 5 + 1);
    expect(health['log_write_errors']).toBe(health['log_lines_lost']);
    expect(child.stderr()).toMatch(REPORT);
    child.kill('SIGTERM');
    expect(await exitWithin(child, 10_000)).toEqual({ code: 0, signal: null });
  });

  it('a fatal error still exits 1 at once: the FATAL line cannot be written, stderr says why', async () => {
    const { child, url } = await startOnFullDisk(CRASHING_SERVICE, 'backend', {});
    await (await fetch(`${url}/throw`)).text();
    // With sonic-boom 4.x, logger.fatal's flushSync retries ENOSPC every 100 ms for ever.
    expect(await exitWithin(child, 10_000)).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toMatch(REPORT);
    expect(child.stderr()).toContain('fatal uncaught_exception: Error: boom: thrown outside any request');
  });
});
