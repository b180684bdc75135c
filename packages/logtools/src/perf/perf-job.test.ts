import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStats } from '../read/file-stats.js';
import { scanJsonFile } from '../read/scan-json-file.js';
import { PerfAccumulator, type PerfReport } from './perf-accumulator.js';
import { perfJob, perfSink } from './perf-job.js';

const OPTIONS = { slowMs: 60_000, top: 5, bucketMs: 3_600_000 };
const IDS = '"request_id":"0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10","generation_id":"9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f","prompt_id":"p-1"';
const ours = (time: string, level: string, rest: string) =>
  `{"level":"${level}","time":"2026-11-28T05:00:${time}Z","service":"gpu_server",${IDS},${rest}}`;

/** ComfyUI's websocket events written every way a producer may, with values perf must take or leave exactly as JSON.parse + normalizeRecord read them. */
const LINES = [
  ours(
    '00.000',
    'DEBUG',
    '"node_id":"4","class_type":"CheckpointLoaderSimple","duration_ms":900,"cached":false,"event":"comfyui_node_executed","msg":"m"',
  ),
  ours('00.100', 'DEBUG', '"node_ids":["4","7",5,["8"],null],"count":7,"event":"comfyui_nodes_cached","msg":"m"'),
  ours('00.200', 'DEBUG', '"node_ids":{"4":true},"count":"2","event":"comfyui_nodes_cached","msg":"m"'),
  ours(
    '00.300',
    'DEBUG',
    '"node_id":"3","class_type":"KSampl\\u0065r","value":20,"max":20,"steps_per_s":7.25,"event":"comfyui_progress","msg":"m"',
  ),
  ours('00.350', 'DEBUG', '"node_id":"3","class_type":"KSampler","value":10,"max":20,"steps_per_s":5,"event":"comfyui_progress","msg":"m"'),
  ours(
    '00.400',
    'DEBUG',
    '"node_id":"3","class_type":"KSämpler","value":2e1,"max":20.0,"steps_per_s":1e1,"event":"comfyui_progress","msg":"m"',
  ),
  ours(
    '00.500',
    'DEBUG',
    '"node_id":"3","class_type":"KSampler","value":20,"max":20,"steps_per_s":"7","event":"comfyui_progress","msg":"m"',
  ),
  ours(
    '00.600',
    'DEBUG',
    '"node_id":"3","class_type":"KSampler","value":20,"max":20,"steps_per_s":1e400,"event":"comfyui_progress","msg":"m"',
  ),
  ours(
    '00.650',
    'DEBUG',
    '"node_id":"3","class_type":"KSampler","value":"20","max":"20","steps_per_s":9,"event":"comfyui_progress","msg":"m"',
  ),
  ours('00.700', 'DEBUG', '"node_id":"3","value":20,"max":20,"steps_per_s":-2.5,"event":"comfyui_progress","msg":"m"'),
  ours(
    '00.800',
    'DEBUG',
    '"node_id":"3","class_type":"Wrong","class_type":"KSampler","duration_ms":3000,"event":"comfyui_node_executed","msg":"m"',
  ),
  ours('00.900', 'DEBUG', '"node_id":7,"class_type":"CLIPTextEncode","duration_ms":"40","event":"comfyui_node_executed","msg":"m"'),
  ours('01.000', 'DEBUG', '"node_id":7,"class_type":"CLIPTextEncode","duration_ms":40.5,"event":"comfyui_node_executed","msg":"m"'),
  ours('01.100', 'DEBUG', '"node_id":"8","class_type":{"name":"VAEDecode"},"duration_ms":100,"event":"comfyui_node_executed","msg":"m"'),
  '{"timestamp": "2026-11-28T05:00:01.200000", "level": "DEBUG", "service": "gpu_server", "event": "comfyui_node_executed", "node_id": "8", "class_type": "VAEDecode", "duration_ms": 120, "cached": false, "message": "m"}',
  '{"level":20,"time":1795842001300,"name":"gpu_server","node_id":"9","class_type":"SaveImage","duration_ms":55,"event":"comfyui_node_executed","msg":"m"}',
  ours('01.400', 'DEBUG', '"node_ids":["8","9","3"],"count":3,"event":"comfyui_nodes_cached","msg":"m"'),
  ours(
    '01.500',
    'INFO',
    '"duration_ms":4200,"attempts":9,"queue_wait_ms":650,"execution_ms":3400.5,"nodes_executed":5,"nodes_cached":2,"event":"comfyui_complete","msg":"m"',
  ),
  ours('01.600', 'INFO', '"duration_ms":3000,"attempts":6,"queue_wait_ms":"650","execution_ms":null,"event":"comfyui_complete","msg":"m"'),
  ours('01.700', 'INFO', '"queue_wait_ms":12,"queue_remaining":0,"event":"comfyui_execution_start","msg":"m"'),
  // Lines without perf's needles: what they hold is not read either way.
  ours('01.710', 'INFO', '"attempts":6,"queue_wait_ms":700,"execution_ms":2000,"event":"comfyui_complete","msg":"m"'),
  ours('01.720', 'DEBUG', '"count":5,"event":"comfyui_nodes_cached","msg":"m"'),
  ours('01.730', 'DEBUG', '"class_type":"KSampler","value":20,"max":20,"steps_per_s":3,"event":"comfyui_progress","msg":"m"'),
  ours(
    '01.800',
    'DEBUG',
    '"node_id":"3","class_type":"KSampler","value":20,"max":20,"steps_per_s":8,"event":"comfyui_progress","msg":"ComfyUI \\u00e9 node progress"',
  ),
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-perf-job-'));
  await writeFile(path.join(dir, 'gpu_server.log'), `${LINES.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scan(fast: boolean): Promise<PerfReport> {
  const accumulator = new PerfAccumulator(OPTIONS);
  const file = { path: path.join(dir, 'gpu_server.log'), name: 'gpu_server.log', gz: false };
  const stats = new FileStats(file.name);
  if (fast)
    await scanJsonFile(
      file,
      { prefilter: perfJob.prefilter({ options: OPTIONS, strict: false }), service: 'gpu_server' },
      stats,
      perfSink(accumulator),
    );
  else await scanJsonFile(file, { prefilter: undefined, service: 'gpu_server' }, stats, (record) => accumulator.add(record));
  expect(stats.skipped).toBe(0);
  return PerfAccumulator.merged(OPTIONS, [accumulator.toParts()]).report();
}

describe('perfJob', () => {
  it("reads ComfyUI's node events from the kernel's lines exactly as from decoded records", async () => {
    const fast = await scan(true);
    expect(fast).toEqual(await scan(false));
    expect(fast.nodes).toEqual({
      KSampler: { count: 1, cached: 1, avg_ms: 3000, p50_ms: 3000, p95_ms: 3000, max_ms: 3000 },
      CheckpointLoaderSimple: { count: 1, cached: 1, avg_ms: 900, p50_ms: 900, p95_ms: 900, max_ms: 900 },
      VAEDecode: { count: 1, cached: 1, avg_ms: 120, p50_ms: 120, p95_ms: 120, max_ms: 120 },
      SaveImage: { count: 1, cached: 1, avg_ms: 55, p50_ms: 55, p95_ms: 55, max_ms: 55 },
      CLIPTextEncode: { count: 1, cached: 0, avg_ms: 40.5, p50_ms: 40.5, p95_ms: 40.5, max_ms: 40.5 },
    });
    // '7' had not run yet, and the line counted 7 while listing 2 strings.
    expect(fast.cache).toEqual({ executed: 5, cached: 10, hit_ratio: 10 / 15, unattributed: 6 });
    expect(fast.steps_per_s).toEqual({
      KSampler: { count: 2, avg: 7.625, min: 7.25, p50: 7.25, max: 8 },
      KSämpler: { count: 1, avg: 10, min: 10, p50: 10, max: 10 },
    });
    expect(fast.stages.queue_wait).toMatchObject({ count: 1, max_ms: 650 });
    expect(fast.stages.execution).toMatchObject({ count: 1, max_ms: 3400.5 });
  });
});
