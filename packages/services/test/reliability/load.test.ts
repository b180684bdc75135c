// Load: 200 concurrent generate requests through the real processes (backend → GPU
// server → emulator without delays). Every request is logged exactly once at each end,
// every line on disk is whole and in the log format (docs/log-format.md), and memory stays bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driveRequests } from '../../src/request-driver/drive-requests.js';
import { startProcessStack, type ProcessStack } from '../support/process-stack.js';
import { readCheckedLog, sampleRss } from '../support/service-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-load-'));
let stack: ProcessStack | undefined;
afterAll(() => {
  stack?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const REQUESTS = 200;
// Peak resident memory per process. Idle, each is about 60-80 MiB; under this load the
// peaks measured here were about 115 (backend), 145 (GPU server) and 125 MiB (emulator).
// Holding every 512×512 image or response body would pass this bound.
const MAX_RSS_MIB = 300;

/** How many lines of each event a request id has. */
function countByRequest(records: ReadonlyArray<Record<string, unknown>>, event: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record['event'] !== event) continue;
    const id = record['request_id'] as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('200 concurrent generate requests through backend, GPU server and emulator', () => {
  it('answers all, logs each exactly once at both ends with whole lines, in bounded memory', async () => {
    stack = await startProcessStack(dir, {
      // 200 generations poll at once: a longer interval keeps the emulator responsive.
      gpu: { COMFYUI_POLL_INTERVAL_MS: '200', COMFYUI_TIMEOUT_MS: '240000', LOG_LEVEL: 'debug' },
      backend: { GPU_TIMEOUT_MS: '280000' },
    });
    const rss = sampleRss({ backend: stack.backend.pid, gpu: stack.gpu.pid, emulator: stack.emulator.pid });
    const results = await driveRequests({
      url: stack.urls.backend,
      count: REQUESTS,
      concurrency: REQUESTS,
      timeoutMs: 290_000,
      kinds: [
        {
          name: 'generate',
          weight: 1,
          body: (i) => ({ prompt: `a lantern in fog, take ${i}`, width: 512 + 8 * (i % 8), height: 512, steps: 2 }),
        },
      ],
    });
    const peak = rss.stop();

    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const ids = results.map((r) => r.requestId as string);
    expect(new Set(ids).size).toBe(REQUESTS);

    const backend = readCheckedLog(stack.logFiles.backend);
    const gpu = readCheckedLog(stack.logFiles.gpu);
    for (const [records, event] of [
      [backend, 'generate_request'],
      [backend, 'gpu_response'],
      [backend, 'response_sent'],
      [gpu, 'generation_start'],
      [gpu, 'image_retrieved'],
    ] as const) {
      const counts = countByRequest(records, event);
      expect([...counts.keys()].sort(), event).toEqual([...ids].sort());
      expect(
        [...counts.values()].every((n) => n === 1),
        event,
      ).toBe(true);
    }
    expect(backend.filter((r) => r['event'] === 'response_sent').every((r) => r['status'] === 200)).toBe(true);
    // service_start + four lines per request: nothing extra, nothing lost.
    expect(backend).toHaveLength(1 + 4 * REQUESTS);

    for (const [name, kib] of Object.entries(peak)) {
      expect(kib, `${name} peak RSS ${Math.round(kib / 1024)} MiB`).toBeGreaterThan(0);
      expect(kib / 1024, `${name} peak RSS`).toBeLessThan(MAX_RSS_MIB);
    }
  });
});
