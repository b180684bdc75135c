import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStats } from './file-stats.js';
import { createNeedlePrefilter } from './prefilter.js';
import { scanJsonFile, type ScannedRecord } from './scan-json-file.js';

const T = '2026-11-28T05:03:21.123Z';
const line = (event: string, extra = '') => `{"level":"INFO","time":"${T}","service":"gpu_server","event":"${event}"${extra},"msg":"m"}`;

const CONTENT = [
  line('generation_start'),
  line('comfyui_complete', ',"duration_ms":4210'),
  '',
  '{"level":"INFO","time":"2026-11-28T05:03:21.123Z","event":"comfyui_complete","dur',
  '[1,2]',
  line('image_retrieved'),
  line('comfyui_complete', ',"duration_ms":99'),
].join('\n');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-scan-'));
  await writeFile(path.join(dir, 'gpu_server.log'), `${CONTENT}\n{"level":"INFO","ti`);
  await writeFile(path.join(dir, 'gpu_server.log.1.gz'), gzipSync(`${CONTENT}\n`));
  const corrupt = gzipSync(`${CONTENT}\n`.repeat(50));
  await writeFile(path.join(dir, 'broken.log.gz'), corrupt.subarray(0, corrupt.length - 40));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scan(name: string, gz: boolean, needles: string[] | undefined, chunkBytes?: number) {
  const stats = new FileStats(name);
  const records: ScannedRecord[] = [];
  const options = {
    prefilter: needles === undefined ? undefined : createNeedlePrefilter(needles),
    service: 'gpu_server',
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
  };
  await scanJsonFile({ path: path.join(dir, name), name, gz }, options, stats, (record, line) => records.push({ record, line }));
  return { stats, records };
}

describe('scanJsonFile', () => {
  it('examines every line without a prefilter and counts each bad one by reason', async () => {
    for (const chunkBytes of [undefined, 7, 64]) {
      const { stats, records } = await scan('gpu_server.log', false, undefined, chunkBytes);
      expect(records.map((r) => [r.line, r.record.event])).toEqual([
        [1, 'generation_start'],
        [2, 'comfyui_complete'],
        [6, 'image_retrieved'],
        [7, 'comfyui_complete'],
      ]);
      expect(stats.lines).toBe(8);
      expect(stats.reasons).toEqual({ blank: 1, invalid_json: 1, not_object: 1, truncated: 1 });
      expect(stats.samples.map((s) => s.line)).toEqual([3, 4, 5, 8]);
    }
  });

  it('decodes only the lines holding a needle, and counts only those it examined', async () => {
    const { stats, records } = await scan('gpu_server.log', false, ['comfyui_complete'], 16);
    expect(records.map((r) => [r.line, r.record.duration_ms])).toEqual([
      [2, 4210],
      [7, 99],
    ]);
    expect(stats.lines).toBe(8);
    expect(stats.reasons).toEqual({ invalid_json: 1 });
  });

  it('hands back every line of a block with more lines than the kernel has result records for', async () => {
    const T2 = '2026-11-28T05:03:21.123Z';
    const many = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 2 ? '[]' : `{"level":"INFO","time":"${T2}","i":${i}}`));
    await writeFile(path.join(dir, 'many.log'), `${many.join('\n')}\n`);
    const { stats, records } = await scan('many.log', false, undefined);
    expect(stats.lines).toBe(20_000);
    expect(records).toHaveLength(20_000 - Math.floor(20_000 / 3));
    expect(records.at(-1)?.line).toBe(20_000);
    expect(stats.reasons).toEqual({ not_object: Math.floor(20_000 / 3) });
  });

  it('reads gzip files', async () => {
    const { stats, records } = await scan('gpu_server.log.1.gz', true, ['comfyui_complete']);
    expect(records).toHaveLength(2);
    expect(stats.lines).toBe(7);
    expect(stats.error).toBeUndefined();
  });

  it('gives the same results to scans started together (they share the kernel)', async () => {
    const alone = await scan('gpu_server.log.1.gz', true, undefined);
    const [gz, plain] = await Promise.all([
      scan('gpu_server.log.1.gz', true, undefined),
      scan('gpu_server.log', false, ['comfyui_complete']),
    ]);
    expect(gz.records.map((r) => r.line)).toEqual(alone.records.map((r) => r.line));
    expect(gz.stats.reasons).toEqual(alone.stats.reasons);
    expect(plain.records).toHaveLength(2);
  });

  it('keeps what it read of a corrupt gzip file and reports the error', async () => {
    const { stats, records } = await scan('broken.log.gz', true, undefined);
    expect(stats.error).toMatch(/gzip|unexpected end/i);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(200);
  });

  it('reports a missing file as an error, not an exception', async () => {
    const { stats, records } = await scan('nope.log', false, undefined);
    expect(stats.error).toBe('no such file or directory');
    expect(records).toEqual([]);
  });
});
