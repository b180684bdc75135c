// Runs the real backend app on 127.0.0.1 port 0 against a stand-in GPU server, logging
// to a real backend.log in a temporary directory, and reads that file back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRecord } from '@logtrace/shared';
import { createBackendApp, type BackendDeps } from '../../src/backend/create-backend-app.js';
import { loadBackendConfig, type BackendConfig } from '../../src/backend/load-backend-config.js';
import { logRefusedRequests } from '../../src/http/log-refused-requests.js';
import { startServer, type RunningServer } from '../../src/http/start-server.js';
import { createServiceLogger } from '../../src/logging/create-service-logger.js';
import { startGpuStandIn, type GpuStandIn } from './gpu-stand-in.js';

/** One parsed log line. */
export type LogRecord = Readonly<Record<string, unknown>>;

/** A running backend with its stand-in GPU server and log file. */
export interface BackendHarness {
  readonly url: string;
  readonly gpu: GpuStandIn;
  readonly config: BackendConfig;
  readonly logFile: string;
  /** Every line of backend.log, each checked against the event catalog (throws on a bad line). */
  records(): LogRecord[];
  /** The lines of one request, in file order. */
  recordsOf(requestId: string): LogRecord[];
  /** The raw text of backend.log. */
  logText(): string;
  close(): Promise<void>;
}

/** Options of startBackendHarness. */
export interface HarnessOptions {
  /** Extra environment for loadBackendConfig (GPU_SERVER_URL defaults to the stand-in). */
  readonly env?: Readonly<Record<string, string>>;
  /** Dependency overrides (fetch, now, newId, shutdownSignal). */
  readonly deps?: Omit<Partial<BackendDeps>, 'config' | 'logger'>;
}

/** Starts the backend app and a stand-in GPU server; call close() after the test. */
export async function startBackendHarness(options: HarnessOptions = {}): Promise<BackendHarness> {
  const gpu = await startGpuStandIn();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-backend-'));
  const config = loadBackendConfig({ GPU_SERVER_URL: gpu.url, ...options.env, LOG_DIR: logDir, PORT: '0' });
  const logger = createServiceLogger({ service: 'backend', logDir, level: 'debug' });
  const app = createBackendApp({ config, logger, ...options.deps });
  const server: RunningServer = await startServer({
    fetch: app.fetch,
    host: '127.0.0.1',
    port: 0,
    clientErrors: { onRefused: logRefusedRequests(logger) },
  });
  const logFile = path.join(logDir, 'backend.log');
  const logText = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const records = (): LogRecord[] =>
    logText()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const record = JSON.parse(line) as LogRecord;
        const problems = checkRecord(record);
        if (problems.length > 0) throw new Error(`bad log line ${line}: ${problems.join('; ')}`);
        return record;
      });
  return {
    url: server.url,
    gpu,
    config,
    logFile,
    records,
    recordsOf: (requestId) => records().filter((r) => r['request_id'] === requestId),
    logText,
    async close() {
      // A connection that never carried a request (undici opens one after an aborted
      // call) is not idle to Node, so close() would wait for the deadline.
      await server.stop(200);
      await gpu.close();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined, failing after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** POSTs a JSON body (an object is stringified) to the backend's /api/generate. */
export function postGenerate(
  harness: Pick<BackendHarness, 'url'>,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${harness.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
}
