import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let work = '';
let env: NodeJS.ProcessEnv = {};

interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function script(name: string, extraEnv: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, 'scripts', name), args, {
      cwd: work,
      env: { ...env, ...extraEnv },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function pids(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const service of ['backend', 'gpu_server', 'comfyui', 'comfyui_stamper']) {
    const file = path.join(work, 'run', `${service}.pid`);
    if (existsSync(file)) out[service] = readFileSync(file, 'utf8').trim();
  }
  return out;
}

/** True when the process runs (a zombie, exited but not reaped, counts as gone). */
const alive = (pid: string | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** The status table startup.sh prints: service → [pid, port, health]. */
function statusTable(stdout: string): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    const [service, ...rest] = line.trim().split(/\s+/);
    if (service !== undefined && ['backend', 'gpu_server', 'comfyui'].includes(service)) rows[service] = rest;
  }
  return rows;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'logtrace-stack-'));
  env = {
    ...process.env,
    LOG_DIR: path.join(work, 'logs'),
    RUN_DIR: path.join(work, 'run'),
    BACKEND_PORT: String(await freePort()),
    GPU_PORT: String(await freePort()),
    COMFYUI_PORT: String(await freePort()),
    EMULATOR_STEP_MS: '5',
    EMULATOR_LOAD_MS: '50',
    STOP_GRACE: '5',
  };
  delete env['COMFYUI_URL'];
  delete env['COMFYUI_DIR'];
});

afterAll(async () => {
  await script('stop_services.sh');
  for (const pid of Object.values(pids())) if (alive(pid)) process.kill(Number(pid), 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

// Starting and stopping a whole stack takes seconds, more on a loaded machine.
describe('the stack scripts', { timeout: 60_000 }, () => {
  let first: Record<string, string> = {};

  it('startup.sh starts ComfyUI (the emulator), the GPU server and the backend, and reports them healthy', async () => {
    const result = await script('startup.sh');
    expect(result.code, result.stderr).toBe(0);
    const table = statusTable(result.stdout);
    first = pids();
    for (const service of ['comfyui', 'gpu_server', 'backend']) {
      expect(table[service]?.[2], service).toBe('healthy');
      expect(table[service]?.[0]).toBe(first[service]);
      expect(alive(first[service])).toBe(true);
    }
    expect(table['backend']?.[1]).toBe(env['BACKEND_PORT']);
    const startupLog = readFileSync(path.join(work, 'logs', 'startup.log'), 'utf8');
    expect(startupLog).toContain('backend is healthy');
    const comfyuiLog = readFileSync(path.join(work, 'logs', 'comfyui.log'), 'utf8');
    expect(comfyuiLog).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z To see the GUI go to: http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it('startup.sh run twice starts nothing new', async () => {
    const result = await script('startup.sh');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('backend already running');
    expect(pids()).toEqual(first);
  });

  it('test_logging.sh passes against the running stack', async () => {
    const result = await script('test_logging.sh');
    expect(result.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(result.stdout).not.toContain('FAIL');
    expect(result.code).toBe(0);
  });

  it('startup.sh restarts a killed service and leaves the others alone', async () => {
    process.kill(Number(first['backend']), 'SIGKILL');
    await expect.poll(() => alive(first['backend'])).toBe(false);
    const result = await script('startup.sh');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('removing stale pid file');
    const now = pids();
    expect(now['backend']).not.toBe(first['backend']);
    expect(alive(now['backend'])).toBe(true);
    expect(now['gpu_server']).toBe(first['gpu_server']);
    expect(now['comfyui']).toBe(first['comfyui']);
    expect(statusTable(result.stdout)['backend']?.[2]).toBe('healthy');
  });

  it('restart_services.sh restarts the backend and the GPU server, not ComfyUI', async () => {
    const before = pids();
    const result = await script('restart_services.sh');
    expect(result.code, result.stderr).toBe(0);
    const after = pids();
    expect(after['backend']).not.toBe(before['backend']);
    expect(after['gpu_server']).not.toBe(before['gpu_server']);
    expect(after['comfyui']).toBe(before['comfyui']);
    expect(alive(before['backend'])).toBe(false);
    expect(alive(before['gpu_server'])).toBe(false);
    for (const row of Object.values(statusTable(result.stdout))) expect(row[2]).toBe('healthy');
    const gpuLog = readFileSync(path.join(work, 'logs', 'gpu_server.log'), 'utf8');
    expect(gpuLog).toContain('"event":"service_stop"');
  });

  it('stop_services.sh stops everything it started and removes the pid files', async () => {
    const before = pids();
    const result = await script('stop_services.sh');
    expect(result.code, result.stderr).toBe(0);
    for (const [service, pid] of Object.entries(before)) expect(alive(pid), service).toBe(false);
    expect(pids()).toEqual({});
    const comfyuiLog = readFileSync(path.join(work, 'logs', 'comfyui.log'), 'utf8');
    expect(comfyuiLog.endsWith('\n')).toBe(true);
  });
});

// A stand-in for a real ComfyUI checkout: `main.py` with ComfyUI's command line
// (--listen, --port), its last banner lines on stderr, and GET /system_stats.
const FAKE_COMFYUI_MAIN = `
import argparse, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--listen", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8188)
args = parser.parse_args()

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"system": {"comfyui_version": "0.3.64"}, "devices": []}).encode()
        self.send_response(200 if self.path == "/system_stats" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

server = HTTPServer((args.listen, args.port), Handler)
print("Starting server\\n", file=sys.stderr)
print(f"To see the GUI go to: http://{args.listen}:{args.port}", file=sys.stderr)
server.serve_forever()
`;

describe('startup.sh with a real ComfyUI checkout (COMFYUI_DIR)', { timeout: 60_000 }, () => {
  it('runs its main.py with --listen/--port, stamps its output into comfyui.log, and stops it', async () => {
    const comfyDir = path.join(work, 'ComfyUI');
    mkdirSync(comfyDir);
    writeFileSync(path.join(comfyDir, 'main.py'), FAKE_COMFYUI_MAIN);
    const extra = { COMFYUI_DIR: comfyDir, LOG_DIR: path.join(work, 'logs-real'), RUN_DIR: path.join(work, 'run-real') };
    try {
      const result = await script('startup.sh', extra);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`started ComfyUI from ${comfyDir}`);
      for (const row of Object.values(statusTable(result.stdout))) expect(row[2]).toBe('healthy');
      const comfyuiPid = readFileSync(path.join(work, 'run-real', 'comfyui.pid'), 'utf8').trim();
      expect(readFileSync(`/proc/${comfyuiPid}/cmdline`, 'utf8')).toContain('main.py');
      await expect
        .poll(() => readFileSync(path.join(work, 'logs-real', 'comfyui.log'), 'utf8'))
        .toMatch(/^\S+Z To see the GUI go to: http:\/\/127\.0\.0\.1:\d+$/m);
    } finally {
      const stopped = await script('stop_services.sh', extra);
      expect(stopped.code, stopped.stderr).toBe(0);
    }
    expect(existsSync(path.join(work, 'run-real', 'comfyui.pid'))).toBe(false);
  });
});

/** The live processes whose process group is `pgid` (zombies excluded). */
function groupMembers(pgid: string): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[2] === pgid && fields[0] !== 'Z') members.push(entry);
    } catch {
      // the process ended while the directory was read
    }
  }
  return members;
}

// ComfyUI started through a launcher: a bash wrapper that stays the parent of python
// and receives "main.py --listen … --port …", as COMFYUI_PYTHON=launcher would.
const LAUNCHER = `#!/usr/bin/env bash
shift
python3 -c 'import runpy, sys; sys.argv = ["main.py"] + sys.argv[1:]; runpy.run_path("main.py", run_name="__main__")' "$@"
`;

// A launcher that daemonizes: it starts python in the background and exits at once.
const DAEMONIZING_LAUNCHER = `#!/usr/bin/env bash
shift
nohup python3 main.py "$@" >/dev/null 2>&1 &
`;

// A checkout whose main.py dies at once, as one with a missing dependency does.
const FAILING_MAIN = `
import sys
print("Traceback (most recent call last):", file=sys.stderr)
print('  File "main.py", line 1, in <module>', file=sys.stderr)
print("ModuleNotFoundError: No module named 'torch'", file=sys.stderr)
sys.exit(1)
`;

// main.py that also accepts --cpu and says in its banner which flags it got.
const FLAGGED_MAIN = FAKE_COMFYUI_MAIN.replace(
  'parser.add_argument("--port", type=int, default=8188)',
  'parser.add_argument("--port", type=int, default=8188)\nparser.add_argument("--cpu", action="store_true")\nparser.add_argument("--disable-api-nodes", action="store_true")',
).replace(
  'print(f"To see the GUI go to: http://{args.listen}:{args.port}", file=sys.stderr)',
  'print(f"To see the GUI go to: http://{args.listen}:{args.port} cpu={args.cpu} api_nodes_off={args.disable_api_nodes}", file=sys.stderr)',
);

// Each of these starts a whole stack (three services, each waited for): more time than a unit test.
describe('startup.sh and stop_services.sh with ComfyUI checkouts that misbehave', { timeout: 90_000 }, () => {
  let n = 0;
  /** A checkout with MAIN as main.py, and its own LOG_DIR and RUN_DIR. */
  async function checkout(main: string): Promise<{ dir: string; logs: string; run: string; env: NodeJS.ProcessEnv }> {
    n += 1;
    const dir = path.join(work, `checkout-${n}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'main.py'), main);
    const logs = path.join(work, `logs-${n}`);
    const run = path.join(work, `run-${n}`);
    return { dir, logs, run, env: { COMFYUI_DIR: dir, LOG_DIR: logs, RUN_DIR: run, COMFYUI_PORT: String(await freePort()) } };
  }
  function launcher(name: string, text: string): string {
    const file = path.join(work, name);
    writeFileSync(file, text);
    chmodSync(file, 0o755);
    return file;
  }

  it('a main.py that dies at once is reported at once, with its last lines, comfyui.log named once, RUN_DIR left empty', async () => {
    const c = await checkout(FAILING_MAIN);
    const started = Date.now();
    const result = await script('startup.sh', { ...c.env, STARTUP_TIMEOUT: '60' });
    const elapsedMs = Date.now() - started;
    expect(result.code).toBe(1);
    // The exit ended the wait, not the 60 s deadline.
    expect(result.stderr).toMatch(/comfyui \(pid \d+\) exited before it became healthy/);
    expect(result.stderr).not.toContain('did not become healthy within');
    expect(elapsedMs).toBeLessThan(30_000);
    expect(result.stderr).toContain("ModuleNotFoundError: No module named 'torch'");
    const log = path.join(c.logs, 'comfyui.log');
    expect(result.stderr).toContain(`ERROR: comfyui failed to start; see ${log}\n`);
    expect(result.stderr).not.toContain('for its JSON log');
    expect(result.stderr).toContain(`last lines of ${log}:`);
    expect(result.stderr).not.toContain('removing stale pid file');
    expect(readdirSync(c.run)).toEqual([]);
    expect(readFileSync(log, 'utf8')).toMatch(/Z ModuleNotFoundError: No module named 'torch'\n$/);
    expect(existsSync(path.join(c.logs, 'gpu_server.log'))).toBe(false);
  });

  it('a launcher wrapper (COMFYUI_PYTHON) is tracked by its process group: pid shown, COMFYUI_ARGS passed, --port used, stop ends the group', async () => {
    const c = await checkout(FLAGGED_MAIN);
    const port = String(await freePort());
    const extra = { ...c.env, COMFYUI_PYTHON: launcher('launch.sh', LAUNCHER), COMFYUI_ARGS: `--cpu  --port ${port} --disable-api-nodes` };
    delete (extra as NodeJS.ProcessEnv)['COMFYUI_PORT'];
    const own = { ...env };
    delete own['COMFYUI_PORT'];
    const previous = env;
    env = own;
    try {
      const result = await script('startup.sh', extra);
      expect(result.code, result.stderr).toBe(0);
      const table = statusTable(result.stdout);
      const leader = readFileSync(path.join(c.run, 'comfyui.pid'), 'utf8').trim();
      expect(table['comfyui']).toEqual([leader, port, 'healthy']);
      for (const row of Object.values(table)) expect(row[2]).toBe('healthy');
      expect(readFileSync(`/proc/${leader}/cmdline`, 'utf8')).toContain('launch.sh');
      const members = groupMembers(leader);
      expect(members.length).toBeGreaterThanOrEqual(2); // the launcher and its python
      await expect
        .poll(() => readFileSync(path.join(c.logs, 'comfyui.log'), 'utf8'))
        .toContain(`To see the GUI go to: http://127.0.0.1:${port} cpu=True api_nodes_off=True`);
      const gpuHealth = (await (await fetch(`http://127.0.0.1:${env['GPU_PORT']}/health`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(gpuHealth)).toContain(`127.0.0.1:${port}`);

      const again = await script('startup.sh', extra);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('comfyui already running');
      expect(again.stderr).not.toContain('stale');

      const stopped = await script('stop_services.sh', extra);
      expect(stopped.code, stopped.stderr).toBe(0);
      for (const pid of members) expect(alive(pid), pid).toBe(false);
      expect(groupMembers(leader)).toEqual([]);
      expect(readdirSync(c.run)).toEqual([]);
    } finally {
      env = previous;
      await script('stop_services.sh', extra);
    }
  });

  it('a daemonizing launcher: the group outlives its leader, and stop still ends it', async () => {
    const c = await checkout(FAKE_COMFYUI_MAIN);
    const extra = { ...c.env, COMFYUI_PYTHON: launcher('daemonize.sh', DAEMONIZING_LAUNCHER) };
    try {
      const result = await script('startup.sh', extra);
      expect(result.code, result.stderr).toBe(0);
      const leader = readFileSync(path.join(c.run, 'comfyui.pid'), 'utf8').trim();
      expect(alive(leader)).toBe(false);
      const members = groupMembers(leader);
      expect(members).toHaveLength(1);
      expect(statusTable(result.stdout)['comfyui']?.[2]).toBe('healthy');
      const stopped = await script('stop_services.sh', extra);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(alive(members[0])).toBe(false);
    } finally {
      await script('stop_services.sh', extra);
    }
  });

  it('a recorded pid now used by another program is not stopped: the pid file is stale', async () => {
    const c = await checkout(FAKE_COMFYUI_MAIN);
    const extra = c.env;
    const stranger = spawn('setsid', ['sleep', '300'], { stdio: 'ignore' });
    try {
      const result = await script('startup.sh', extra);
      expect(result.code, result.stderr).toBe(0);
      const leader = readFileSync(path.join(c.run, 'comfyui.pid'), 'utf8').trim();
      process.kill(-Number(leader), 'SIGKILL');
      await expect.poll(() => groupMembers(leader)).toEqual([]);
      // The stranger leads a process group of its own, as a reused pid could.
      await expect.poll(() => groupMembers(String(stranger.pid))).toEqual([String(stranger.pid)]);
      writeFileSync(path.join(c.run, 'comfyui.pid'), `${stranger.pid}\n`);
      const stopped = await script('stop_services.sh', extra);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stderr).toContain(`removing stale pid file ${path.join(c.run, 'comfyui.pid')}`);
      expect(alive(String(stranger.pid))).toBe(true);
      expect(readdirSync(c.run)).toEqual([]);
    } finally {
      stranger.kill('SIGKILL');
      await script('stop_services.sh', extra);
    }
  });

  it('wrong COMFYUI_ARGS stop the start with every problem listed, before anything starts', async () => {
    const c = await checkout(FAKE_COMFYUI_MAIN);
    const result = await script('startup.sh', { ...c.env, COMFYUI_PORT: '18111', COMFYUI_ARGS: '--listen 0.0.0.0 --port=18112 --cpu' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('COMFYUI_ARGS: remove --listen; ComfyUI listens on HOST=127.0.0.1');
    expect(result.stderr).toContain('COMFYUI_PORT=18111 and --port 18112 in COMFYUI_ARGS disagree; set one of them');
    expect(existsSync(c.run)).toBe(false);
    const bad = await script('startup.sh', { ...c.env, COMFYUI_ARGS: '--cpu --port' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("COMFYUI_ARGS: --port needs a port number from 1 to 65535, got ''");
  });

  it('--help says what COMFYUI_DIR, COMFYUI_PYTHON and COMFYUI_ARGS do', async () => {
    const result = await script('startup.sh', {}, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/COMFYUI_ARGS +extra arguments for main\.py/);
    expect(result.stdout).toContain('a --port there is ComfyUI');
  });
});
