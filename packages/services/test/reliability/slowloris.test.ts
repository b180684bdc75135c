// The built backend and GPU server with their default server timeouts: a client that
// sends its headers one line at a time is cut off with 408 shortly after the 10 s
// headers timeout (not up to 30 s later, Node's default check interval), while the
// service keeps answering everyone else.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/http/start-server.js';
import { dribble, type Dribbled } from '../support/raw-http.js';
import { BIN, spawnService, startedPort, type ServiceChild } from '../support/service-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-slowloris-'));
const children: ServiceChild[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Sends a request line, then one header line every 500 ms, until the server closes the socket. */
const slowHeaders = (port: number): Promise<Dribbled> =>
  dribble(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', () => `X-Slow-${Date.now()}: 1\r\n`, 500, 60_000);

describe.concurrent('slowloris against the built services (both at once)', () => {
  it.each([
    ['backend', BIN.backend, 'backend.log'],
    ['GPU server', BIN.gpuServer, 'gpu_server.log'],
  ])('%s: cut off with 408 soon after headersTimeout, still serving others', async (name, bin, logName) => {
    const logDir = path.join(dir, name.replace(' ', '-'));
    const child = spawnService(bin, { PORT: '0', LOG_DIR: logDir });
    children.push(child);
    const port = await startedPort(path.join(logDir, logName));
    const slow = slowHeaders(port);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const { answer, closedAfterMs } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(DEFAULT_TIMEOUTS.headersTimeoutMs - 100);
    // One check interval late at most, plus slack for a loaded machine; Node's own
    // 30 s interval would show up here as up to 40 s.
    expect(closedAfterMs).toBeLessThan(DEFAULT_TIMEOUTS.headersTimeoutMs + DEFAULT_TIMEOUTS.checkIntervalMs + 4000);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });
});
