import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLogs, type GeneratedLogs } from '../src/generator/generate-logs.js';
import { interrupt, ourLine, pause, startFollowing } from './follow-process.js';

const FAST = ['--window-ms', '100', '--poll-ms', '200'];

let root = '';
let gen: GeneratedLogs;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-follow-cmd-'));
  gen = generateLogs({ dir: path.join(root, 'generated'), seed: 7, requests: 24, corrupt: false });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function logDir(): string {
  const dir = path.join(root, `logs-${++n}`);
  mkdirSync(dir);
  return dir;
}

const parse = (line: string) => JSON.parse(line) as Record<string, any>;

describe('trace -f', () => {
  it("prints the trace so far, then the request's new lines, and ends with exit 0 at its response_sent", async () => {
    const request = gen.expected.requests.find((r) => r.outcome === 'ok');
    if (request === undefined) throw new Error('the generator wrote no ok request');
    const dir = logDir();
    cpSync(gen.dir, dir, { recursive: true });
    const backend = path.join(dir, 'backend.log');
    const lines = readFileSync(backend, 'utf8').split('\n');
    const last = lines.findIndex((l) => l.includes('"response_sent"') && l.includes(request.request_id));
    expect(last).toBeGreaterThan(-1);
    const held = lines.splice(last, 1)[0] as string;
    writeFileSync(backend, lines.join('\n'));
    const f = startFollowing(['trace', '-f', request.request_id, '--dir', dir, '--json', ...FAST]);
    await f.waitFor((x) => x.lines().length === 1, 15_000, 'the trace so far');
    const report = parse(f.lines()[0] as string);
    expect(report['request_id']).toBe(request.request_id);
    expect(report['events'].some((e: Record<string, unknown>) => e['event'] === 'response_sent')).toBe(false);
    // Lines of other requests are not shown.
    appendFileSync(backend, ourLine('someone else', { fields: { request_id: '99999999-0000-4000-8000-000000000000' } }));
    await pause(400);
    appendFileSync(backend, `${held}\n`);
    expect(await f.exited).toBe(0);
    const shown = f.lines().slice(1).map(parse);
    expect(shown.map((e) => e['event'])).toEqual(['response_sent']);
    expect(shown[0]?.['request_id']).toBe(request.request_id);
  });

  it('waits for an id not in the logs yet, and gives up with exit 1 at --timeout', async () => {
    const dir = logDir();
    writeFileSync(path.join(dir, 'backend.log'), ourLine('start'));
    const id = '12345678-aaaa-4bbb-8ccc-dddddddddddd';
    const f = startFollowing(['trace', '-f', id, '--dir', dir, ...FAST, '--timeout', '3s']);
    await f.waitFor((x) => x.stderr.includes('not in the logs yet: waiting for it'), 10_000, 'the wait');
    appendFileSync(path.join(dir, 'backend.log'), ourLine('received', { fields: { request_id: id } }));
    await f.waitFor((x) => x.lines().length === 1, 10_000, 'its first line');
    expect(await f.exited).toBe(1);
    expect(f.lines()[0]).toMatch(/INFO\s+backend\s+request_received\s+-\s+received\s+12345678-aaaa/);
    expect(f.stderr).toContain('no response_sent for this request within --timeout');
  });
});

describe('perf -f', () => {
  it('emits one JSON object per interval over the rolling window, and exits 0 on Ctrl-C', async () => {
    const dir = logDir();
    const log = path.join(dir, 'backend.log');
    const sent = (ms: number, time = Date.now()) =>
      ourLine('response sent', { event: 'response_sent', time, fields: { duration_ms: ms, status: 200 } });
    // One inside the window, one long before it.
    writeFileSync(log, sent(1000) + sent(9999, Date.now() - 3_600_000));
    const f = startFollowing(['perf', '-f', '--dir', dir, '--json', ...FAST, '--interval', '300ms', '--window', '1m']);
    await f.waitFor((x) => x.lines().length >= 2, 10_000, 'two intervals');
    appendFileSync(log, sent(3000) + sent(5000));
    const start = f.lines().length;
    await f.waitFor(
      (x) =>
        x
          .lines()
          .slice(start)
          .some((l) => parse(l)['stages']['backend_end_to_end']['count'] === 3),
      10_000,
      'the new lines',
    );
    const before = f.lines().length;
    await pause(1000);
    const during = f.lines().length - before;
    expect(await interrupt(f)).toBe(0);
    // About one object per 300 ms, each a whole report with its window.
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(5);
    const objects = f.lines().map(parse);
    expect(objects[0]?.['stages']['backend_end_to_end']).toMatchObject({ count: 1, max_ms: 1000 });
    const lastReport = objects.at(-1) as Record<string, any>;
    expect(lastReport['stages']['backend_end_to_end']).toMatchObject({ count: 3, min_ms: 1000, max_ms: 5000 });
    expect(Date.parse(lastReport['window']['until']) - Date.parse(lastReport['window']['since'])).toBe(60_000);
  });
});

describe('perf -f (text)', () => {
  it('prints the tables again every interval, one after the other when not on a terminal', async () => {
    const dir = logDir();
    writeFileSync(
      path.join(dir, 'backend.log'),
      ourLine('response sent', { event: 'response_sent', fields: { duration_ms: 1200, status: 200 } }),
    );
    const f = startFollowing(['perf', '-f', '--dir', dir, ...FAST, '--interval', '300ms']);
    await f.waitFor((x) => (x.stdout.match(/^perf over /gm) ?? []).length >= 3, 10_000, 'three reports');
    expect(await interrupt(f)).toBe(0);
    expect(f.stdout).not.toContain('\u001b[2J');
    expect(f.stdout).toMatch(/^perf over \S+ – \S+ \(every 0\.3 s; Ctrl-C to stop\)$/m);
  });
});

describe('errors -f', () => {
  it('prints the groups, then each new error as a new group or one more of a group', async () => {
    const dir = logDir();
    const log = path.join(dir, 'gpu_server.log');
    const failed = (msg: string) =>
      ourLine(msg, { service: 'gpu_server', level: 'ERROR', event: 'error_comfyui', fields: { error_code: 'COMFYUI_UNREACHABLE' } });
    writeFileSync(log, failed('connect ECONNREFUSED 127.0.0.1:8188'));
    const f = startFollowing(['errors', '-f', '--dir', dir, '--json', ...FAST]);
    await f.waitFor((x) => x.lines().length === 1, 10_000, 'the report');
    expect(parse(f.lines()[0] as string)).toMatchObject({ total: 1 });
    appendFileSync(log, failed('connect ECONNREFUSED 127.0.0.1:9999') + ourLine('fine', { service: 'gpu_server' }) + failed('disk full'));
    await f.waitFor((x) => x.lines().length === 3, 10_000, 'two errors');
    await pause(300);
    expect(await interrupt(f)).toBe(0);
    const [occurrence, fresh] = f.lines().slice(1).map(parse);
    expect(occurrence).toMatchObject({ kind: 'occurrence', count: 2, group: { service: 'gpu_server', error_code: 'COMFYUI_UNREACHABLE' } });
    expect(occurrence?.['error']['msg']).toBe('connect ECONNREFUSED 127.0.0.1:9999');
    expect(fresh).toMatchObject({ kind: 'new_group', count: 1, group: { message: 'disk full' } });
  });
});

describe('tail over a replayed generated directory', () => {
  it("shows every record once, parses as NDJSON, and attributes ComfyUI's lines to their requests as they arrive", async () => {
    const dir = logDir();
    const f = startFollowing(['tail', '--dir', dir, '--json', '--poll-ms', '200']);
    await f.waitFor((x) => x.stderr.includes('yet: waiting for *.log files'), 10_000, 'the wait for logs');
    // Every line of every file, in time order, written in batches as the services would,
    // with its time moved to now (hours of logs in a second: every line is "from now on").
    const files = ['backend.log', 'gpu_server.log', 'telegram_bot.log', 'comfyui.log'];
    const timed: { file: string; time: number; line: string; seq: number }[] = [];
    let seq = 0;
    const TIME = /"time":"([^"]+)"|"time":(\d+)|^(\d{4}-\d\d-\d\dT[\d:.]+Z)/;
    for (const file of files) {
      for (const line of readFileSync(path.join(gen.dir, file), 'utf8').split('\n')) {
        if (line === '') continue;
        const stamp = TIME.exec(line);
        const time = stamp === null ? Number.NaN : stamp[2] !== undefined ? Number(stamp[2]) : Date.parse((stamp[1] ?? stamp[3]) as string);
        timed.push({ file, time: Number.isNaN(time) ? (timed.at(-1)?.time ?? 0) : time, line, seq: seq++ });
      }
    }
    timed.sort((a, b) => a.time - b.time || a.seq - b.seq);
    const shift = Date.now() - (timed[0]?.time ?? 0);
    const moved = (line: string) =>
      line.replace(TIME, (_, iso?: string, epoch?: string, stamped?: string) => {
        if (epoch !== undefined) return `"time":${Number(epoch) + shift}`;
        const at = new Date(Date.parse((iso ?? stamped) as string) + shift).toISOString();
        return iso !== undefined ? `"time":"${at}"` : at;
      });
    const records = timed.filter((t) => t.file !== 'comfyui.log').length;
    for (let i = 0; i < timed.length; i += 150) {
      for (const t of timed.slice(i, i + 150)) appendFileSync(path.join(dir, t.file), `${moved(t.line)}\n`);
      await pause(30);
    }
    await f.waitFor((x) => x.lines().filter((l) => parse(l)['service'] !== 'comfyui').length === records, 20_000, `${records} records`);
    await pause(1000);
    expect(await interrupt(f)).toBe(0);
    const shown = f.lines().map(parse);
    expect(shown.filter((e) => e['service'] !== 'comfyui')).toHaveLength(records);
    // Each ok request's ComfyUI lines carry its ids.
    for (const request of gen.expected.requests.filter((r) => r.outcome === 'ok')) {
      const mine = shown
        .filter((e) => e['service'] === 'comfyui' && e['request_id'] === request.request_id)
        .flatMap((e) => String(e['text'] ?? e['msg']).split('\n'));
      expect(mine).toEqual(request.comfyui);
    }
  });
});

describe('follow options on the command line', () => {
  it('refuses what following cannot do, with exit 2 and a clear message', async () => {
    const { runCli } = await import('./run-cli.js');
    const dir = logDir();
    writeFileSync(path.join(dir, 'backend.log'), ourLine('x'));
    const cases: [string[], RegExp][] = [
      [['tail', '--dir', dir, '--until', '1h'], /--until cannot be used with tail/],
      [['perf', '--follow', '--dir', dir, '--until', '1h'], /--until cannot be used with --follow/],
      [['perf', '--follow', '--dir', dir, '--interval', '0'], /--window and --interval: must be longer than 0/],
      [['trace', 'abcdefgh', '--dir', dir, '--timeout', '5m'], /--timeout is for -f/],
      [['tail', '--dir', dir, '--level', 'loud'], /--level: expected debug, info, warn, error or fatal, got "loud"/],
      [['tail', '--dir', dir, '--poll-ms', '0'], /--poll-ms: must be at least 1/],
      [['tail', '--dir', path.join(dir, 'missing')], /cannot read log directory/],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});
