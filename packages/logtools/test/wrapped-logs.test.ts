// Logs that went through a container runtime or journald: each line of a generated log
// directory wrapped as the runtime writes it (CRI with kubelet's 16 KiB partial lines,
// `docker logs -t`, Docker's json-file driver with its 16 KiB pieces, `journalctl -o
// json`). logtrace unwraps them without being told and gives the answers it gives for
// the plain directory; the runtime's time stands in for a record that has none.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLogs, type GeneratedLogs } from '../src/generator/generate-logs.js';
import { runJson, runCli, type Json } from './run-cli.js';

/** Kubelet and Docker split a line longer than this into pieces. */
const PIECE_BYTES = 16 * 1024;

/** The runtime's time of the n-th line: nanoseconds, as CRI and Docker write them. */
function runtimeTime(n: number): string {
  return `2026-11-28T05:00:${String(n % 60).padStart(2, '0')}.${String(123456789 + n).slice(0, 9)}Z`;
}

function pieces(line: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < line.length; at += PIECE_BYTES) out.push(line.slice(at, at + PIECE_BYTES));
  return out.length === 0 ? [''] : out;
}

const WRAPPERS: Readonly<Record<string, (line: string, n: number) => string[]>> = {
  cri: (line, n) => {
    const parts = pieces(line);
    return parts.map((part, i) => `${runtimeTime(n)} stdout ${i === parts.length - 1 ? 'F' : 'P'} ${part}`);
  },
  docker: (line, n) => [`${runtimeTime(n)} ${line}`],
  'docker-json': (line, n) => {
    const parts = pieces(`${line}\n`);
    return parts.map((part) => JSON.stringify({ log: part, stream: 'stdout', time: runtimeTime(n) }));
  },
  journald: (line, n) => [
    JSON.stringify({
      __CURSOR: `s=1;i=${n}`,
      __REALTIME_TIMESTAMP: String(Date.UTC(2026, 10, 28, 5) * 1000 + n),
      _PID: '4242',
      SYSLOG_IDENTIFIER: 'gpu-server',
      MESSAGE: line,
    }),
  ],
};

let root = '';
let plain: GeneratedLogs;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-wrapped-'));
  plain = generateLogs({ dir: path.join(root, 'plain'), seed: 41, requests: 40, style: 'mixed', corrupt: false });
  // A line longer than the runtimes' pieces, so that they split it (CRI `P`, json-file without `\n`).
  const long = {
    level: 'ERROR',
    time: '2026-11-28T05:00:00.500Z',
    service: 'gpu_server',
    event: 'error_comfyui',
    error_code: 'comfyui_execution_error',
    error: 'x'.repeat(40_000),
    msg: 'long',
  };
  appendFileSync(path.join(plain.dir, 'gpu_server.log'), `${JSON.stringify(long)}\n`);
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    const dir = path.join(root, name);
    mkdirSync(dir);
    for (const file of readdirSync(plain.dir)) {
      const text = readFileSync(path.join(plain.dir, file), 'utf8');
      if (file.startsWith('comfyui')) {
        writeFileSync(path.join(dir, file), text);
        continue;
      }
      const lines = text.split('\n').filter((l) => l !== '');
      writeFileSync(path.join(dir, file), `${lines.flatMap((l, n) => wrap(l, n)).join('\n')}\n`);
    }
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** An answer without its input summary (paths and line counts differ by construction). */
function answer(json: Json): Json {
  const { input: _input, ...rest } = json;
  return rest;
}

describe.each(Object.keys(WRAPPERS))('logs wrapped by %s', (name) => {
  const dir = () => path.join(root, name);

  it("perf, errors and trace give the plain directory's answers", async () => {
    for (const command of [['perf'], ['errors', '--level', 'warn']]) {
      const wrapped = await runJson<Json>([...command, '--dir', dir()]);
      const reference = await runJson<Json>([...command, '--dir', plain.dir]);
      expect(answer(wrapped.json)).toEqual(answer(reference.json));
      expect(wrapped.json['input']['skipped']).toBe(0);
    }
    expect(readFileSync(path.join(dir(), 'gpu_server.log'), 'utf8')).not.toContain('\n{"level"');
    for (const request of plain.expected.requests.slice(0, 6)) {
      const wrapped = await runJson<Json>(['trace', request.request_id, '--dir', dir()]);
      const reference = await runJson<Json>(['trace', request.request_id, '--dir', plain.dir]);
      expect(answer(wrapped.json)).toEqual(answer(reference.json));
    }
  });

  it('is read without a word on stderr', async () => {
    const { code, stderr } = await runCli(['perf', '--dir', dir()]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe("the runtime's time", () => {
  it('stands in for a record without its own', async () => {
    const dir = path.join(root, 'timeless');
    mkdirSync(dir);
    const record = {
      level: 'INFO',
      service: 'gpu_server',
      event: 'comfyui_complete',
      request_id: '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10',
      duration_ms: 4200,
      msg: 'done',
    };
    writeFileSync(path.join(dir, 'gpu_server.log'), `${WRAPPERS['cri']?.(JSON.stringify(record), 7).join('\n')}\n`);
    const { json } = await runJson<Json>(['trace', record.request_id, '--dir', dir]);
    // CRI's nanoseconds, kept to the microsecond.
    expect(json['events'][0]['time']).toBe('2026-11-28T05:00:07.123457Z');
  });

  it('does not hide a directory of wrapped logs, and a file no one can read is named with why', async () => {
    const dir = path.join(root, 'text');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'worker.log'), 'starting\nready\n{"level":"INFO","time":"2026-11-28T05:00:00Z","msg":"x"}\nplain text\n');
    const { code, stderr } = await runCli(['perf', '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(`no JSON-lines log in ${dir}: ignored worker.log (not JSON lines: 3 of the first 4 lines are not objects)`);
  });

  it("names an ignored file in --json too, and never ignores a service's own log", async () => {
    const dir = path.join(root, 'mixed');
    mkdirSync(dir);
    const good = (n: number) =>
      `{"level":"INFO","time":"2026-11-28T05:00:0${n}Z","event":"comfyui_complete","duration_ms":${n * 100},"msg":"x"}`;
    writeFileSync(path.join(dir, 'worker.log'), ['boot', good(1), 'warming up', good(2), 'ready', good(3), '--'].join('\n'));
    writeFileSync(
      path.join(dir, 'gpu_server.log'),
      ['Traceback (most recent call last):', '  File "x.py", line 1', good(4), 'ValueError: x'].join('\n'),
    );
    const { code, json } = await runJson<Json>(['perf', '--dir', dir]);
    expect(code).toBe(0);
    expect(json['input']['ignored']).toEqual([
      { path: path.join(dir, 'worker.log'), reason: 'not JSON lines: 4 of the first 7 lines are not objects' },
    ]);
    expect(json['generation']['count']).toBe(1);
    expect(json['input']['by_file'][0]).toMatchObject({ path: path.join(dir, 'gpu_server.log'), lines: 4 });
  });
});
