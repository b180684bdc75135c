import { afterEach, describe, expect, it } from 'vitest';
import { checkRecord, createLogger } from '@logtrace/shared';
import { createComfyuiClient } from '../comfyui/create-comfyui-client.js';
import { createTestEmulator, postJson, weightFreeGraph, type TestEmulator } from '../../test/support/test-emulator.js';
import { cancelOrphanedPrompts } from './cancel-orphaned-prompts.js';

const open: TestEmulator[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

const REQUEST = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const gen = (n: number): string => `9d2b7f8e-1c3a-4e5b-8f60-${String(n).padStart(12, '0')}`;

function collectingLogger(): { logger: ReturnType<typeof createLogger>; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const logger = createLogger({ service: 'gpu_server', logDir: '.', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function submit(e: TestEmulator, n: number, instance?: string): Promise<string> {
  const extra_data =
    instance === undefined ? {} : { extra_pnginfo: { logtrace: { request_id: REQUEST, generation_id: gen(n), gpu_server: instance } } };
  const res = await postJson(e.app, '/prompt', { prompt: weightFreeGraph({ color: n }), extra_data });
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

describe('cancelOrphanedPrompts', () => {
  it("interrupts this instance's running orphan, deletes its pending ones, logs each, spares the rest", async () => {
    const e = await createTestEmulator();
    open.push(e);
    e.hold();
    const running = await submit(e, 1, 'me:8002');
    const pending = await submit(e, 2, 'me:8002');
    const live = await submit(e, 3, 'me:8002');
    const otherInstance = await submit(e, 4, 'other:8002');
    const foreign = await submit(e, 5);
    const { logger, records } = collectingLogger();
    const comfyui = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: e.fetch });
    const result = await cancelOrphanedPrompts({ comfyui, logger, instanceId: 'me:8002', isLive: (id) => id === gen(3) });
    expect(result).toEqual({ outcome: 'done', cancelled: 2 });
    expect(records().map((r) => [r['event'], r['prompt_id'], r['generation_id'], r['comfyui_cancel']])).toEqual([
      ['comfyui_orphan_cancelled', pending, gen(2), 'dequeued'],
      ['comfyui_orphan_cancelled', running, gen(1), 'interrupted'],
    ]);
    for (const record of records()) expect(checkRecord(record)).toEqual([]);
    expect(records()[0]).toMatchObject({ level: 'WARN', request_id: REQUEST, queue_state: 'pending' });
    // What stays: the live one, the other instance's, the other client's.
    let ids: unknown[] = [];
    for (let i = 0; i < 200; i += 1) {
      const queue = (await (await e.app.request('/queue')).json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
      ids = [...queue.queue_running, ...queue.queue_pending].map((item) => item[1]);
      if (!ids.includes(running)) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(ids.sort()).toEqual([live, otherInstance, foreign].sort());
    e.release();
  });

  it('does not throw or wait long when ComfyUI is down', async () => {
    const { logger, records } = collectingLogger();
    const comfyui = createComfyuiClient({ baseUrl: 'http://127.0.0.1:9', retryDelayMs: () => 1 });
    const started = Date.now();
    expect(await cancelOrphanedPrompts({ comfyui, logger, instanceId: 'me:8002', isLive: () => false })).toMatchObject({
      outcome: 'unreachable',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(records()).toEqual([]);
  });
});
