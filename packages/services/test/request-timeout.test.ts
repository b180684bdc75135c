// A client that sends its body too slowly is cut off by the server's request timeout
// with a 408. The log must say 408 (what the client got), under the id the 408 carries,
// not 499 client_closed_request (what the handler made of the broken body).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUuidV4, newId } from '@logtrace/shared';
import { createBackendApp } from '../src/backend/create-backend-app.js';
import { loadBackendConfig } from '../src/backend/load-backend-config.js';
import { createComfyuiClient } from '../src/comfyui/create-comfyui-client.js';
import { createGpuServerApp } from '../src/gpu-server/create-gpu-server-app.js';
import { comfyuiClientOptions, loadGpuServerConfig } from '../src/gpu-server/load-gpu-server-config.js';
import { logRefusedRequests } from '../src/http/log-refused-requests.js';
import { startServer, type RunningServer, type ServerTimeouts } from '../src/http/start-server.js';
import { createServiceLogger } from '../src/logging/create-service-logger.js';
import { dribble } from './support/raw-http.js';
import { readCheckedLog, waitUntil } from './support/service-process.js';

type Json = Record<string, any>;

const SHORT: ServerTimeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, checkIntervalMs: 100 };
const CLIENT_ID = '3b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-request-timeout-'));
const running: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop(1000)));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(service: 'backend' | 'gpu_server'): Promise<{ port: number; logFile: string }> {
  const logDir = path.join(dir, service);
  const logger = createServiceLogger({ service, logDir });
  const app =
    service === 'backend'
      ? createBackendApp({ config: loadBackendConfig({ GPU_SERVER_URL: 'http://127.0.0.1:9', LOG_DIR: logDir }), logger })
      : (() => {
          const config = loadGpuServerConfig({ COMFYUI_URL: 'http://127.0.0.1:9', LOG_DIR: logDir });
          return createGpuServerApp({
            config,
            logger,
            comfyui: createComfyuiClient(comfyuiClientOptions(config)),
            instanceId: 'request-timeout',
            newId,
            now: Date.now,
            randomSeed: () => 1,
          });
        })();
  const server = await startServer({
    fetch: app.fetch,
    host: '127.0.0.1',
    port: 0,
    timeouts: SHORT,
    clientErrors: { onRefused: logRefusedRequests(logger) },
  });
  running.push(server);
  return { port: server.port, logFile: path.join(logDir, `${service}.log`) };
}

/** Splits a raw answer into status, headers (lower-cased names) and the parsed JSON body. */
function parse(answer: string): { status: number; headers: Record<string, string>; body: Json } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Json };
}

describe('a body sent too slowly (request timeout)', () => {
  it.each([
    ['backend', '/api/generate', 'response_sent'],
    ['gpu_server', '/generate', 'request_rejected'],
  ] as const)('%s: answers 408 with the request id and logs 408 under that id', async (service, route, event) => {
    const { port, logFile } = await serve(service);
    const head =
      `POST ${route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n` +
      `X-Request-ID: ${CLIENT_ID}\r\n\r\n{"prompt":"`;
    const seen = await dribble(port, head, () => 'a', 50, 10_000);
    expect(seen.closedAfterMs).toBeLessThan(3000);
    const answer = parse(seen.answer);
    expect(answer.status).toBe(408);
    expect(answer.headers['connection']).toBe('close');
    const id = answer.headers['x-request-id'] ?? '';
    expect(isUuidV4(id)).toBe(true);
    expect(answer.body).toMatchObject({ error_code: 'request_timeout', request_id: id });
    const line = await waitUntil(
      () => readCheckedLog(logFile).find((r) => r['event'] === event && r['request_id'] === id),
      `${event} of ${id}`,
    );
    expect(line).toMatchObject({ status: 408, error_code: 'request_timeout' });
    expect(readCheckedLog(logFile).some((r) => r['status'] === 499 || r['error_code'] === 'client_closed_request')).toBe(false);
  });
});
