// The follow row of `npm run bench`: `logtrace tail` while lines are appended at a
// steady rate across two files, with rotations (rename and create, `.1` then gzip)
// during the run; then its CPU use on idle logs. Imported by bench.mjs; also runs alone:
// node bench/follow-bench.mjs [seconds] [lines per second].
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOGTRACE = path.join(ROOT, 'packages/logtools/bin/logtrace.js');
const { formatRecord } = await import(path.join(ROOT, 'packages/logtools/dist/generator/format-record.js'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FILES = ['backend', 'gpu_server'];

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Nearest-rank percentile of sorted values. */
const rank = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

function startTail(dir, extra = []) {
  const child = spawn(process.execPath, [LOGTRACE, 'tail', '--dir', dir, '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

/**
 * Appends `rate` lines/s for `seconds` (every 10 ms a batch, alternating files), with
 * `rotations` rotations of backend.log spread over the run, while `logtrace tail`
 * follows; returns latencies (write → line read from tail's stdout), counts and CPU.
 */
export async function benchFollow({ seconds = 60, rate = 2000, rotations = 10, idleSeconds = 20 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'logtrace-follow-bench-'));
  try {
    const fds = new Map(FILES.map((f) => [f, openSync(path.join(dir, `${f}.log`), 'a')]));
    const tail = startTail(dir);
    const latencies = [];
    const seen = new Set();
    let duplicates = 0;
    const slow = [];
    let pending = '';
    tail.child.stdout.on('data', (chunk) => {
      const now = Date.now();
      const text = pending + chunk.toString();
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const record = JSON.parse(line);
        if (seen.has(record.seq)) duplicates++;
        seen.add(record.seq);
        latencies.push(now - record.sent_at);
        if (now - record.sent_at > 900) slow.push({ at: record.sent_at, ms: now - record.sent_at, service: record.service });
      }
    });
    await sleep(1500);
    const cpuStart = cpuSeconds(tail.child.pid);
    const start = Date.now();
    let seq = 0;
    let rotated = 0;
    const every = (seconds * 1000) / (rotations + 1);
    while (Date.now() - start < seconds * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * rate);
      while (seq < due) {
        const file = FILES[seq % FILES.length];
        const now = Date.now();
        const line = formatRecord(
          'ours',
          { time: now, level: 'INFO', service: file, event: 'request_received', msg: 'bench', fields: { seq, sent_at: now } },
          1,
        );
        writeSync(fds.get(file), `${line}\n`);
        seq++;
      }
      if (rotated < rotations && Date.now() - start >= every * (rotated + 1)) {
        // logrotate's way: .1 → .2.gz, live → .1, a new live file; the writer reopens 50 ms later.
        const live = path.join(dir, 'backend.log');
        const one = `${live}.1`;
        if (rotated > 0) {
          writeFileSync(`${live}.2.gz`, gzipSync(readFileSync(one)));
          unlinkSync(one);
        }
        renameSync(live, one);
        setTimeout(() => {
          closeSync(fds.get('backend'));
          fds.set('backend', openSync(live, 'a'));
        }, 50);
        rotated++;
      }
      await sleep(10);
    }
    const busyCpu = (cpuSeconds(tail.child.pid) - cpuStart) / ((Date.now() - start) / 1000);
    await sleep(3000);
    tail.child.kill('SIGINT');
    const exitCode = await tail.exited;
    for (const fd of fds.values()) closeSync(fd);
    // Idle: a tail on the quiet directory, with file-system notifications and polling only.
    const idle = {};
    for (const [mode, extra] of [
      ['watch', []],
      ['poll', ['--no-watch']],
    ]) {
      const quiet = startTail(dir, extra);
      // Start-up (listing, compiling) is over by then.
      await sleep(3000);
      const before = cpuSeconds(quiet.child.pid);
      await sleep(idleSeconds * 1000);
      idle[mode] = (cpuSeconds(quiet.child.pid) - before) / idleSeconds;
      quiet.child.kill('SIGINT');
      await quiet.exited;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      seconds,
      rate,
      rotations: rotated,
      written: seq,
      shown: seen.size,
      lost: seq - seen.size,
      duplicates,
      p50: rank(sorted, 50),
      p99: rank(sorted, 99),
      max: sorted.at(-1),
      busyCpu,
      idle,
      exitCode,
      notes: tail.stderr(),
      slow,
      start,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The markdown lines of the follow row. */
export function reportFollow(r) {
  const ok = r.p99 <= 1000 && r.lost === 0 && r.duplicates === 0;
  return [
    '| follow (logtrace tail) | lines/s | s | rotations | written | shown | lost | duplicated | p50 ms | p99 ms | max ms | CPU busy | CPU idle (fs.watch) | CPU idle (--no-watch) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| tail --json, 2 files | ${r.rate} | ${r.seconds} | ${r.rotations} | ${r.written} | ${r.shown} | ${r.lost} | ${r.duplicates} | ${r.p50} | ${r.p99} | ${r.max} | ${(r.busyCpu * 100).toFixed(1)} % | ${(r.idle.watch * 100).toFixed(2)} % | ${(r.idle.poll * 100).toFixed(2)} % |`,
    '',
    `- ${ok ? 'met' : '**not met**'}: follow: a line appended at ${r.rate} lines/s shows within 1 s (p99 ${r.p99} ms, p50 ${r.p50} ms), nothing lost or duplicated across ${r.rotations} rotations (${r.lost} lost, ${r.duplicates} duplicated)`,
    `- ${r.idle.watch < 0.01 && r.idle.poll < 0.01 ? 'met' : '**not met**'}: idle CPU under 1 % (${(r.idle.watch * 100).toFixed(2)} % with fs.watch, ${(r.idle.poll * 100).toFixed(2)} % polling); tail exited ${r.exitCode} on SIGINT`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 60);
  const rate = Number(process.argv[3] ?? 2000);
  const result = await benchFollow({ seconds, rate });
  process.stdout.write(`${reportFollow(result).join('\n')}\n`);
  if (process.env.FOLLOW_BENCH_SLOW)
    process.stderr.write(`${JSON.stringify(result.slow.map((x) => ({ ...x, at: x.at - result.start })))}\n`);
}
