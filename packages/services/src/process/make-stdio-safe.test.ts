import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module, run in a child whose stderr is broken; `plain` writes without it.
const MODULE = fileURLToPath(new URL('../../dist/process/make-stdio-safe.js', import.meta.url));
const SCRIPT = `
  const { makeStdioSafe } = await import(${JSON.stringify(MODULE)});
  const counts = process.argv[1] === 'safe' ? makeStdioSafe() : () => ({});
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 5; i += 1) {
    process.stderr.write('x'.repeat(1000) + '\\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  process.stdout.write(JSON.stringify(counts()));
`;

/** Runs the script with stderr on /dev/full (ENOSPC) or a pipe whose reader is gone (EPIPE). */
function runWithBrokenStderr(mode: 'plain' | 'safe', stderr: 'full' | 'closed-pipe'): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, mode], {
    stdio: ['ignore', 'pipe', stderr === 'full' ? openSync('/dev/full', 'w') : 'pipe'],
  });
  child.stderr?.destroy();
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('makeStdioSafe', () => {
  it.each(['full', 'closed-pipe'] as const)('a failing stderr (%s) kills a plain process', async (stderr) => {
    expect((await runWithBrokenStderr('plain', stderr)).code).toBe(1);
  });

  it.each(['full', 'closed-pipe'] as const)(
    'with it, a failing stderr (%s) loses the messages, counted, and nothing else',
    async (stderr) => {
      const { code, stdout } = await runWithBrokenStderr('safe', stderr);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ stdout: 0, stderr: 5 });
    },
  );
});
