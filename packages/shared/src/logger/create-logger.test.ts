import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_CATALOG, EVENT_NAMES, type EventName, type ServiceName } from '../schema/event-catalog.js';
import { checkRecord } from '../schema/check-record.js';
import { normalizeRecord } from '../schema/normalize-record.js';
import { newId } from '../ids.js';
import { createLogger } from './create-logger.js';

const SAMPLE: Record<string, unknown> = {
  prompt_id: 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89',
  duration_ms: 1234,
  error_code: 'comfyui_http_500',
  error: 'ComfyUI answered 500',
  status: 502,
  errors: [{ field: 'prompt', message: 'is required' }],
  gpu_url: 'http://127.0.0.1:8002/generate',
  timeout_ms: 120000,
  image_bytes: 448,
  workflow: 'default',
  node_count: 3,
  queue_number: 7,
  attempt: 10,
  attempts: 12,
  elapsed_ms: 2500,
  filename: 'ComfyUI_00001_.png',
  size_bytes: 448,
  port: 8000,
  queue_wait_ms: 40,
  node_ids: ['1', '2'],
  count: 2,
  node_id: '3',
  cached: false,
  value: 5,
  max: 20,
  idle_ms: 60000,
  in_flight: 1,
};

function fieldsFor(event: EventName): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of EVENT_CATALOG[event].required) {
    if (name !== 'request_id' && name !== 'generation_id') fields[name] = SAMPLE[name];
  }
  return fields;
}

function readLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-logger-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createLogger', () => {
  it.each(['backend', 'gpu_server'] as const)(
    'writes every %s catalog event in the log format, readable by the shared guard',
    (service: ServiceName) => {
      const logDir = path.join(dir, 'nested', 'logs');
      const logger = createLogger({ service, logDir });
      const ids = { request_id: newId(), generation_id: newId() };
      const events = EVENT_NAMES.filter((e) => [service, 'any'].includes(EVENT_CATALOG[e].service));
      for (const event of events) {
        const child = EVENT_CATALOG[event].service === 'any' ? logger : logger.child(ids);
        child.event(event, fieldsFor(event) as never);
      }
      const lines = readLines(path.join(logDir, `${service}.log`));
      expect(lines).toHaveLength(events.length);
      lines.forEach((line, i) => {
        const event = events[i] as EventName;
        expect(checkRecord(line), event).toEqual([]);
        const result = normalizeRecord(line);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.record).toMatchObject({ service, event, level: EVENT_CATALOG[event].level });
        for (const name of EVENT_CATALOG[event].required) {
          const expected = name === 'request_id' || name === 'generation_id' ? ids[name] : SAMPLE[name];
          expect((line as Record<string, unknown>)[name], `${event}.${name}`).toEqual(expected);
        }
      });
    },
  );

  it('writes an event at an allowed override level and ignores a disallowed one', () => {
    const logger = createLogger({ service: 'backend', logDir: dir }).child({ request_id: newId() });
    logger.event('gpu_response', { status: 500, duration_ms: 5 }, { level: 'ERROR' });
    logger.event('response_sent', { status: 200, duration_ms: 5 }, { level: 'FATAL' });
    const [a, b] = readLines(path.join(dir, 'backend.log')) as Array<Record<string, unknown>>;
    expect(a?.['level']).toBe('ERROR');
    expect(b?.['level']).toBe('INFO');
  });

  it('writes an id once when it is both bound and passed as a field', () => {
    const logger = createLogger({ service: 'gpu_server', logDir: dir });
    const ids = { request_id: newId(), generation_id: newId(), prompt_id: 'p-1' };
    logger.child(ids).event('comfyui_prompt_sent', { prompt_id: 'p-1', queue_number: 3 });
    const text = readFileSync(path.join(dir, 'gpu_server.log'), 'utf8');
    expect(text.match(/"prompt_id"/g)).toHaveLength(1);
    expect(checkRecord(JSON.parse(text))).toEqual([]);
  });

  it('never writes a secret put in a log call', () => {
    const logger = createLogger({ service: 'gpu_server', logDir: dir });
    logger.event('service_start', {
      port: 8002,
      authorization: 'Bearer s3cret-bearer',
      token: 's3cret-token',
      headers: { authorization: 'Bearer s3cret-header' },
      extra_data: { api_key_comfy_org: 's3cret-comfy', client_id: 'c1' },
      config: { token: 's3cret-nested', password: 's3cret-pass' },
    });
    const text = readFileSync(path.join(dir, 'gpu_server.log'), 'utf8');
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('"client_id":"c1"');
  });

  it('writes the machine in every line: os.hostname(), or the name it is given', () => {
    createLogger({ service: 'backend', logDir: dir }).event('service_start', { port: 8000, host: '127.0.0.1' });
    createLogger({ service: 'gpu_server', logDir: dir, hostname: 'gpu-2' }).event('service_start', { port: 8002 });
    const [backend] = readLines(path.join(dir, 'backend.log')) as Array<Record<string, unknown>>;
    const [gpu] = readLines(path.join(dir, 'gpu_server.log')) as Array<Record<string, unknown>>;
    expect(backend).toMatchObject({ hostname: os.hostname(), pid: process.pid, host: '127.0.0.1' });
    expect(gpu).toMatchObject({ hostname: 'gpu-2' });
    expect(checkRecord(backend)).toEqual([]);
    const { hostname: _, ...anonymous } = backend ?? {};
    expect(checkRecord(anonymous)).toEqual(["hostname: expected the machine's name, got nothing"]);
  });

  it('does not let caller fields forge the time, level, service, event, msg or hostname', () => {
    const logger = createLogger({ service: 'backend', logDir: dir }).child({ request_id: newId() });
    logger.event('generate_request', {
      time: '1999-01-01T00:00:00.000Z',
      level: 'FATAL',
      service: 'gpu_server',
      event: 'fatal_error',
      msg: 'forged',
      hostname: 'forged-host',
    });
    const text = readFileSync(path.join(dir, 'backend.log'), 'utf8');
    expect(text).not.toContain('1999');
    expect(text).not.toContain('forged');
    const [line] = readLines(path.join(dir, 'backend.log'));
    expect(checkRecord(line)).toEqual([]);
    expect(line).toMatchObject({ level: 'INFO', service: 'backend', event: 'generate_request' });
  });

  it('keeps working, counts and reports failures when the disk is full', () => {
    const reports: string[] = [];
    const logger = createLogger({
      service: 'backend',
      logDir: dir,
      file: '/dev/full',
      report: (m) => reports.push(m),
    });
    for (let i = 0; i < 50; i += 1) logger.event('service_stop', {});
    logger.event('fatal_error', { error: 'disk full' });
    logger.flush();
    const health = logger.health();
    expect(health.writeErrors).toBeGreaterThanOrEqual(50);
    expect(health.lastError).toMatch(/ENOSPC/);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/cannot write log file \/dev\/full: .*ENOSPC/);
  });

  it('writes nothing at level silent', () => {
    const logger = createLogger({ service: 'backend', logDir: dir, level: 'silent' });
    logger.event('service_start', { port: 1 });
    expect(readFileSync(path.join(dir, 'backend.log'), 'utf8')).toBe('');
  });

  it('loses no logged line when the process is killed with SIGKILL', async () => {
    const lines = 2000;
    const script = `
      import { createLogger, newId } from '@logtrace/shared';
      const logger = createLogger({ service: 'backend', logDir: ${JSON.stringify(dir)} });
      for (let i = 0; i < ${lines}; i += 1) {
        logger.child({ request_id: newId() }).event('response_sent', { status: 200, duration_ms: i });
      }
      process.stdout.write('logged\\n');
      setInterval(() => {}, 1000);
    `;
    const repoRoot = path.resolve(import.meta.dirname, '../../../..');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('logged')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`child exited early: ${code}`));
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    const written = readLines(path.join(dir, 'backend.log'));
    expect(written).toHaveLength(lines);
    expect(written.every((line) => checkRecord(line).length === 0)).toBe(true);
  });
});
