#!/usr/bin/env node
// `npm run bench`: logtrace against the tools operators use today (jq, grep/awk in both
// locales, rg) on a generated log directory, and what logging costs the services
// (autocannon, logged vs LOG_LEVEL=silent). Slow (minutes); never part of `npm test`.
// Prints markdown tables; docs/performance.md keeps the latest ones.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOGTRACE = path.join(ROOT, 'packages/logtools/bin/logtrace.js');
const GENERATOR = path.join(ROOT, 'packages/logtools/dist/bin/generate-logs.js');
const SERVICES = path.join(ROOT, 'packages/services/dist/bin');

const USAGE = `Usage: npm run bench -- [options]
  --size SIZE       generated log directory size (default 1GB; e.g. 200MB for a quick run)
  --runs N          repetitions of each command, alternating (default 5; jq runs at most twice)
  --dir DIR         where data is generated and kept between runs (default .bench/)
  --no-services     skip the services throughput comparison
  --duration S      seconds per autocannon run (default 10)
  --rounds N        alternating logged/silent rounds for the services (default 3)
  --out FILE        also write the report (markdown) to FILE
  --only KEYS       run only these rows (comma-separated keys: lt-perf, grep-c, lt-help, ..., web for logtrace serve)`;

const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '1GB' },
    runs: { type: 'string', default: '5' },
    dir: { type: 'string', default: path.join(ROOT, '.bench') },
    'no-services': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const RUNS = Math.max(1, Number(opts.runs));
// Other work on the machine shows in every number: the load is reported with the results.
const LOAD_AT_START = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const notes = [];
const log = (text) => process.stderr.write(`bench: ${text}\n`);

// ---------------------------------------------------------------- tools
/** Installs missing Debian packages (ripgrep, jq, GNU time) with scripts/apt_install.sh; a failure is noted, not fatal. */
function ensureTools() {
  const wanted = ['rg=ripgrep', 'jq', '/usr/bin/time=time'];
  const installed = spawnSync(path.join(ROOT, 'scripts', 'apt_install.sh'), wanted, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (installed.status !== 0) notes.push('could not install every baseline tool: the rows needing them are left out');
}

function has(cmd) {
  return cmd.startsWith('/') ? existsSync(cmd) : spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------- data
function generate(dir, args) {
  if (existsSync(path.join(dir, 'done'))) return;
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${dir} (${args.join(' ')})`);
  execFileSync(process.execPath, [GENERATOR, '--dir', dir, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(path.join(dir, 'done'), '');
}

function prepareData() {
  const base = path.resolve(opts.dir, opts.size);
  const clean = path.join(base, 'clean');
  generate(clean, ['--size', opts.size, '--clean', '--seed', '7']);
  const gz = path.join(base, 'gz');
  if (!existsSync(path.join(gz, 'done'))) {
    mkdirSync(gz, { recursive: true });
    for (const name of ['backend.log', 'gpu_server.log']) {
      log(`gzip ${name}`);
      execFileSync('sh', ['-c', `gzip -1 -c '${path.join(clean, name)}' > '${path.join(gz, `${name}.1.gz`)}'`]);
    }
    writeFileSync(path.join(gz, 'done'), '');
  }
  const small = path.join(base, 'small');
  generate(small, ['--requests', '300', '--seed', '8', '--clean']);
  const grow = prepareGrowing(clean, path.join(base, 'grow'));
  // Every bench starts its cache rows afresh.
  rmSync(path.join(base, 'cache'), { recursive: true, force: true });
  const json = readdirSync(clean)
    .filter((f) => f.endsWith('.log') && f !== 'comfyui.log')
    .map((f) => path.join(clean, f));
  const all = readdirSync(clean)
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(clean, f));
  const bytes = (files) => files.reduce((s, f) => s + statSync(f).size, 0);
  const gzFiles = readdirSync(gz).filter((f) => f.endsWith('.gz'));
  const gzBytes = bytes(['backend.log', 'gpu_server.log'].map((f) => path.join(clean, f)));
  const id = pickRequestId(path.join(clean, 'backend.log'));
  const smallBytes = bytes(
    readdirSync(small)
      .filter((f) => f.endsWith('.log'))
      .map((f) => path.join(small, f)),
  );
  return {
    clean,
    gz,
    small,
    grow,
    cacheRoot: path.join(base, 'cache'),
    smallBytes,
    json,
    all,
    jsonBytes: bytes(json),
    allBytes: bytes(all),
    gzBytes,
    gzFiles,
    id,
    smallId: pickRequestId(path.join(small, 'backend.log')),
  };
}

/**
 * The append row's data: a copy of the directory, and a cache snapshot (`grow/cache-99`)
 * built when each JSON-lines file held 99 % of its bytes (cut after a line); the files
 * were then completed, so a run restoring that snapshot reads the last 1 %.
 */
function prepareGrowing(clean, dir) {
  const files = path.join(dir, 'logs');
  const snapshot = path.join(dir, 'cache-99');
  if (existsSync(path.join(dir, 'done'))) return { files, snapshot };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(files, { recursive: true });
  log(`preparing ${dir}: the index of the first 99 %`);
  const names = readdirSync(clean).filter((f) => f.endsWith('.log'));
  for (const name of names) execFileSync('cp', [path.join(clean, name), path.join(files, name)]);
  const cuts = new Map();
  for (const name of names.filter((n) => n !== 'comfyui.log')) {
    const file = path.join(files, name);
    const size = statSync(file).size;
    const tail = readFileSync(file).subarray(Math.floor(size * 0.99));
    const cut = Math.floor(size * 0.99) + tail.indexOf(10) + 1;
    cuts.set(name, readFileSync(file).subarray(cut));
    execFileSync('truncate', ['-s', String(cut), file]);
  }
  execFileSync(process.execPath, [LOGTRACE, 'perf', '--json', '--dir', files], {
    env: { ...process.env, LOGTRACE_CACHE_DIR: snapshot },
    stdio: 'ignore',
  });
  for (const [name, rest] of cuts) writeFileSync(path.join(files, name), rest, { flag: 'a' });
  writeFileSync(path.join(dir, 'done'), '');
  return { files, snapshot };
}

/** A request_id from the middle of a file (a trace that must read the whole directory). */
function pickRequestId(file) {
  const text = readFileSync(file);
  const middle = Math.floor(text.length / 2);
  const m =
    /"request_id":"([0-9a-f-]{36})"/.exec(text.subarray(middle, middle + 65536).toString()) ??
    /"request_id":"([0-9a-f-]{36})"/.exec(text.subarray(0, 65536).toString());
  if (m === null) throw new Error(`no request_id in ${file}`);
  return m[1];
}

// ---------------------------------------------------------------- runs
/** Runs a shell command under GNU time; returns wall seconds, peak RSS (MB) and stdout. */
function timed(command) {
  const stats = path.join(tmpdir(), `bench-time-${process.pid}`);
  const useTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const result = useTime
    ? spawnSync('/usr/bin/time', ['-v', '-o', stats, 'bash', '-c', command], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync('bash', ['-c', command], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let rss = NaN;
  if (useTime && existsSync(stats)) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(stats, 'utf8'));
    if (m) rss = Number(m[1]) / 1024;
    rmSync(stats, { force: true });
  }
  return { seconds, rss, stdout: result.stdout ?? '', code: result.status };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;

function defineRows(d) {
  const node = q(process.execPath);
  const lt = `${node} ${q(LOGTRACE)}`;
  const jsonFiles = d.json.map(q).join(' ');
  const allFiles = d.all.map(q).join(' ');
  const awkAvg = `awk -F: '{s+=$2;n++} END {printf "%d %.6f\\n", n, s/n}'`;
  const grepPipe = (locale) =>
    `LC_ALL=${locale} grep -h '"event":"comfyui_complete"' ${jsonFiles} | LC_ALL=${locale} grep -o '"duration_ms":[0-9]*' | ${awkAvg}`;
  // The scan rows read every byte (--no-cache); the cache rows below use a cache directory of their own.
  const cached = (name) => `LOGTRACE_CACHE_DIR=${q(path.join(d.cacheRoot, name))} ${lt}`;
  const warmDir = path.join(d.cacheRoot, 'warm');
  const rows = [
    {
      key: 'lt-perf',
      name: 'logtrace perf --no-cache',
      cmd: `${lt} perf --json --no-cache --dir ${q(d.clean)}`,
      bytes: d.jsonBytes,
      check: 'perf',
    },
    { key: 'lt-errors', name: 'logtrace errors --no-cache', cmd: `${lt} errors --json --no-cache --dir ${q(d.clean)}`, bytes: d.allBytes },
    {
      key: 'lt-trace',
      name: 'logtrace trace <id> --no-cache',
      cmd: `${lt} trace ${d.id} --json --no-cache --dir ${q(d.clean)}`,
      bytes: d.allBytes,
    },
    {
      key: 'lt-gz',
      name: 'logtrace perf, .gz input, --no-cache',
      cmd: `${lt} perf --json --no-cache --dir ${q(d.gz)}`,
      bytes: d.gzBytes,
      check: 'perf',
    },
    {
      key: 'lt-strict',
      name: 'logtrace perf --strict --no-cache',
      cmd: `${lt} perf --json --strict --no-cache --dir ${q(d.clean)}`,
      bytes: d.jsonBytes,
      check: 'perf',
    },
    {
      key: 'lt-perf-build',
      name: 'logtrace perf, first run (builds the index)',
      before: `rm -rf ${q(path.join(d.cacheRoot, 'build'))}`,
      cmd: `${cached('build')} perf --json --dir ${q(d.clean)}`,
      bytes: d.jsonBytes,
      check: 'perf',
    },
    {
      key: 'lt-perf-warm',
      name: 'logtrace perf, warm (nothing appended)',
      once: `${cached('warm')} perf --json --dir ${q(d.clean)} >/dev/null`,
      cmd: `${cached('warm')} perf --json --dir ${q(d.clean)}`,
      bytes: d.jsonBytes,
      check: 'perf',
    },
    {
      key: 'lt-perf-append',
      name: 'logtrace perf, warm, 1 % appended',
      before: `rm -rf ${q(path.join(d.cacheRoot, 'grow'))} && mkdir -p ${q(d.cacheRoot)} && cp -a ${q(d.grow.snapshot)} ${q(path.join(d.cacheRoot, 'grow'))}`,
      cmd: `${cached('grow')} perf --json --dir ${q(d.grow.files)}`,
      bytes: d.jsonBytes,
      check: 'perf',
    },
    {
      key: 'lt-errors-warm',
      name: 'logtrace errors, warm',
      once: `${cached('warm')} errors --json --dir ${q(d.clean)} >/dev/null`,
      cmd: `${cached('warm')} errors --json --dir ${q(d.clean)}`,
      bytes: d.allBytes,
    },
    {
      key: 'lt-trace-warm',
      name: 'logtrace trace <id>, warm',
      once: `${cached('warm')} trace ${d.id} --json --dir ${q(d.clean)} >/dev/null`,
      cmd: `${cached('warm')} trace ${d.id} --json --dir ${q(d.clean)}`,
      bytes: d.allBytes,
    },
    { key: 'grep-c', name: 'grep|grep|awk, LC_ALL=C', cmd: grepPipe('C'), bytes: d.jsonBytes, check: 'avg' },
    { key: 'grep-utf8', name: 'grep|grep|awk, C.UTF-8', cmd: grepPipe('C.UTF-8'), bytes: d.jsonBytes, check: 'avg' },
    { key: 'grep-id', name: 'grep -F -c <id>', cmd: `LC_ALL=C grep -F -c ${d.id} ${allFiles}`, bytes: d.allBytes },
    // Start-up rows are short and noisy: three runs per round.
    { key: 'node-start', name: "node -e '' (Node's own start-up)", cmd: `${process.execPath} -e ''`, bytes: 0, repeat: 3 },
    { key: 'lt-help', name: 'logtrace --help', cmd: `${lt} --help >/dev/null`, bytes: 0, repeat: 3 },
    {
      key: 'lt-small-trace',
      name: `logtrace trace <id>, small dir (${(d.smallBytes / 1e6).toFixed(1)} MB)`,
      cmd: `${lt} trace ${d.smallId} --no-cache --dir ${q(d.small)} >/dev/null`,
      bytes: 0,
      repeat: 3,
    },
  ];
  if (has('rg')) {
    rows.push({
      key: 'rg',
      name: 'rg -F | rg -o | awk',
      cmd: `rg -N --no-filename -F '"event":"comfyui_complete"' ${jsonFiles} | rg -o '"duration_ms":[0-9]*' | ${awkAvg}`,
      bytes: d.jsonBytes,
      check: 'avg',
    });
  }
  if (has('jq')) {
    rows.push({
      key: 'jq',
      name: 'jq | awk',
      cmd: `cat ${jsonFiles} | jq -r 'select(.event=="comfyui_complete")|.duration_ms' | awk '{s+=$1;n++} END {printf "%d %.6f\\n", n, s/n}'`,
      bytes: d.jsonBytes,
      check: 'avg',
      maxRuns: 2,
    });
  }
  return { rows, warmDir };
}

function runAll(allRows) {
  const only = opts.only?.split(',');
  const rows = only === undefined ? allRows : allRows.filter((r) => only.includes(r.key));
  const results = new Map(rows.map((r) => [r.key, { ...r, times: [], rss: [], outputs: [] }]));
  // Untimed: `once` before the first run (a warm row's cache), `before` before each run.
  const untimed = (command) => spawnSync('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const r of results.values()) if (r.once !== undefined) untimed(r.once);
  for (let run = 0; run < RUNS; run++) {
    for (const r of results.values()) {
      if (run >= (r.maxRuns ?? RUNS)) continue;
      for (let k = 0; k < (r.repeat ?? 1); k++) {
        if (r.before !== undefined) untimed(r.before);
        const t = timed(r.cmd);
        r.times.push(t.seconds);
        r.rss.push(t.rss);
        if (run === 0 && k === 0) r.outputs.push(t.stdout);
        log(`run ${run + 1}/${RUNS} ${r.name}: ${t.seconds.toFixed(3)} s, ${t.rss.toFixed(0)} MB`);
      }
    }
  }
  return results;
}

// ---------------------------------------------------------------- web view
/**
 * `logtrace serve` in chromium (bench/web-view.mjs), a fresh server each round: the
 * overview and a trace page, first and again, and the bytes of the first load.
 */
function benchWebView(d) {
  if (opts.only !== undefined && !opts.only.split(',').includes('web')) return undefined;
  const rounds = [];
  for (let run = 0; run < RUNS; run++) {
    const done = spawnSync(process.execPath, [path.join(ROOT, 'bench/web-view.mjs'), d.clean, d.id], { encoding: 'utf8' });
    if (done.status !== 0) {
      notes.push(`logtrace serve not measured: ${(done.stderr || '').trim().split('\n').pop()}`);
      return undefined;
    }
    rounds.push(JSON.parse(done.stdout));
    log(`run ${run + 1}/${RUNS} logtrace serve: ${done.stdout.trim()}`);
  }
  return rounds;
}

/** The web view's table and targets (overview cold against logtrace perf's median). */
function reportWebView(lines, web, perfSeconds) {
  const med = (k) => median(web.map((r) => r[k]));
  lines.push('');
  lines.push(
    `logtrace serve in chromium (bench/web-view.mjs), a fresh server each of ${web.length} rounds; "ready" is the page's data-ready mark (data fetched, charts and waterfall drawn); warm is the same page again (the server's cache).`,
  );
  lines.push('');
  lines.push('| page | median s | runs (s) |');
  lines.push('|---|---:|---|');
  for (const [k, name] of [
    ['overview_cold_s', 'overview, first load (server reads the logs)'],
    ['overview_warm_s', 'overview, again'],
    ['overview_api_warm_s', "/api/view/overview again, alone (the server's part)"],
    ['trace_cold_s', 'trace page, first load'],
    ['trace_warm_s', 'trace page, again'],
  ]) {
    lines.push(`| ${name} | ${med(k).toFixed(3)} | ${web.map((r) => r[k].toFixed(2)).join(' ')} |`);
  }
  lines.push('');
  const target = (label, ok, detail) => lines.push(`- ${ok ? 'met' : '**not met**'}: ${label} (${detail})`);
  if (!Number.isNaN(perfSeconds))
    target(
      'overview ready ≤ 1.5× logtrace perf',
      med('overview_cold_s') <= 1.5 * perfSeconds,
      `${med('overview_cold_s').toFixed(3)} s vs 1.5 × ${perfSeconds.toFixed(3)} s`,
    );
  target('overview warm ≤ 300 ms', med('overview_warm_s') <= 0.3, `${(med('overview_warm_s') * 1000).toFixed(0)} ms`);
  target(
    'trace page ≤ 300 ms',
    med('trace_cold_s') <= 0.3,
    `${(med('trace_cold_s') * 1000).toFixed(0)} ms first, ${(med('trace_warm_s') * 1000).toFixed(0)} ms again`,
  );
  target('first page load ≤ 300 KB', med('first_load_bytes') <= 300_000, `${(med('first_load_bytes') / 1000).toFixed(0)} KB`);
}

// ---------------------------------------------------------------- services
async function benchServices() {
  const { default: autocannon } = await import('autocannon');
  const duration = Number(opts.duration);
  const out = { logged: [], silent: [] };
  for (let round = 0; round < Number(opts.rounds); round++) {
    for (const mode of round % 2 === 0 ? ['logged', 'silent'] : ['silent', 'logged']) {
      const stack = await startStack(mode === 'logged' ? 'info' : 'silent');
      try {
        await autocannon({
          url: `${stack.url}/api/generate`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: BODY,
          connections: 8,
          duration: 2,
        });
        const r = await autocannon({
          url: `${stack.url}/api/generate`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: BODY,
          connections: 8,
          duration,
        });
        const non2xx = r.non2xx + r.errors;
        out[mode].push({ rps: r.requests.average, p99: r.latency.p99, non2xx });
        log(
          `services ${mode} round ${round + 1}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, ${non2xx} non-2xx/errors`,
        );
      } finally {
        await stack.stop();
      }
    }
  }
  return out;
}

const BODY = JSON.stringify({ prompt: 'a lighthouse at dusk', width: 64, height: 64, steps: 1, workflow: 'default' });

async function startStack(level) {
  const logDir = mkdtempSync(path.join(tmpdir(), 'logtrace-bench-logs-'));
  const ports = await freePorts(3);
  const [backendPort, gpuPort, comfyPort] = ports;
  const common = { ...process.env, LOG_DIR: logDir, LOG_LEVEL: level, HOST: '127.0.0.1' };
  const children = [];
  const start = (bin, env, output) => {
    const child = spawn(process.execPath, [path.join(SERVICES, bin)], { env: { ...common, ...env }, stdio: ['ignore', output, output] });
    children.push(child);
  };
  const { openSync } = await import('node:fs');
  const emulatorOut = level === 'silent' ? 'ignore' : openSync(path.join(logDir, 'comfyui.log'), 'a');
  start(
    'comfyui-emulator.js',
    { PORT: String(comfyPort), EMULATOR_STEP_MS: '0', EMULATOR_NODE_MS: '0', EMULATOR_LOAD_MS: '0', EMULATOR_JITTER: '0' },
    emulatorOut,
  );
  start('gpu-server.js', { PORT: String(gpuPort), COMFYUI_URL: `http://127.0.0.1:${comfyPort}`, COMFYUI_POLL_INTERVAL_MS: '2' }, 'ignore');
  start('backend.js', { PORT: String(backendPort), GPU_SERVER_URL: `http://127.0.0.1:${gpuPort}` }, 'ignore');
  const url = `http://127.0.0.1:${backendPort}`;
  for (const port of ports) await waitForHealth(`http://127.0.0.1:${port}`, port === comfyPort ? '/system_stats' : '/health');
  return {
    url,
    stop: async () => {
      for (const c of children.reverse()) {
        c.kill('SIGTERM');
        await new Promise((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', resolve)));
      }
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(base, route) {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${base}${route}`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base}${route} did not answer`);
}

async function freePorts(n) {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

// ---------------------------------------------------------------- report
function report(d, results, services, web) {
  const lines = [];
  const get = (k) => results.get(k);
  const med = (k) => median(get(k)?.times ?? []);
  const machine = `${cpus().length} cores (nproc ${execFileSync('nproc').toString().trim()}), ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${LOAD_AT_START} at the start and ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end`;
  lines.push(
    `Machine: ${machine}. Data: ${opts.size} generated (clean), JSON lines ${(d.jsonBytes / 1e6).toFixed(0)} MB, all files ${(d.allBytes / 1e6).toFixed(0)} MB; warm cache; medians of ${RUNS} alternating rounds (jq: ${Math.min(2, RUNS)}; start-up rows: 3 runs a round). MB/s counts the bytes each command reads (perf: the JSON-lines files; errors and trace: all files; .gz: uncompressed bytes).`,
  );
  lines.push('');
  lines.push('| command | median s | min s | MB/s | peak RSS MB | vs grep LC_ALL=C | vs grep UTF-8 | vs rg | vs jq | runs (s) |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results.values()) {
    const m = median(r.times);
    const ratio = (k) => (get(k) && r.bytes > 0 && r.key.startsWith('lt-') ? `${(med(k) / m).toFixed(2)}×` : '');
    lines.push(
      `| ${r.name.replaceAll('|', '\\|')} | ${m.toFixed(3)} | ${Math.min(...r.times).toFixed(3)} | ${r.bytes > 0 ? (r.bytes / 1e6 / m).toFixed(0) : ''} | ${median(r.rss).toFixed(0)} | ${ratio('grep-c')} | ${ratio('grep-utf8')} | ${ratio('rg')} | ${ratio('jq')} | ${r.times.map((t) => t.toFixed(2)).join(' ')} |`,
    );
  }
  lines.push('');
  lines.push("Ratios are the baseline's median time over logtrace's (above 1× means logtrace is faster).");
  lines.push('');
  // identical results where the same thing is computed (when logtrace perf ran)
  const countAndAverage = (output) => {
    const g = JSON.parse(output || '{}').generation ?? {};
    return `${g.count} ${Number(g.avg_ms).toFixed(6)}`;
  };
  if (get('lt-perf') !== undefined) {
    const ours = countAndAverage(get('lt-perf').outputs[0]);
    lines.push(`Same answers (count, average of comfyui_complete.duration_ms): logtrace \`${ours}\``);
    for (const k of ['grep-c', 'grep-utf8', 'rg', 'jq', 'lt-gz', 'lt-strict']) {
      const r = get(k);
      if (!r) continue;
      const theirs = r.check === 'perf' ? countAndAverage(r.outputs[0]) : (r.outputs[0] ?? '').trim();
      lines.push(`- ${r.name}: \`${theirs}\` ${theirs === ours ? 'identical' : '**DIFFERENT**'}`);
    }
    lines.push('');
  }
  const target = (label, ok, detail) => lines.push(`- ${ok ? 'met' : '**not met**'}: ${label} (${detail})`);
  const have = (...keys) => keys.every((k) => get(k) !== undefined);
  lines.push('Targets (issue 7):');
  for (const k of ['lt-perf', 'lt-errors']) {
    if (have(k, 'grep-c'))
      target(
        `${get(k).name} at least as fast as the LC_ALL=C grep pipeline`,
        med(k) <= med('grep-c'),
        `${med(k).toFixed(3)} s vs ${med('grep-c').toFixed(3)} s`,
      );
    if (have(k, 'jq')) target(`${get(k).name} ≥ 20× faster than jq`, med('jq') / med(k) >= 20, `${(med('jq') / med(k)).toFixed(1)}×`);
  }
  if (have('lt-trace', 'grep-id'))
    target(
      'trace within 3× of grep -F -c <id>',
      med('lt-trace') <= 3 * med('grep-id'),
      `${med('lt-trace').toFixed(3)} s vs 3 × ${med('grep-id').toFixed(3)} s`,
    );
  if (have('lt-gz')) {
    const gzRate = d.gzBytes / 1e6 / med('lt-gz');
    target('.gz input ≥ 300 MB/s of uncompressed data', gzRate >= 300, `${gzRate.toFixed(0)} MB/s`);
  }
  const heavy = [
    'lt-perf',
    'lt-errors',
    'lt-trace',
    'lt-gz',
    'lt-strict',
    'lt-perf-build',
    'lt-perf-warm',
    'lt-perf-append',
    'lt-errors-warm',
    'lt-trace-warm',
  ].filter((k) => have(k));
  if (heavy.length > 0) {
    const peak = Math.max(...heavy.flatMap((k) => get(k).rss));
    target('peak RSS < 150 MB', peak < 150, `${peak.toFixed(0)} MB at most`);
  }
  lines.push('', 'Targets of the cache (issue 15; the warm rows start from an index built before, untimed):');
  const ratioTarget = (key, base, limit, label) => {
    if (have(key, base))
      target(
        `${get(key).name} ≤ ${limit}× ${label}`,
        med(key) <= limit * med(base),
        `${med(key).toFixed(3)} s = ${(med(key) / med(base)).toFixed(2)}× of ${med(base).toFixed(3)} s`,
      );
  };
  ratioTarget('lt-perf-warm', 'grep-c', 0.5, 'the LC_ALL=C grep pipeline');
  ratioTarget('lt-perf-append', 'grep-c', 0.6, 'the LC_ALL=C grep pipeline');
  ratioTarget('lt-trace-warm', 'grep-id', 1.0, 'grep -F -c <id>');
  ratioTarget('lt-errors-warm', 'grep-c', 0.5, 'the LC_ALL=C grep pipeline');
  ratioTarget('lt-perf-build', 'lt-perf', 1.2, 'perf --no-cache (today)');
  if (d.index !== undefined) {
    const share = d.index.size / d.allBytes;
    target(
      'the index ≤ 5 % of the log bytes',
      share <= 0.05,
      `${(d.index.size / 1e6).toFixed(1)} MB for perf, errors and one trace over ${(d.allBytes / 1e6).toFixed(0)} MB: ${(share * 100).toFixed(2)} %`,
    );
  }
  if (get('lt-perf') !== undefined) {
    const ours = countAndAverage(get('lt-perf').outputs[0]);
    for (const k of ['lt-perf-build', 'lt-perf-warm', 'lt-perf-append']) {
      const r = get(k);
      if (r)
        lines.push(
          `- same answer as --no-cache: ${r.name}: \`${countAndAverage(r.outputs[0])}\` ${countAndAverage(r.outputs[0]) === ours ? 'identical' : '**DIFFERENT**'}`,
        );
    }
  }
  if (have('lt-help')) target('--help < 200 ms', med('lt-help') < 0.2, `${(med('lt-help') * 1000).toFixed(0)} ms`);
  if (have('lt-small-trace'))
    target('trace on a small directory < 200 ms', med('lt-small-trace') < 0.2, `${(med('lt-small-trace') * 1000).toFixed(0)} ms`);
  if (web) reportWebView(lines, web, med('lt-perf'));
  if (services) {
    lines.push('');
    lines.push(
      'Services: POST /api/generate through backend → GPU server → emulator (zero execution delay), autocannon, 8 connections, ' +
        `${opts.duration} s per run, ${opts.rounds} alternating rounds (each after a 2 s warm-up), medians.`,
    );
    lines.push('');
    lines.push('| logging | req/s (median) | p99 ms (median) | rounds req/s | non-2xx |');
    lines.push('|---|---:|---:|---|---:|');
    for (const mode of ['logged', 'silent']) {
      const rs = services[mode];
      lines.push(
        `| ${mode === 'logged' ? 'LOG_LEVEL=info' : 'LOG_LEVEL=silent'} | ${median(rs.map((x) => x.rps)).toFixed(0)} | ${median(rs.map((x) => x.p99)).toFixed(0)} | ${rs.map((x) => x.rps.toFixed(0)).join(' ')} | ${rs.reduce((s, x) => s + x.non2xx, 0)} |`,
      );
    }
    const loss = 1 - median(services.logged.map((x) => x.rps)) / median(services.silent.map((x) => x.rps));
    lines.push('');
    target(
      'logging loses ≤ 10% throughput',
      loss <= 0.1,
      loss >= 0
        ? `${(loss * 100).toFixed(1)}% fewer requests/s with logging`
        : `${(-loss * 100).toFixed(1)}% more requests/s with logging: within the noise`,
    );
  }
  if (notes.length) lines.push('', ...notes.map((n) => `Note: ${n}`));
  return lines.join('\n');
}

async function main() {
  if (!existsSync(LOGTRACE) || !existsSync(GENERATOR)) throw new Error('build first: npm run build');
  ensureTools();
  const d = prepareData();
  const { rows, warmDir } = defineRows(d);
  const results = runAll(rows);
  if (existsSync(warmDir)) {
    const info = execFileSync(process.execPath, [LOGTRACE, 'cache', 'info', '--json'], {
      env: { ...process.env, LOGTRACE_CACHE_DIR: warmDir },
    });
    d.index = JSON.parse(info.toString());
  }
  const web = benchWebView(d);
  const services = opts['no-services'] ? undefined : await benchServices();
  const text = report(d, results, services, web);
  process.stdout.write(`${text}\n`);
  if (opts.out) writeFileSync(opts.out, `${text}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
