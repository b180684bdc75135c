import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLogFile } from './open-log-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'open-log-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `sub-${(n += 1)}`, 'x.log');

describe('openLogFile', () => {
  it('appends each line as given, creating the directory', () => {
    const file = fresh();
    const log = openLogFile(file);
    expect(log.write('{"a":1}\n')).toBe(true);
    expect(log.write(Buffer.from('{"b":"é"}\n'))).toBe(true);
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"b":"é"}\n');
    expect(log.health()).toEqual({ writeErrors: 0, linesLost: 0, lastError: undefined });
  });

  it('ends a torn last line (a writer that died mid-line) before its first line, and only then', () => {
    const file = fresh();
    const first = openLogFile(file);
    first.write('{"whole":1}\n');
    first.close();
    writeFileSync(file, '{"torn":', { flag: 'a' });
    const log = openLogFile(file);
    log.write('{"next":1}\n');
    log.write('{"next":2}\n');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('{"whole":1}\n{"torn":\n{"next":1}\n{"next":2}\n');
  });

  it('on a full disk (/dev/full): never throws, counts every lost line, reports at most once per interval', () => {
    const reports: string[] = [];
    let clock = 0;
    const log = openLogFile('/dev/full', { report: (m) => reports.push(m), reportEveryMs: 1000, now: () => clock });
    for (let i = 0; i < 5; i += 1) expect(log.write(`{"i":${i}}\n`)).toBe(false);
    clock = 1000;
    log.write('{"i":5}\n');
    expect(log.health()).toMatchObject({ writeErrors: 6, linesLost: 6, lastError: expect.stringContaining('ENOSPC') });
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatch(/cannot write log file \/dev\/full: ENOSPC: no space left on device.*\(6 lines lost so far\)/);
    log.close();
  });

  it('reopen() continues in a new file at the same path (logrotate create mode)', () => {
    const file = fresh();
    const log = openLogFile(file);
    log.write('{"old":1}\n');
    renameSync(file, `${file}.1`);
    log.write('{"old":2}\n');
    log.reopen();
    log.write('{"new":1}\n');
    log.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('{"old":1}\n{"old":2}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"new":1}\n');
  });

  it('throws at open time when the file cannot be opened', () => {
    expect(() => openLogFile('/proc/version/x.log')).toThrow();
  });
});
