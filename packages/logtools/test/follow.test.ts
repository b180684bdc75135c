import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interrupt, messages, ourLine, pause, startFollowing } from './follow-process.js';

let root = '';
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-follow-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh empty log directory. */
function logDir(): string {
  const dir = path.join(root, `logs-${++n}`);
  mkdirSync(dir);
  return dir;
}

/** tail --json with short intervals, from an hour back (so lines written before it listed the files are read too). */
const FAST = ['--window-ms', '100', '--poll-ms', '200'];
function tail(dir: string, ...extra: string[]) {
  return startFollowing(['tail', '--dir', dir, '--json', '--since', '1h', ...FAST, ...extra]);
}

/** `prefix-0` … `prefix-(count-1)`. */
function names(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${from + i}`);
}

/** Exactly these messages, each once (in any order across files). */
function expectExactly(shown: readonly string[], expected: readonly string[]): void {
  expect(shown.length).toBe(expected.length);
  expect([...shown].sort()).toEqual([...expected].sort());
}

describe('logtrace tail (the built CLI, real files)', () => {
  it('follows appends, waits for a torn last line and a UTF-8 character split across writes, and exits 0 on Ctrl-C', async () => {
    const dir = logDir();
    const log = path.join(dir, 'backend.log');
    writeFileSync(
      log,
      names('before', 5)
        .map((m) => ourLine(m))
        .join(''),
    );
    const f = tail(dir);
    await f.waitFor((x) => x.lines().length === 5, 10_000, 'the history');
    for (const batch of [0, 1, 2, 3])
      appendFileSync(
        log,
        names('append', 25, batch * 25)
          .map((m) => ourLine(m))
          .join(''),
      );
    // Two records glued by a lost newline are both shown.
    appendFileSync(log, `${ourLine('glued-1').trimEnd()}${ourLine('glued-2')}`);
    // A line torn mid-character: "café" is 0x63 0x61 0x66 0xc3 0xa9.
    const torn = Buffer.from(ourLine('torn café'));
    const cut = torn.indexOf(0xc3) + 1;
    appendFileSync(log, torn.subarray(0, cut));
    await pause(400);
    appendFileSync(log, torn.subarray(cut));
    await f.waitFor((x) => x.lines().length === 108, 10_000, '108 lines');
    await pause(300);
    expect(await interrupt(f)).toBe(0);
    expectExactly(messages(f.lines()), [...names('before', 5), ...names('append', 100), 'glued-1', 'glued-2', 'torn café']);
    expect(f.stderr).toBe('');
  });

  it('starts with the history since --since, rotations and .gz included, in time order, then goes on live', async () => {
    const dir = logDir();
    const t = Date.now() - 60_000;
    const at = (i: number) => ({ time: t + i * 10 });
    writeFileSync(path.join(dir, 'backend.log.2.gz'), gzipSync(['h-0', 'h-1'].map((m, i) => ourLine(m, at(i))).join('')));
    writeFileSync(path.join(dir, 'backend.log.1'), ['h-2', 'h-3'].map((m, i) => ourLine(m, at(2 + i))).join(''));
    writeFileSync(path.join(dir, 'backend.log'), ['h-5'].map((m) => ourLine(m, at(5))).join(''));
    writeFileSync(
      path.join(dir, 'gpu_server.log'),
      ourLine('h-4', { service: 'gpu_server', ...at(4) }) + ourLine('too old', { time: t - 3_600_000 }),
    );
    const f = startFollowing(['tail', '--dir', dir, '--json', '--since', '30m', ...FAST]);
    await f.waitFor((x) => x.lines().length === 6, 10_000, 'the history');
    appendFileSync(path.join(dir, 'backend.log'), ourLine('live'));
    await f.waitFor((x) => x.lines().length === 7, 10_000, 'the live line');
    await pause(300);
    expect(await interrupt(f)).toBe(0);
    expect(messages(f.lines())).toEqual(['h-0', 'h-1', 'h-2', 'h-3', 'h-4', 'h-5', 'live']);
  });

  it('follows ten rotations by rename and create, `.1` then gzip, while the writer still writes to the renamed file', async () => {
    const dir = logDir();
    const log = path.join(dir, 'backend.log');
    writeFileSync(log, '');
    const f = tail(dir);
    await pause(500);
    const expected: string[] = [];
    let fd = openSync(log, 'a');
    for (let r = 0; r < 10; r++) {
      const lines = names(`r${r}`, 40);
      for (const m of lines.slice(0, 30)) writeSync(fd, ourLine(m));
      // logrotate: x.log.1 → x.log.2.gz, x.log → x.log.1, new x.log; the writer reopens a little later.
      if (r > 0) {
        writeFileSync(path.join(dir, `backend.log.2.gz`), gzipSync(readFileSync(path.join(dir, 'backend.log.1'))));
        unlinkSync(path.join(dir, 'backend.log.1'));
      }
      renameSync(log, path.join(dir, 'backend.log.1'));
      for (const m of lines.slice(30, 35)) writeSync(fd, ourLine(m));
      await pause(r % 2 === 0 ? 50 : 300);
      closeSync(fd);
      fd = openSync(log, 'a');
      for (const m of lines.slice(35)) writeSync(fd, ourLine(m));
      expected.push(...lines);
      await pause(100);
    }
    closeSync(fd);
    await f.waitFor((x) => x.lines().length >= expected.length, 15_000, `${expected.length} lines`);
    await pause(2500);
    expect(await interrupt(f)).toBe(0);
    expectExactly(messages(f.lines()), expected);
    expect(f.stderr).toContain('backend.log was rotated: following the new file from its start');
  });

  it('reads a file truncated in place (copytruncate) again from 0 and says so, also when it regrew past the old size', async () => {
    const dir = logDir();
    const log = path.join(dir, 'gpu_server.log');
    writeFileSync(
      log,
      names('first', 50)
        .map((m) => ourLine(m, { service: 'gpu_server' }))
        .join(''),
    );
    const f = tail(dir);
    await f.waitFor((x) => x.lines().length === 50, 10_000, 'the first 50');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await pause(500);
    appendFileSync(
      log,
      names('second', 20)
        .map((m) => ourLine(m, { service: 'gpu_server' }))
        .join(''),
    );
    await f.waitFor((x) => x.lines().length === 70, 10_000, '70 lines');
    // Truncated and refilled beyond the old size at once: only the changed head shows it.
    truncateSync(log, 0);
    appendFileSync(
      log,
      names('third', 60)
        .map((m) => ourLine(m, { service: 'gpu_server' }))
        .join(''),
    );
    await f.waitFor((x) => x.lines().length === 130, 10_000, '130 lines');
    await pause(300);
    expect(await interrupt(f)).toBe(0);
    expectExactly(messages(f.lines()), [...names('first', 50), ...names('second', 20), ...names('third', 60)]);
    expect(f.stderr.match(/gpu_server\.log was truncated \(copytruncate\?\): reading it again from the start/g)?.length).toBe(2);
  });

  it('follows log files created later and reads deleted ones to their end', async () => {
    const dir = logDir();
    writeFileSync(path.join(dir, 'backend.log'), ourLine('b-0'));
    const f = tail(dir);
    await f.waitFor((x) => x.lines().length === 1);
    writeFileSync(
      path.join(dir, 'telegram_bot.log'),
      names('bot', 20)
        .map((m) => ourLine(m, { service: 'telegram_bot' }))
        .join(''),
    );
    appendFileSync(
      path.join(dir, 'backend.log'),
      names('b', 9, 1)
        .map((m) => ourLine(m))
        .join(''),
    );
    unlinkSync(path.join(dir, 'backend.log'));
    await f.waitFor((x) => x.lines().length === 30, 10_000, '30 lines');
    await f.waitFor((x) => x.stderr.includes('backend.log was deleted'), 10_000, 'the note on the deleted file');
    // A startup.log (plain text) and rotations appearing are not followed.
    writeFileSync(path.join(dir, 'startup.log'), 'starting the stack\n');
    writeFileSync(path.join(dir, 'telegram_bot.log.1'), ourLine('old rotation', { service: 'telegram_bot' }));
    writeFileSync(path.join(dir, 'backend.log'), ourLine('b-again'));
    await f.waitFor((x) => x.lines().length === 31, 10_000, '31 lines');
    await pause(500);
    expect(await interrupt(f)).toBe(0);
    expectExactly(messages(f.lines()), [...names('bot', 20), ...names('b', 10), 'b-again']);
    const services = f.lines().map((l) => (JSON.parse(l) as { service: string }).service);
    expect(new Set(services)).toEqual(new Set(['backend', 'telegram_bot']));
    expect(f.stderr).toContain('telegram_bot.log appeared: following it from its start');
    expect(f.stderr).toContain('backend.log was deleted (or renamed away and not created again): read to its end');
  });

  it('polls without file-system notifications (--no-watch) and merges files by time within the window', async () => {
    const dir = logDir();
    const f = startFollowing(['tail', '--dir', dir, '--json', '--window-ms', '400', '--no-watch']);
    await f.waitFor((x) => x.stderr.includes('yet: waiting for *.log files'), 10_000, 'the wait for logs');
    const t = Date.now();
    // Written out of order across two files, within the window.
    writeFileSync(path.join(dir, 'gpu_server.log'), ourLine('second', { service: 'gpu_server', time: t + 2 }));
    writeFileSync(path.join(dir, 'backend.log'), ourLine('first', { time: t + 1 }));
    appendFileSync(path.join(dir, 'gpu_server.log'), ourLine('third', { service: 'gpu_server', time: t + 3 }));
    await f.waitFor((x) => x.lines().length === 3, 10_000, '3 lines');
    expect(await interrupt(f)).toBe(0);
    expect(messages(f.lines())).toEqual(['first', 'second', 'third']);
  });

  it('filters by service, level and id, and prints the one-line form of errors --no-group', async () => {
    const dir = logDir();
    const id = '0b6f4c1e-1111-4222-8333-944445555666';
    writeFileSync(
      path.join(dir, 'backend.log'),
      [
        ourLine('info line', { fields: { request_id: id } }),
        ourLine('boom \u001b[31mred', { level: 'ERROR', event: 'error_internal', fields: { request_id: id, error_code: 'E1' } }),
        ourLine('other request', { level: 'ERROR', event: 'error_internal', fields: { request_id: 'ffffffff-0000' } }),
      ].join(''),
    );
    writeFileSync(
      path.join(dir, 'gpu_server.log'),
      ourLine('gpu error', { service: 'gpu_server', level: 'ERROR', fields: { request_id: id } }),
    );
    const f = startFollowing([
      'tail',
      '--dir',
      dir,
      '--since',
      '1h',
      ...FAST,
      '--service',
      'backend',
      '--level',
      'error',
      '--id',
      '0b6f4c1e',
    ]);
    await f.waitFor((x) => x.lines().length === 1);
    await pause(400);
    expect(await interrupt(f)).toBe(0);
    const [line] = f.lines();
    expect(line).toMatch(/ERROR\s+backend\s+error_internal\s+E1\s+boom \\x1b\[31mred\s+0b6f4c1e-1111/);
    expect(f.lines()).toHaveLength(1);
  });

  it('exits 0 when the reader of its output goes away (| head)', async () => {
    const dir = logDir();
    const log = path.join(dir, 'backend.log');
    writeFileSync(log, '');
    const f = tail(dir);
    await pause(400);
    f.child.stdout.once('data', () => f.child.stdout.destroy());
    let i = 0;
    const writer = setInterval(() => appendFileSync(log, ourLine(`line-${i++}`)), 20);
    const code = await Promise.race([f.exited, pause(10_000).then(() => 'still running')]);
    clearInterval(writer);
    expect(code).toBe(0);
  });
});
