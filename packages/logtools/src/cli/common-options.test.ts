import { describe, expect, it } from 'vitest';
import { UsageError } from '../logtrace-error.js';
import type { CliIo } from './cli-io.js';
import { readCommonArgs } from './common-options.js';

function io(env: Record<string, string> = {}): CliIo {
  return {
    stdout: { write: () => undefined, isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
    env,
    cwd: '/srv',
    now: () => 0,
  };
}

describe('readCommonArgs', () => {
  it('takes --dir once or several times, relative to the working directory', () => {
    expect(readCommonArgs({ _: [], dir: ['logs'] }, io()).dirs).toEqual(['/srv/logs']);
    expect(readCommonArgs({ _: [], dir: ['/mnt/gpu-1', 'gpu-2'] }, io()).dirs).toEqual(['/mnt/gpu-1', '/srv/gpu-2']);
    expect(readCommonArgs({ _: [], dir: 'one' }, io()).dirs).toEqual(['/srv/one']);
  });

  it("reads LOGTRACE_DIR's ':'-separated directories, ignoring empty parts; --dir wins; ./logs otherwise", () => {
    expect(readCommonArgs({ _: [] }, io({ LOGTRACE_DIR: '/mnt/a::b:' })).dirs).toEqual(['/mnt/a', '/srv/b']);
    expect(readCommonArgs({ _: [], dir: ['c'] }, io({ LOGTRACE_DIR: '/mnt/a' })).dirs).toEqual(['/srv/c']);
    expect(readCommonArgs({ _: [] }, io({ LOGTRACE_DIR: '::' })).dirs).toEqual(['/srv/logs']);
    expect(readCommonArgs({ _: [] }, io()).dirs).toEqual(['/srv/logs']);
  });

  it('refuses an empty --dir', () => {
    expect(() => readCommonArgs({ _: [], dir: ['a', ' '] }, io())).toThrow(UsageError);
    expect(() => readCommonArgs({ _: [], dir: ['a', ' '] }, io())).toThrow('--dir: expected a value, got an empty string');
  });
});
