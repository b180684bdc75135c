import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCallSignal } from './create-call-signal.js';

const PACKAGES = path.resolve(import.meta.dirname, '../../..');

// A fetch to a server that never answers, its signal from `make`, while the garbage
// collector runs every 20 ms. Prints how the call ended.
const GC_SCRIPT = (make: string): string => `
  import http from 'node:http';
  import { createCallSignal } from '@logtrace/services';
  const server = http.createServer(() => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gc = setInterval(() => globalThis.gc(), 20);
  const signal = ${make};
  const ended = await Promise.race([
    fetch('http://127.0.0.1:' + server.address().port + '/', { signal }).then(() => 'answered', (err) => err.name),
    new Promise((resolve) => setTimeout(() => resolve('never fired'), 2000)),
  ]);
  process.stdout.write(ended);
  clearInterval(gc);
  process.exit(0);
`;

async function endingUnderGc(make: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', GC_SCRIPT(make)], {
    cwd: PACKAGES,
  });
  return stdout;
}

describe('createCallSignal', () => {
  it('fires on the deadline with a TimeoutError and says so', async () => {
    const call = createCallSignal(20, {});
    await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
    expect(call.firedBy()).toBe('timeout');
    expect((call.signal.reason as DOMException).name).toBe('TimeoutError');
    call.dispose();
  });

  it('names the source signal that fired first', () => {
    const client = new AbortController();
    const shutdown = new AbortController();
    const call = createCallSignal(60_000, { client: client.signal, shutdown: shutdown.signal });
    expect(call.firedBy()).toBeUndefined();
    client.abort();
    shutdown.abort();
    expect(call.signal.aborted).toBe(true);
    expect(call.firedBy()).toBe('client');
    expect((call.signal.reason as DOMException).name).toBe('AbortError');
    call.dispose();
  });

  it('is aborted at once when a source already was', () => {
    const call = createCallSignal(60_000, { client: AbortSignal.abort() });
    expect([call.signal.aborted, call.firedBy()]).toEqual([true, 'client']);
    call.dispose();
  });

  it('ignores its sources and the deadline once disposed', async () => {
    const client = new AbortController();
    const call = createCallSignal(10, { client: client.signal });
    call.dispose();
    client.abort();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(call.signal.aborted).toBe(false);
  });

  // On Node 20.20, AbortSignal.any([..., AbortSignal.timeout(300)]) in the same script
  // printed 'never fired': any() holds its sources weakly and the timer signal was collected.
  it('fires on a real fetch while the garbage collector runs', async () => {
    expect(await endingUnderGc('createCallSignal(300, { client: new AbortController().signal }).signal')).toBe('TimeoutError');
  });

  it('is what every outbound deadline uses: no source file combines signals with AbortSignal.any', () => {
    const offenders: string[] = [];
    for (const pkg of ['services', 'shared']) {
      const root = path.join(PACKAGES, pkg, 'src');
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        if (/AbortSignal\.any\(\s*\[/.test(readFileSync(path.join(root, file), 'utf8'))) offenders.push(`${pkg}/src/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
