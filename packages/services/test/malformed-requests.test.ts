// Requests Node's HTTP parser refuses before any route runs (bad header bytes, CRLF
// injection, CL+TE, duplicate or negative Content-Length, an 80 KB header), sent as raw
// bytes to the built backend and GPU server: each gets a JSON error with a request id
// and `Connection: close`, and leaves a `request_rejected` line with that id and none
// of the request's bytes; a flood of them is logged at a bounded rate with a count.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUuidV4 } from '@logtrace/shared';
import { rawExchange } from './support/raw-http.js';
import { BIN, readCheckedLog, spawnService, startedPort, waitUntil, type ServiceChild } from './support/service-process.js';

type Json = Record<string, any>;

// Every malformed request carries this marker, so "no request bytes logged" is one check.
const MARK = 'MALFORMED5d1c';
const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-malformed-'));
const children: ServiceChild[] = [];
const services: Record<string, { url: string; logFile: string; route: string }> = {};

beforeAll(async () => {
  for (const [name, bin, logName, route] of [
    ['backend', BIN.backend, 'backend.log', '/api/generate'],
    ['gpu_server', BIN.gpuServer, 'gpu_server.log', '/generate'],
  ] as const) {
    const logDir = path.join(dir, name);
    const child = spawnService(bin, {
      PORT: '0',
      LOG_DIR: logDir,
      GPU_SERVER_URL: 'http://127.0.0.1:9',
      COMFYUI_URL: 'http://127.0.0.1:9',
    });
    children.push(child);
    const logFile = path.join(logDir, logName);
    services[name] = { url: `http://127.0.0.1:${await startedPort(logFile)}`, logFile, route };
  }
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const CASES: Array<[name: string, status: number, code: string, request: (route: string) => string]> = [
  ['a control byte in a header name', 400, 'bad_request', (r) => `GET ${r} HTTP/1.1\r\nHost: x\r\nX-${MARK}\u0001: 1\r\n\r\n`],
  [
    'a bare CR in a header value (CRLF injection)',
    400,
    'bad_request',
    (r) => `GET ${r} HTTP/1.1\r\nHost: x\r\nX-A: ${MARK}\rX-Injected: 1\r\n\r\n`,
  ],
  [
    'Content-Length with Transfer-Encoding (request smuggling)',
    400,
    'bad_request',
    (r) =>
      `POST ${r} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{"x":"${MARK}"}`,
  ],
  [
    'two different Content-Lengths',
    400,
    'bad_request',
    (r) => `POST ${r} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n${MARK}`,
  ],
  ['a negative Content-Length', 400, 'bad_request', (r) => `POST ${r} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n${MARK}`],
  [
    'an 80 KB header',
    431,
    'headers_too_large',
    (r) => `GET ${r} HTTP/1.1\r\nHost: x\r\nX-Big: ${MARK.repeat((80 * 1024) / MARK.length)}\r\n\r\n`,
  ],
  ['garbage instead of a request line', 400, 'bad_request', () => `${MARK} \u0000\u0001\u0002\r\n\r\n`],
];

const rejectedLines = (logFile: string): Json[] => readCheckedLog(logFile).filter((r) => r['event'] === 'request_rejected') as Json[];

describe.each(['backend', 'gpu_server'])('%s: requests the HTTP parser refuses', (name) => {
  it.each(CASES)('%s → %i JSON with a request id, Connection: close, and a request_rejected line', async (_case, status, code, request) => {
    const service = services[name]!;
    const answer = await rawExchange(service.url, Buffer.from(request(service.route), 'latin1'));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['connection']).toBe('close');
    const id = answer.headers['x-request-id'];
    expect(isUuidV4(id)).toBe(true);
    const body = JSON.parse(answer.body) as Json;
    expect(body).toEqual({ error: expect.any(String), error_code: code, request_id: id });
    const line = await waitUntil(() => rejectedLines(service.logFile).find((r) => r['request_id'] === id), 'the request_rejected line');
    expect(line).toMatchObject({
      level: 'WARN',
      service: name,
      status,
      error_code: code,
      errors: [{ field: 'request', message: expect.any(String) }],
    });
    expect(readFileSync(service.logFile, 'utf8')).not.toContain(MARK);
    // The service still serves.
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('a flood of 300 is logged at most 10 lines per second plus one with the count of the rest', async () => {
    const service = services[name]!;
    const before = rejectedLines(service.logFile).length;
    const started = Date.now();
    for (let i = 0; i < 300; i += 1) {
      const answer = await rawExchange(service.url, Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-${MARK}\u0001: 1\r\n\r\n`, 'latin1'));
      expect(answer.status).toBe(400);
    }
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    // The suppressed ones are counted on the last line of each one-second window.
    const lines = await waitUntil(
      () => {
        const all = rejectedLines(service.logFile).slice(before);
        const counted = all.reduce((sum, r) => sum + 1 + ((r['suppressed'] as number | undefined) ?? 0), 0);
        return counted === 300 ? all : undefined;
      },
      'every rejection logged or counted',
      5000,
    );
    expect(lines.length).toBeLessThanOrEqual(11 * seconds);
    expect(lines.some((r) => (r['suppressed'] ?? 0) > 0)).toBe(true);
  });
});
