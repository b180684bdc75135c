import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../logtrace-error.js';
import { closeInputs, hostDirLabels, listInputs, MAX_HELD_FILES } from './list-inputs.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-list-'));
  const json = '{"level":"INFO","time":"2026-11-28T05:03:21.123Z","msg":"x"}\n';
  for (const name of ['backend.log', 'backend.log.1', 'backend.log.2.gz', 'gpu_server.log', 'telegram_bot.log']) {
    await writeFile(path.join(dir, name), json);
  }
  await writeFile(path.join(dir, 'comfyui.log'), 'got prompt\n');
  await writeFile(path.join(dir, 'startup.log'), '2026-11-28T05:03:21.123Z starting ComfyUI\n');
  await writeFile(path.join(dir, 'install.log'), 'Setting up shellcheck (0.9.0-1) ...\n{"a":1}\nProcessing triggers\n');
  await writeFile(path.join(dir, 'torn.log'), `\0\0evel":"INFO","ti\n${json}\n${json}`);
  await writeFile(path.join(dir, 'notes.txt'), 'x');
  await writeFile(path.join(dir, 'empty.log'), '');
  await mkdir(path.join(dir, 'sub.log'));
  await mkdir(path.join(dir, 'elsewhere'));
  await writeFile(path.join(dir, 'elsewhere', 'real.txt'), json);
  await symlink(path.join(dir, 'elsewhere', 'real.txt'), path.join(dir, 'linked.log'));
  await symlink(path.join(dir, 'elsewhere'), path.join(dir, 'dirlink.log'));
  await mkdir(path.join(dir, 'nothing-here'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listInputs', () => {
  it('finds every JSON-lines log (a torn first line does not hide one) with its rotations, plus comfyui.log, and skips plain text', async () => {
    const inputs = await listInputs({ dir });
    closeInputs(inputs);
    expect(inputs.sources.map((s) => [s.kind, s.service, s.files.map((f) => f.name)])).toEqual([
      ['json', 'backend', ['backend.log.2.gz', 'backend.log.1', 'backend.log']],
      ['json', 'empty', ['empty.log']],
      ['json', 'gpu_server', ['gpu_server.log']],
      ['json', 'linked', ['linked.log']],
      ['json', 'telegram_bot', ['telegram_bot.log']],
      ['json', 'torn', ['torn.log']],
      ['comfyui', 'comfyui', ['comfyui.log']],
    ]);
    expect(inputs.sources[0]?.files[0]?.gz).toBe(true);
    expect(inputs.ignored).toEqual([
      { path: path.join(dir, 'install.log'), reason: 'not JSON lines: 2 of the first 3 lines are not objects' },
    ]);
  });

  it('lists a *.log that is not a regular file, or a dangling link, as unreadable', async () => {
    const inputs = await listInputs({ dir });
    closeInputs(inputs);
    expect([...inputs.unreadable].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: path.join(dir, 'dirlink.log'), reason: 'not a regular file' },
      { path: path.join(dir, 'sub.log'), reason: 'not a regular file' },
    ]);
  });

  it('opens each file once, when it lists it, and keeps its size then', async () => {
    const inputs = await listInputs({ dir });
    try {
      const backend = inputs.sources[0]?.files.at(-1);
      expect(backend?.fd).toBeTypeOf('number');
      expect(backend?.size).toBe(Buffer.byteLength('{"level":"INFO","time":"2026-11-28T05:03:21.123Z","msg":"x"}\n'));
    } finally {
      closeInputs(inputs);
    }
  });

  it(`holds at most ${MAX_HELD_FILES} files open; the others are listed by path with their size`, async () => {
    const many = path.join(dir, 'many');
    await mkdir(many);
    const line = '{"level":"ERROR","time":"2026-11-28T05:03:21.123Z","event":"internal_error","msg":"x"}\n';
    const count = MAX_HELD_FILES + 20;
    await Promise.all(
      Array.from({ length: count }, (_, i) => writeFile(path.join(many, i === 0 ? 'backend.log' : `backend.log.${i}`), line)),
    );
    const inputs = await listInputs({ dir: many });
    try {
      const files = inputs.sources.flatMap((source) => source.files);
      expect(files).toHaveLength(count);
      expect(files.filter((f) => f.fd !== undefined)).toHaveLength(MAX_HELD_FILES);
      expect(files.every((f) => f.size === Buffer.byteLength(line))).toBe(true);
      expect(inputs.unreadable).toEqual([]);
    } finally {
      closeInputs(inputs);
    }
  });

  it('reads exactly the files given', async () => {
    const files = [path.join(dir, 'backend.log'), path.join(dir, 'backend.log.1'), path.join(dir, 'comfyui.log')];
    const inputs = await listInputs({ dir: 'unused', files });
    closeInputs(inputs);
    expect(inputs.sources.map((s) => [s.service, s.files.map((f) => path.basename(f.path))])).toEqual([
      ['backend', ['backend.log.1', 'backend.log']],
      ['comfyui', ['comfyui.log']],
    ]);
  });

  it.each([
    ['a missing directory', () => listInputs({ dir: path.join(dir, 'missing') }), /no such file/],
    ['a directory without logs', () => listInputs({ dir: path.join(dir, 'nothing-here') }), /no log files/],
    ['a missing file', () => listInputs({ dir, files: [path.join(dir, 'nope.log')] }), /no such file/],
    ['a directory given as a file', () => listInputs({ dir, files: [path.join(dir, 'sub.log')] }), /not a regular file/],
  ])('rejects %s with an InputError', async (_name, call, message) => {
    await expect(call()).rejects.toThrow(InputError);
    await expect(call()).rejects.toThrow(message);
  });

  it('reads several directories, each source marked with its directory and host; a file name in two is two inputs', async () => {
    const root = path.join(dir, 'machines');
    const json = '{"level":"INFO","time":"2026-11-28T05:03:21.123Z","msg":"x"}\n';
    for (const host of ['gpu-1', 'gpu-2']) {
      await mkdir(path.join(root, host, 'logs'), { recursive: true });
      await writeFile(path.join(root, host, 'logs', 'gpu_server.log'), json);
      await writeFile(path.join(root, host, 'logs', 'comfyui.log'), 'got prompt\n');
    }
    await writeFile(path.join(root, 'gpu-1', 'logs', 'backend.log'), json);
    const dirs = [path.join(root, 'gpu-2', 'logs'), path.join(root, 'gpu-1', 'logs'), path.join(root, 'gpu-2', 'logs')];
    const inputs = await listInputs({ dir: dirs });
    closeInputs(inputs);
    // JSON lines first, directories in the order given (a repeated one once), then comfyui.log.
    expect(inputs.sources.map((s) => [s.kind, s.host, path.relative(root, s.files[0]?.path ?? '')])).toEqual([
      ['json', 'gpu-2/logs', 'gpu-2/logs/gpu_server.log'],
      ['json', 'gpu-1/logs', 'gpu-1/logs/backend.log'],
      ['json', 'gpu-1/logs', 'gpu-1/logs/gpu_server.log'],
      ['comfyui', 'gpu-2/logs', 'gpu-2/logs/comfyui.log'],
      ['comfyui', 'gpu-1/logs', 'gpu-1/logs/comfyui.log'],
    ]);
    expect(inputs.sources.map((s) => s.dir)).toEqual([dirs[0], dirs[1], dirs[1], dirs[0], dirs[1]]);
    // One directory: no host of its own (the records' fields say, or nothing is shown).
    const single = await listInputs({ dir: [path.join(root, 'gpu-1', 'logs')] });
    closeInputs(single);
    expect(single.sources.map((s) => s.host)).toEqual([undefined, undefined, undefined]);
  });

  it('stops on a missing directory among several, naming it; one without logs is listed as ignored', async () => {
    await expect(listInputs({ dir: [dir, path.join(dir, 'missing')] })).rejects.toThrow(
      `cannot read log directory ${path.join(dir, 'missing')}: no such file or directory`,
    );
    const inputs = await listInputs({ dir: [dir, path.join(dir, 'nothing-here')] });
    closeInputs(inputs);
    expect(inputs.ignored).toContainEqual({
      path: path.join(dir, 'nothing-here'),
      reason: 'no log files: looked for *.log, *.log.N, *.log.gz',
    });
    await expect(listInputs({ dir: [path.join(dir, 'nothing-here'), path.join(dir, 'elsewhere')] })).rejects.toThrow(
      `no log files in ${path.join(dir, 'nothing-here')}, ${path.join(dir, 'elsewhere')}`,
    );
  });
});

describe('hostDirLabels', () => {
  it('names each directory by its name, or by as many of its last components as tell it apart', () => {
    expect(hostDirLabels(['/mnt/gpu-1', '/mnt/gpu-2/'])).toEqual(['gpu-1', 'gpu-2']);
    expect(hostDirLabels(['/mnt/gpu-1/logs', '/mnt/gpu-2/logs', '/srv/web'])).toEqual(['gpu-1/logs', 'gpu-2/logs', 'web']);
    expect(hostDirLabels(['/a/x/logs', '/b/x/logs'])).toEqual(['a/x/logs', 'b/x/logs']);
    expect(hostDirLabels(['/logs', '/b/logs'])).toEqual(['logs', 'b/logs']);
  });
});
