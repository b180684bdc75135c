import { run } from '../src/cli/run.js';

/** Parsed `--json` output, for reading nested fields in assertions. */
export type Json = Record<string, any>;

/** What one CLI run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `logtrace` in-process with captured output (no colour unless `tty`), in UTC
 * unless `env` names another `TZ` (zone-less times are read in the machine's zone).
 */
export async function runCli(
  argv: readonly string[],
  options: { readonly env?: Record<string, string>; readonly tty?: boolean; readonly now?: number; readonly cwd?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s) => void (stdout += s), isTTY: options.tty ?? false, columns: 120 },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    env: { TZ: 'UTC', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    now: () => options.now ?? Date.UTC(2026, 10, 28, 12, 0, 0),
  });
  return { code, stdout, stderr };
}

/** Runs with `--json` and parses stdout. */
export async function runJson<T = Record<string, unknown>>(argv: readonly string[]): Promise<{ code: number; json: T; stderr: string }> {
  const result = await runCli([...argv, '--json']);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout.slice(0, 300)} ${result.stderr.slice(0, 500)}`);
  }
  return { code: result.code, json, stderr: result.stderr };
}
