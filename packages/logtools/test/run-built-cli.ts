import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `logtrace` (packages/logtools/bin/logtrace.js). */
export const BUILT_CLI = fileURLToPath(new URL('../bin/logtrace.js', import.meta.url));

/** Runs the built `logtrace` as a child process with `env` over this one's (colour off); resolves with its exit code and output. */
export function runBuiltCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...argv], { env: { ...process.env, NO_COLOR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
