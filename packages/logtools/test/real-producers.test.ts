// Logs written by the real libraries other services use — Python's logging with
// python-json-logger, structlog, pino with its error serializer, pino-http — read by
// logtrace: exact perf numbers, errors grouped by exception with their traceback,
// complete traces. The Python libraries are Debian's (npm test installs them: the
// `test:deps` script); pino and pino-http are the workspace's own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, type Json } from './run-cli.js';

const PYTHON = '/usr/bin/python3';
const PRODUCER = fileURLToPath(new URL('./producers/python_logs.py', import.meta.url));

/** What the Python producer says it logged. */
interface PythonAnswers {
  readonly durations: readonly number[];
  readonly errors: readonly { type: string; message: string; last_frame: string; request_id: string }[];
  /** Events logged per request id. */
  readonly requests: Readonly<Record<string, number>>;
}

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-producers-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Nearest-rank percentile, as docs/logtrace.md defines it. */
function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
}

describe.each(['pythonjsonlogger', 'structlog'] as const)('a GPU server logging with %s', (library) => {
  let dir = '';
  let answers: PythonAnswers;
  beforeAll(() => {
    dir = path.join(root, library);
    mkdirSync(dir);
    const ran = spawnSync(PYTHON, [PRODUCER, library, path.join(dir, 'gpu_server.log')], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC' },
    });
    if (ran.status !== 0) throw new Error(`${library} producer failed (npm run test:deps installs the Python libraries): ${ran.stderr}`);
    answers = JSON.parse(ran.stdout) as PythonAnswers;
  });

  it('perf gives the exact generation statistics', async () => {
    const { code, json } = await runJson<Json>(['perf', '--dir', dir]);
    expect(code).toBe(0);
    const d = answers.durations;
    expect(json['generation']).toMatchObject({
      count: d.length,
      avg_ms: d.reduce((a, b) => a + b, 0) / d.length,
      min_ms: Math.min(...d),
      p50_ms: nearestRank(d, 50),
      p95_ms: nearestRank(d, 95),
      max_ms: Math.max(...d),
    });
    expect(json['input']['skipped']).toBe(0);
  });

  it('errors groups by exception type and message, with the last frame and the traceback', async () => {
    const { code, json } = await runJson<Json>(['errors', '--dir', dir]);
    expect(code).toBe(0);
    expect(json['total']).toBe(answers.errors.length);
    const groups = (json['groups'] as Json[]).map((g) => ({
      type: g['error_code'],
      message: g['message'],
      last_frame: g['last_frame'],
      request_ids: g['request_ids'],
      count: g['count'],
    }));
    const expected = answers.errors.map((e) => ({
      type: e.type,
      message: e.message,
      last_frame: e.last_frame,
      request_ids: [e.request_id],
      count: 1,
    }));
    expect(groups).toEqual(expect.arrayContaining(expected));
    expect(groups).toHaveLength(expected.length);
    for (const group of json['groups'] as Json[]) {
      expect(group['traceback'][0]).toBe('Traceback (most recent call last):');
      expect(group['traceback'].at(-1)).toBe(`${group['error_code']}: ${group['message']}`);
    }
    const text = await runCli(['errors', '--dir', dir]);
    expect(text.stdout).toContain(`at ${answers.errors[0]?.last_frame}`);
    // structlog's records name their message `event` (it is no catalog event): shown as the event, never blank.
    const event = library === 'structlog' ? 'ComfyUI failed' : 'error_comfyui';
    expect((json['groups'] as Json[]).map((g) => g['event'])).toEqual(answers.errors.map(() => event));
    expect(text.stdout).toContain(`gpu_server  ${event}  `);
  });

  it('trace finds every event of a request by its id', async () => {
    for (const [requestId, count] of Object.entries(answers.requests)) {
      const { code, json } = await runJson<Json>(['trace', requestId, '--dir', dir]);
      expect(code).toBe(0);
      expect(json['request_id']).toBe(requestId);
      expect(json['events']).toHaveLength(count);
    }
  });
});

describe('a service logging with pino', () => {
  let dir = '';
  const messages = ['ComfyUI refused the connection', 'prompt has no outputs', 'history answer is not JSON'];
  beforeAll(async () => {
    dir = path.join(root, 'pino');
    mkdirSync(dir);
    const log = pino({ base: { service: 'gpu_server' } }, pino.destination({ dest: path.join(dir, 'gpu_server.log'), sync: true }));
    messages.forEach((message, i) => {
      const err = i === 1 ? new TypeError(message) : new Error(message);
      for (let n = 0; n <= i; n++)
        log.error({ err, request_id: `0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a1${i}`, event: 'error_comfyui' }, 'ComfyUI failed');
    });
    log.flush();
  });

  it('errors groups pino err objects by type and message (not by the msg they share), with the stack', async () => {
    const { json } = await runJson<Json>(['errors', '--dir', dir]);
    const groups = (json['groups'] as Json[]).map((g) => [g['error_code'], g['message'], g['count']]);
    expect(groups).toEqual([
      ['Error', messages[2], 3],
      ['TypeError', messages[1], 2],
      ['Error', messages[0], 1],
    ]);
    for (const group of json['groups'] as Json[]) {
      expect(group['last_frame']).toMatch(/real-producers\.test\.ts:\d+/);
      expect(group['traceback'][0]).toBe(`${group['error_code']}: ${group['message']}`);
    }
  });
});

describe('an HTTP service logging with pino-http', () => {
  let dir = '';
  beforeAll(async () => {
    dir = path.join(root, 'pino-http');
    mkdirSync(dir);
    const logger = pino(pino.destination({ dest: path.join(dir, 'web.log'), sync: true }));
    const logRequest = pinoHttp({ logger });
    const server = http.createServer((req, res) => {
      logRequest(req, res);
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (const url of ['/ok', '/missing']) await (await fetch(`http://127.0.0.1:${port}${url}`)).text();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('shows each access line with its message, method, url, status and response time', async () => {
    const written = readFileSync(path.join(dir, 'web.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    const { code, stdout } = await runCli(['errors', '--dir', dir, '--no-group', '--level', 'info']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    written.forEach((record, i) => {
      expect(lines[i]).toContain(
        `${record['msg']}  ${record['req']['method']} ${record['req']['url']} → ${record['res']['statusCode']} in ${record['responseTime']} ms`,
      );
    });
  });
});
