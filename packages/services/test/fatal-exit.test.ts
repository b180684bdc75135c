// A service process that hits an uncaught exception or an unhandled rejection writes a
// FATAL fatal_error line, says so on stderr and exits 1 (never keeps running).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CRASHING_SERVICE, readCheckedLog, spawnService, startedPort, type ServiceChild } from './support/service-process.js';

let dir: string;
let child: ServiceChild | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-fatal-'));
});
afterEach(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a service process on a programming error', () => {
  it.each([
    ['/throw', 'uncaught_exception', 'boom: thrown outside any request'],
    ['/reject', 'unhandled_rejection', 'boom: nobody awaited this'],
  ])('GET %s: logs fatal_error (%s) at FATAL, reports it on stderr and exits 1', async (route, kind, message) => {
    child = spawnService(CRASHING_SERVICE, { LOG_DIR: dir });
    const logFile = path.join(dir, 'backend.log');
    const port = await startedPort(logFile);
    expect(await (await fetch(`http://127.0.0.1:${port}${route}`)).text()).toBe('ok');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const records = readCheckedLog(logFile);
    expect(records.map((r) => r['event'])).toEqual(['service_start', 'fatal_error']);
    expect(records[1]).toMatchObject({ level: 'FATAL', error_code: kind, error: message, stack: expect.stringContaining(message) });
    expect(child.stderr()).toContain(`fatal ${kind}: Error: ${message}`);
  });
});
