// Starts the services on real 127.0.0.1 ports (port 0) for end-to-end tests, logging to
// real files, and stops them all afterwards.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkRecord, newId } from '@logtrace/shared';
import { createBackendApp } from '../../src/backend/create-backend-app.js';
import { loadBackendConfig } from '../../src/backend/load-backend-config.js';
import { createComfyuiClient } from '../../src/comfyui/create-comfyui-client.js';
import { createComfyuiWatcher, type ComfyuiWatcher } from '../../src/comfyui/create-comfyui-watcher.js';
import { simulateCrash } from '../../src/emulator/simulate-crash.js';
import { createGpuServerApp } from '../../src/gpu-server/create-gpu-server-app.js';
import { comfyuiClientOptions, loadGpuServerConfig, SHIPPED_WORKFLOW_DIR } from '../../src/gpu-server/load-gpu-server-config.js';
import type { ClientErrorOptions } from '../../src/http/handle-client-errors.js';
import { logRefusedRequests } from '../../src/http/log-refused-requests.js';
import { startServer, type RunningServer } from '../../src/http/start-server.js';
import { createServiceLogger } from '../../src/logging/create-service-logger.js';
import { createTestEmulator, type TestEmulator, type TestEmulatorOptions } from './test-emulator.js';

/** A parsed log line. */
export type LogRecord = Record<string, any>;

/** A started service: its URL and log file. */
export interface StartedService {
  readonly url: string;
  readonly logFile: string;
  /** The GPU server's ComfyUI websocket watcher. */
  readonly watcher?: ComfyuiWatcher;
}

/** Everything one test file starts; `close()` stops it all and removes the files. */
export interface RealStack {
  readonly dir: string;
  /** A workflow directory: the shipped workflows plus `broken` (fails ComfyUI validation). */
  readonly workflowDir: string;
  /** Starts an emulator (on `port`, default any free one). */
  startEmulator(
    options?: TestEmulatorOptions & { crashDownMs?: number; port?: number },
  ): Promise<{ emulator: TestEmulator; url: string; server: RunningServer }>;
  startGpuServer(comfyuiUrl: string, env?: Record<string, string>, logDir?: string, port?: number): Promise<StartedService>;
  startBackend(gpuServerUrl: string, env?: Record<string, string>, logDir?: string): Promise<StartedService>;
  /** A port nothing listens on. */
  closedPort(): Promise<number>;
  close(): Promise<void>;
}

/** Creates the stack holder (nothing runs until a start call). */
export function createRealStack(): RealStack {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-stack-'));
  const workflowDir = path.join(dir, 'workflows');
  mkdirSync(workflowDir);
  for (const name of ['default.json', 'txt2img.json']) copyFileSync(path.join(SHIPPED_WORKFLOW_DIR, name), path.join(workflowDir, name));
  // SaveImage without its required filename_prefix: ComfyUI's validation answers 400.
  writeFileSync(
    path.join(workflowDir, 'broken.json'),
    JSON.stringify({
      '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0] } },
    }),
  );
  const servers: RunningServer[] = [];
  const emulators: TestEmulator[] = [];
  const watchers: ComfyuiWatcher[] = [];
  const restarts: Array<() => void> = [];
  const serve = async (
    fetch: (request: Request) => Response | Promise<Response>,
    port = 0,
    clientErrors?: ClientErrorOptions,
  ): Promise<RunningServer> => {
    const running = await startServer({ fetch, host: '127.0.0.1', port, ...(clientErrors ? { clientErrors } : {}) });
    servers.push(running);
    return running;
  };
  return {
    dir,
    workflowDir,
    async startEmulator(options = {}) {
      let running: RunningServer | undefined;
      const emulator = await createTestEmulator({
        ...options,
        onCrash: () => {
          if (running !== undefined) restarts.push(simulateCrash(running.server, options.crashDownMs ?? 5000, () => undefined));
        },
      });
      emulators.push(emulator);
      running = await serve(emulator.app.fetch, options.port);
      emulator.attachSocket(running.server);
      return { emulator, url: running.url, server: running };
    },
    async startGpuServer(comfyuiUrl, env = {}, logDir = mkdtempSync(path.join(dir, 'logs-')), port = 0) {
      const config = loadGpuServerConfig({
        LOG_DIR: logDir,
        COMFYUI_URL: comfyuiUrl,
        WORKFLOW_DIR: workflowDir,
        COMFYUI_POLL_INTERVAL_MS: '5',
        COMFYUI_TIMEOUT_MS: '20000',
        ...env,
      });
      const logger = createServiceLogger({ service: 'gpu_server', logDir: config.logDir, level: config.logLevel });
      const comfyui = createComfyuiClient({ ...comfyuiClientOptions(config), retryDelayMs: () => 20 });
      const watcher = createComfyuiWatcher({
        baseUrl: config.comfyuiUrl,
        clientId: newId(),
        logger,
        stallMs: config.stallMs,
        now: Date.now,
        backoffMs: [50, 1000],
      });
      watchers.push(watcher);
      const app = createGpuServerApp({
        config,
        logger,
        comfyui,
        watcher,
        instanceId: `real-stack-${newId()}`,
        newId,
        now: Date.now,
        randomSeed: () => 1234,
      });
      const clientErrors = { onRefused: logRefusedRequests(logger) };
      const url = (await serve(app.fetch, port, clientErrors)).url;
      watcher.start();
      await watcher.ready();
      return { url, logFile: path.join(logDir, 'gpu_server.log'), watcher };
    },
    async startBackend(gpuServerUrl, env = {}, logDir = mkdtempSync(path.join(dir, 'logs-'))) {
      const config = loadBackendConfig({ LOG_DIR: logDir, GPU_SERVER_URL: gpuServerUrl, GPU_TIMEOUT_MS: '30000', ...env });
      const logger = createServiceLogger({ service: 'backend', logDir: config.logDir, level: config.logLevel });
      const app = createBackendApp({ config, logger });
      const clientErrors = { onRefused: logRefusedRequests(logger) };
      return { url: (await serve(app.fetch, 0, clientErrors)).url, logFile: path.join(logDir, 'backend.log') };
    },
    closedPort: () =>
      new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      }),
    async close() {
      for (const cancel of restarts) cancel();
      for (const watcher of watchers) watcher.close();
      for (const emulator of emulators) emulator.close();
      await Promise.all(servers.map((s) => s.stop(1000)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every line of a service's log file, parsed, after checking that each one conforms to
 * the log format (docs/log-format.md, checkRecord); throws listing the first bad line otherwise.
 */
export function readLog(service: StartedService): LogRecord[] {
  const records = readFileSync(service.logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogRecord);
  for (const record of records) {
    const problems = checkRecord(record);
    if (problems.length > 0) throw new Error(`${service.logFile}: ${problems.join('; ')} in ${JSON.stringify(record)}`);
  }
  return records;
}

/** DEBUG detail lines whose number depends on timing or on the graph: polls, and ComfyUI's per-node websocket detail. */
const DETAIL_EVENTS = new Set(['comfyui_polling', 'comfyui_node_executed', 'comfyui_nodes_cached', 'comfyui_progress']);

/** The event names of one request's lines, without the DEBUG detail lines (DETAIL_EVENTS). */
export function eventsOf(records: readonly LogRecord[], requestId: string): string[] {
  return records.filter((r) => r['request_id'] === requestId && !DETAIL_EVENTS.has(r['event'] as string)).map((r) => r['event'] as string);
}
