import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTime, resolveTimeZone, type TimeZone } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { checkKernelAgainstReference } from '../../test/kernel-agreement.js';
import { generateLogs } from '../generator/generate-logs.js';

const T = '2026-11-28T05:03:21.123Z';
const times = [
  T,
  '2026-11-28T05:03:21Z',
  '2026-11-28 05:03:21,5',
  '2026-11-28T05:03:21.123456',
  '2026-02-31T25:61:61.1z',
  '0099-01-01T00:00:00Z',
  '0100-03-01T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-28T05:03:21.1234567890Z',
  '2026-11-28T05:03:21+01:00',
  'yesterday',
  1795842201123,
  1795842201,
  1795842201123456,
  0,
  -5,
  1.5,
  1e3,
  null,
  true,
  { t: 1 },
  '\u0032026-11-28T05:03:21Z',
];
const levels = [
  'INFO',
  'ERROR',
  'warning',
  'Critical',
  'TRACE',
  'err',
  'LOUD',
  '',
  30,
  50,
  55,
  60,
  70,
  -1,
  49.5,
  5e1,
  null,
  false,
  'E\u0052ROR',
];
const durations = [0, 7, 90000, 123456789012345, 1234567890123456, -3, 2.5, 1e3, '5', null, true, [1], 1e400];
const events = [
  'comfyui_complete',
  'response_sent',
  'gpu_response',
  'image_retrieved',
  'comfyui_polling',
  'comfyui_completed',
  '',
  'comfyui\u005fcomplete',
];

describe("the kernel's fast lines", () => {
  it('read time, level, duration, event and the strings exactly as normalizeRecord does, for awkward values', () => {
    const lines: string[] = [];
    let k = 0;
    for (const time of times) {
      for (const level of levels) {
        const duration = durations[k % durations.length];
        const event = events[k % events.length];
        k++;
        lines.push(
          JSON.stringify({ level, time, service: 'gpu_server', event, duration_ms: duration, msg: `m "${k}"`, request_id: 'r-1' }),
        );
        lines.push(
          `{"timestamp": ${JSON.stringify(time)}, "levelname": ${JSON.stringify(level)}, "event": ${JSON.stringify(event)}, "duration_ms": ${JSON.stringify(duration)}, "message": "x"}`,
        );
        lines.push(
          JSON.stringify({
            time: null,
            timestamp: time,
            level: null,
            levelname: level,
            name: 'pino',
            error: { message: 'boom', type: 'Error' },
          }),
        );
      }
    }
    // Other producers' keys: each alias alone, behind ours, null, or of another type.
    const services = [
      {},
      { logger: 'app.gpu' },
      { name: 'py', logger: 'l' },
      { service: 'gpu_server', logger: 'l' },
      { service: 5, name: null, logger: 'l' },
      // The machine: hostname wins over host; an empty or non-string value names none.
      { hostname: 'gpu-2' },
      { host: '127.0.0.1', hostname: 'gpu-2' },
      { host: 'web-1', hostname: '' },
      { hostname: 5, host: 'web-1' },
      { host: { name: 'n' }, hostname: null },
    ];
    const errors = [
      {},
      { err: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at f (/app/x.js:1:2)' } },
      { error: null, err: { message: 'm' } },
      { error: 'text', err: { message: 'ignored' } },
      { err: 'plain' },
      { error: { message: 'm', type: 7, stack: null }, stack: 'outer' },
      { exc_info: 'Traceback (most recent call last):\n  File "a.py", line 1, in f\nValueError: v' },
      { stack: null, exc_info: 3, exception: 'x' },
      { exception: 'Traceback ...', error_type: 'Custom' },
      { err: { type: 'E' }, error_type: null },
    ];
    const messages = [
      { msg: 'm' },
      { event: 'user logged in' },
      { event: 'comfyui_complete' },
      { message: null, event: 'e' },
      { msg: 7, event: 'x' },
      {},
    ];
    const foreignTimes = [
      { time: T },
      { '@timestamp': T },
      { ts: 1795842201.123 },
      { asctime: '2026-11-28 05:03:21,123' },
      { time: null, ts: T },
    ];
    const foreignLevels = [{ level: 'info' }, { severity: 'ERROR' }, { 'log.level': 'warn' }, { levelname: null, severity: 'fatal' }];
    let n = 0;
    for (const service of services) {
      for (const error of errors) {
        const message = messages[n % messages.length];
        const time = foreignTimes[n % foreignTimes.length];
        const level = foreignLevels[n % foreignLevels.length];
        n++;
        lines.push(JSON.stringify({ ...time, ...level, ...service, ...message, ...error, request_id: 'r-2' }));
      }
    }
    lines.push(`{"level":"INFO","time":"${T}","duration_ms":5,"duration_ms":6,"event":"x","event":"gpu_response"}`);
    lines.push(`{"level":"INFO","time":"${T}","nested":{"duration_ms":5,"event":"gpu_response","level":"ERROR"},"msg":"n"}`);
    const { fast } = checkKernelAgainstReference(lines);
    expect(fast).toBeGreaterThan(lines.length / 2);
  });

  it('read times without a zone in the zone given, as normalizeRecord does, and leave other times as they are', () => {
    // Both sides of New York's daylight-saving changes, and times the kernel leaves to the host.
    const local = [
      '2026-03-08T01:30:00',
      '2026-03-08 03:30:00.5',
      '2026-11-01T00:30:00.250',
      '2026-11-01 02:30:00,125',
      '2026-11-01T01:30:00.000',
      '2026-03-08T02:30:00',
      '2026-07-01T08:00:00.123456',
      '2026-07-01T08:00:00.123000',
    ];
    const lines: string[] = [];
    for (const time of [...local, ...times]) {
      lines.push(JSON.stringify({ level: 'INFO', time, service: 'gpu_server', msg: 'm' }));
      lines.push(`{"timestamp": ${JSON.stringify(time)}, "levelname": "ERROR", "message": "x"}`);
      lines.push(JSON.stringify({ asctime: time, levelname: 'ERROR', name: 'n', message: 'x' }));
    }
    for (const name of ['America/New_York', 'Asia/Kolkata', '-03:30', 'UTC']) {
      const zone = resolveTimeZone(name) as TimeZone;
      const { fast } = checkKernelAgainstReference(lines, zone);
      expect(fast).toBeGreaterThan(lines.length / 4);
    }
    const ny = resolveTimeZone('America/New_York') as TimeZone;
    expect(parseTime('2026-03-08T01:30:00', ny)).toBe(Date.parse('2026-03-08T06:30:00Z'));
    expect(parseTime('2026-03-08T03:30:00', ny)).toBe(Date.parse('2026-03-08T07:30:00Z'));
    expect(parseTime('2026-11-01T00:30:00Z', ny)).toBe(Date.parse('2026-11-01T00:30:00Z'));
  });

  it('are valid JSON whenever the kernel says so, on randomly damaged lines', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const base = [
      `{"level":"INFO","time":"${T}","service":"gpu_server","request_id":"0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10","duration_ms":3500,"event":"comfyui_complete","msg":"done"}`,
      `{"timestamp": "2026-11-28T05:03:21.123456", "level": "WARNING", "event": "validation_error", "errors": [{"field": "prompt", "message": "x"}], "message": "y"}`,
      `{"level":50,"time":1795842201123,"pid":1,"name":"gpu_server","err":{"type":"Error","message":"m\\n\\u0041"},"msg":"e","x":[true,false,null,-0.5e-3]}`,
    ];
    const pieces = ['"', '\\', ',', ':', '{', '}', '[', ']', ' ', 'e', '-', '0', '.', '\t', '\u0001', 'é', 'x'];
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      let line = base[i % base.length] ?? '';
      for (let m = 1 + random(3); m > 0; m--) {
        const at = random(line.length + 1);
        const op = random(3);
        if (op === 0) line = line.slice(0, at) + line.slice(at + 1);
        else if (op === 1) line = line.slice(0, at) + (pieces[random(pieces.length)] ?? '') + line.slice(at);
        else line = line.slice(0, at) + line.slice(at, at + 1 + random(4)) + line.slice(at);
      }
      lines.push(line);
    }
    const { fast, slow } = checkKernelAgainstReference(lines);
    expect(fast).toBeGreaterThan(100);
    expect(slow).toBeGreaterThan(1000);
  });

  it('agree with the reference on generated logs in all three producer styles', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'logtrace-fast-'));
    try {
      for (const style of ['ours', 'python', 'pino', 'mixed'] as const) {
        const dir = path.join(root, style);
        generateLogs({ dir, seed: 41, requests: 60, style });
        for (const name of ['backend.log', 'gpu_server.log', 'telegram_bot.log']) {
          const text = await readFile(path.join(dir, name), 'latin1');
          const lines = text.split('\n').filter((l) => l.length < 100_000);
          const { fast } = checkKernelAgainstReference(lines);
          expect(fast).toBeGreaterThan(lines.length / 2);
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
