// Builds GPU server apps for tests: the ComfyUI client talks to a test emulator without
// sockets, and log lines are collected in memory.
import { createLogger, newId } from '@logtrace/shared';
import type { Hono } from 'hono';
import { createComfyuiClient } from '../../src/comfyui/create-comfyui-client.js';
import { createGpuServerApp } from '../../src/gpu-server/create-gpu-server-app.js';
import { comfyuiClientOptions, loadGpuServerConfig, type GpuServerConfig } from '../../src/gpu-server/load-gpu-server-config.js';

/** A GPU server app and the JSON lines it logged. */
export interface TestGpuServer {
  readonly app: Hono<never>;
  /** Parsed log records, in order. */
  records(): Array<Record<string, unknown>>;
  /** The raw log text. */
  text(): string;
}

/** Creates a GPU server app over `fetch` (a test emulator's) with test-friendly timings. */
export function createTestGpuServer(fetch: typeof globalThis.fetch, env: Record<string, string> = {}): TestGpuServer {
  const config: GpuServerConfig = loadGpuServerConfig({ COMFYUI_POLL_INTERVAL_MS: '2', COMFYUI_URL: 'http://comfy.test', ...env });
  let text = '';
  const logger = createLogger({ service: 'gpu_server', logDir: '.', destination: { write: (line: string) => (text += line) } });
  const comfyui = createComfyuiClient({ ...comfyuiClientOptions(config), fetch, retryDelayMs: () => 1 });
  const app = createGpuServerApp({ config, logger, comfyui, instanceId: 'test-gpu-server', newId, now: Date.now, randomSeed: () => 42 });
  return {
    app: app as unknown as Hono<never>,
    text: () => text,
    records: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** POSTs a generation request. */
export function generate(app: Hono<never>, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request('/generate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );
}
