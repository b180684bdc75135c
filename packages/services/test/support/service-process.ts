// Runs the built service binaries as child processes, the way an operator does, and
// reads what they leave behind: log files, stderr, exit status, memory, sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net, { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { checkRecord } from '@logtrace/shared';

/** The built entry points (`npm run build`). */
export const BIN = Object.freeze({
  backend: fileURLToPath(new URL('../../dist/bin/backend.js', import.meta.url)),
  gpuServer: fileURLToPath(new URL('../../dist/bin/gpu-server.js', import.meta.url)),
  emulator: fileURLToPath(new URL('../../dist/bin/comfyui-emulator.js', import.meta.url)),
});

/**
 * A test-only service run by the real process shell (runService) whose routes crash the
 * process: `GET /throw` (uncaught exception), `GET /reject` (unhandled rejection).
 * Environment: LOG_DIR, PORT.
 */
export const CRASHING_SERVICE = fileURLToPath(new URL('../fixtures/processes/crashing-service.mjs', import.meta.url));

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running service process. */
export interface ServiceChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves when it exited. */
  readonly exited: Promise<Exit>;
  /** Sends a signal unless it already exited. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node <bin> [args]` with only PATH and `env` in its environment. */
export function spawnService(bin: string, env: Readonly<Record<string, string>>, args: readonly string[] = []): ServiceChild {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    pid: child.pid ?? -1,
    stderr: () => stderr,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Polls `probe` every 25 ms until it returns a value other than undefined; fails after `ms`. */
export async function waitUntil<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The parsed lines of a JSON-lines log file ([] while it does not exist); a line that does not parse throws. */
export function readJsonLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (text !== '' && !text.endsWith('\n')) throw new Error(`${file}: the last line is unterminated`);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Like readJsonLines, and every line must be in the log format (docs/log-format.md) (checkRecord); throws naming the first bad one. */
export function readCheckedLog(file: string): Array<Record<string, unknown>> {
  const records = readJsonLines(file);
  for (const record of records) {
    const problems = checkRecord(record);
    if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')} in ${JSON.stringify(record).slice(0, 300)}`);
  }
  return records;
}

/** Waits for the `service_start` line of a log file and returns the port it names. */
export function startedPort(logFile: string, ms = 15_000): Promise<number> {
  return waitUntil(
    () => readJsonLines(logFile).find((r) => r['event'] === 'service_start')?.['port'] as number | undefined,
    `service_start in ${logFile}`,
    ms,
  );
}

/** Waits until a GPU server's /health shows its ComfyUI websocket in `state` (default `connected`). */
export function comfyuiSocketState(port: number, state = 'connected'): Promise<true> {
  return waitUntil(async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { comfyui_ws?: { state?: string } };
    return health.comfyui_ws?.state === state ? true : undefined;
  }, `the ComfyUI websocket to be ${state}`);
}

/** Waits for the emulator's `To see the GUI go to: <url>` banner line and returns the URL. */
export function emulatorUrl(emulator: ServiceChild): Promise<string> {
  return waitUntil(() => /To see the GUI go to: (http:\/\/\S+)/.exec(emulator.stderr())?.[1], 'the emulator banner');
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a process whose log cannot say its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** True when nothing accepts connections on 127.0.0.1:port (a stopping server closed its listener). */
export function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

/** Resident set size of a process in KiB, from /proc (undefined once it is gone). */
export function rssKib(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped; `stop()` returns the peak of each, in KiB. */
export function sampleRss(pids: Readonly<Record<string, number>>, everyMs = 100): { stop(): Record<string, number> } {
  const peak: Record<string, number> = {};
  const sample = (): void => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? 0, rssKib(pid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...peak };
    },
  };
}

/**
 * The local addresses listening on a TCP port, from /proc/net/tcp and tcp6 (Linux):
 * `127.0.0.1`, `0.0.0.0`, `::`, `::1`, ...
 */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', decodeIpv4],
    ['/proc/net/tcp6', decodeIpv6],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local === undefined || state !== '0A') continue; // 0A = LISTEN
      const [hex, portHex] = local.split(':');
      if (hex !== undefined && Number.parseInt(portHex ?? '', 16) === port) found.push(decode(hex));
    }
  }
  return found;
}

// /proc/net/tcp writes an IPv4 address as one little-endian 32-bit hex word.
function decodeIpv4(hex: string): string {
  const bytes = Buffer.from(hex, 'hex').reverse();
  return [...bytes].join('.');
}

// /proc/net/tcp6: four little-endian 32-bit words.
function decodeIpv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i += 1)
    words.push(
      Buffer.from(hex.slice(i * 8, i * 8 + 8), 'hex')
        .reverse()
        .toString('hex'),
    );
  const groups = words.join('').match(/.{4}/g) ?? [];
  const compact = groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
  return compact.replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
