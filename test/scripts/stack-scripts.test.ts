import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

async function script(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, 'scripts', name), [], {
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

describe('the stack scripts', () => {
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

describe('startup.sh with a real ComfyUI checkout (COMFYUI_DIR)', () => {
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
