import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLogs, type GeneratedLogs } from '../src/generator/generate-logs.js';
import { runCli } from './run-cli.js';

const BIN = fileURLToPath(new URL('../bin/logtrace.js', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../dist/bin/generate-logs.js', import.meta.url));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built bin with node; `firstChunkOnly` closes stdout after the first chunk, like `| head`. */
function runBin(bin: string, argv: readonly string[], options: { firstChunkOnly?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // In UTC: the generated Python-style logs write UTC times without a zone, read in the machine's zone.
    const child = spawn(process.execPath, [bin, ...argv], { env: { ...process.env, NO_COLOR: '', TZ: 'UTC', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.firstChunkOnly === true) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let root = '';
let gen: GeneratedLogs;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-bin-'));
  gen = generateLogs({ dir: path.join(root, 'logs'), seed: 31, requests: 80 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the built logtrace binary', () => {
  it('is a node script', async () => {
    expect((await readFile(BIN, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(BIN)).isFile()).toBe(true);
  });

  it('runs one bundled module, with the scan worker beside it where the worker pool looks for it', async () => {
    const bundle = fileURLToPath(new URL('../dist/bundle/logtrace.js', import.meta.url));
    expect(await readFile(BIN, 'utf8')).toContain("import '../dist/bundle/logtrace.js';");
    // Only Node's modules and yargs (kept out, loaded for help) are imported: the rest is inside.
    const imported = [...(await readFile(bundle, 'utf8')).matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1] as string);
    expect(imported.filter((name) => !name.startsWith('node:') && !/^(fs|path|util|yargs(\/.*)?)$/.test(name))).toEqual([]);
    expect((await stat(path.join(path.dirname(bundle), 'scan-worker.js'))).isFile()).toBe(true);
  });

  it('prints help and exits 0', async () => {
    const result = await runBin(BIN, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Commands:');
    expect(result.stderr).toBe('');
  });

  it('gives the same perf JSON as run()', async () => {
    const bin = await runBin(BIN, ['perf', '--json', '--dir', gen.dir]);
    const inProcess = await runCli(['perf', '--json', '--dir', gen.dir]);
    expect(bin.code).toBe(0);
    expect(JSON.parse(bin.stdout)).toEqual(JSON.parse(inProcess.stdout));
    expect(JSON.parse(bin.stdout).generation).toEqual(gen.expected.perf().generation);
  });

  it('sets exit code 1 for an unknown id and 2 for a usage error', async () => {
    expect((await runBin(BIN, ['trace', 'ffffffff-0000', '--dir', gen.dir])).code).toBe(1);
    const usage = await runBin(BIN, ['perf', '--top', 'many', '--dir', gen.dir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--top/);
  });

  it('stops quietly when the reader goes away (| head)', async () => {
    const result = await runBin(BIN, ['errors', '--no-group', '--level', 'debug', '--dir', gen.dir], { firstChunkOnly: true });
    expect(result.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect([0, 1]).toContain(result.code);
  });
});

describe('a directory of more log files than the process may open', () => {
  it('reads them all, by path past the descriptors it can hold', async () => {
    const dir = path.join(root, 'many-rotations');
    await mkdir(dir);
    const count = 300;
    const line = (i: number) =>
      `{"level":"ERROR","time":"2026-11-28T05:${String(i % 60).padStart(2, '0')}:00.000Z","service":"backend","event":"internal_error","error_code":"internal","msg":"failed","request_id":"0badc0de-0000-4000-8000-${String(i).padStart(12, '0')}"}\n`;
    await Promise.all(
      Array.from({ length: count }, (_, i) => writeFile(path.join(dir, i === 0 ? 'backend.log' : `backend.log.${i}`), line(i))),
    );
    // 64 descriptors: fewer than the files, and fewer than logtrace would hold open.
    const ran = spawnSync('bash', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, BIN, 'errors', '--json', '--dir', dir], {
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    const json = JSON.parse(ran.stdout) as { total: number; input: { files: number; lines: number; skipped: number } };
    expect(json.total).toBe(count);
    expect(json.input).toMatchObject({ files: count, lines: count, skipped: 0 });
  });
});

describe('scanning on several threads', () => {
  it('gives exactly the single-thread answers, input counts included, with files cut into pieces', async () => {
    const dir = path.join(root, 'threads');
    generateLogs({ dir, seed: 32, requests: 2500, style: 'mixed', corruptEvery: 50, rotate: true });
    for (const argv of [['perf'], ['perf', '--strict'], ['errors'], ['errors', '--level', 'warn', '--strict']]) {
      // --no-cache: both runs scan (the second would otherwise start from what the first one kept).
      const one = await runBin(BIN, [...argv, '--json', '--no-cache', '--dir', dir], { env: { LOGTRACE_THREADS: '1' } });
      const two = await runBin(BIN, [...argv, '--json', '--no-cache', '--dir', dir], { env: { LOGTRACE_THREADS: '3' } });
      expect(two.code).toBe(one.code);
      expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    }
    // Eight runs of the built CLI over 2500 generated requests: seconds on a quiet machine, far more on a loaded one.
  }, 90_000);
});

describe('the built generate-logs binary', () => {
  it('writes a directory and its expected answers', async () => {
    const dir = path.join(root, 'from-bin');
    const expectedFile = path.join(root, 'expected.json');
    const result = await runBin(GENERATOR, [
      '--dir',
      dir,
      '--requests',
      '30',
      '--seed',
      '5',
      '--style',
      'python',
      '--expected',
      expectedFile,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/30 requests/);
    const expected = JSON.parse(await readFile(expectedFile, 'utf8')) as {
      perf: { generation: unknown; nodes: object };
      requests: unknown[];
    };
    expect(expected.requests).toHaveLength(30);
    const perf = await runCli(['perf', '--json', '--dir', dir]);
    expect(JSON.parse(perf.stdout).generation).toEqual(expected.perf.generation);
    expect(JSON.parse(perf.stdout).nodes).toEqual(expected.perf.nodes);
    expect(Object.keys(expected.perf.nodes)).toContain('KSampler');
  });

  it('writes the logs of a GPU server that only polls with --no-websocket', async () => {
    const dir = path.join(root, 'no-websocket');
    const expectedFile = path.join(root, 'expected-no-websocket.json');
    const result = await runBin(GENERATOR, ['--dir', dir, '--requests', '30', '--seed', '5', '--no-websocket', '--expected', expectedFile]);
    expect(result.code).toBe(0);
    expect(await readFile(path.join(dir, 'gpu_server.log'), 'utf8')).not.toMatch(
      /comfyui_(execution_start|nodes_cached|node_executed|progress|stalled|ws_lost)|queue_wait_ms/,
    );
    const expected = JSON.parse(await readFile(expectedFile, 'utf8')) as {
      perf: { nodes: object; stages: { execution: { count: number } } };
    };
    expect(expected.perf.nodes).toEqual({});
    expect(expected.perf.stages.execution.count).toBe(0);
  });

  it('rejects a bad option with exit 2', async () => {
    const result = await runBin(GENERATOR, ['--dir', path.join(root, 'x'), '--style', 'cobol']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--style/);
  });
});
