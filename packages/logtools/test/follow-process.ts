import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatRecord } from '../src/generator/format-record.js';

const BIN = fileURLToPath(new URL('../bin/logtrace.js', import.meta.url));

/** A running `logtrace` that follows, with what it printed so far. */
export interface Following {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Waits until `test` holds on the output (polling every 20 ms), or fails after `ms`. */
  waitFor(test: (f: Following) => boolean, ms?: number, what?: string): Promise<void>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

/** Starts the built CLI with `argv` (colour off). */
export function startFollowing(argv: readonly string[]): Following {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const f: Following = {
    child,
    stdout: '',
    stderr: '',
    lines: () => f.stdout.split('\n').slice(0, -1),
    async waitFor(test, ms = 10_000, what = 'output') {
      const until = Date.now() + ms;
      while (!test(f)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stdout:\n${f.stdout.slice(-2000)}\nstderr:\n${f.stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exited,
  };
  child.stdout.on('data', (chunk: Buffer) => (f.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (f.stderr += chunk.toString()));
  return f;
}

/** Sends SIGINT and returns the exit code. */
export async function interrupt(f: Following): Promise<number | null> {
  f.child.kill('SIGINT');
  return f.exited;
}

/** One line in the services' own format (the generator's writer), now, with `msg`. */
export function ourLine(
  msg: string,
  options: { service?: string; event?: string; level?: 'INFO' | 'ERROR' | 'WARN'; time?: number; fields?: Record<string, unknown> } = {},
): string {
  return `${formatRecord(
    'ours',
    {
      time: options.time ?? Date.now(),
      level: options.level ?? 'INFO',
      service: options.service ?? 'backend',
      event: options.event ?? 'request_received',
      msg,
      fields: options.fields ?? {},
    },
    4242,
  )}\n`;
}

/** The `msg` of each NDJSON line (every line must parse). */
export function messages(lines: readonly string[]): string[] {
  return lines.map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));
}

/** Sleeps `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
