// The GPU server is SIGKILLed while its prompts wait in ComfyUI's queue (one running,
// the rest pending). Nobody will ever fetch their images, so the next GPU server
// process cancels them when it starts — the running one interrupted, the pending ones
// deleted — writes comfyui_orphan_cancelled for each, and leaves other clients'
// prompts alone. Against the built emulator and GPU server.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { weightFreeGraph } from '../support/test-emulator.js';
import {
  BIN,
  emulatorUrl,
  freePort,
  readCheckedLog,
  spawnService,
  startedPort,
  waitUntil,
  type ServiceChild,
} from '../support/service-process.js';

type Json = Record<string, any>;

const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-orphans-'));
const children: ServiceChild[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const queueOf = async (url: string): Promise<{ running: Json[]; pending: Json[] }> => {
  const body = (await (await fetch(`${url}/queue`)).json()) as Json;
  return { running: body['queue_running'], pending: body['queue_pending'] };
};
const promptIdsOf = (items: Json[]): string[] => items.map((item) => item[1] as string);

function startGpuServer(comfyuiUrl: string, port: number, logDir: string): ServiceChild {
  const child = spawnService(BIN.gpuServer, {
    PORT: String(port),
    LOG_DIR: logDir,
    COMFYUI_URL: comfyuiUrl,
    COMFYUI_POLL_INTERVAL_MS: '50',
  });
  children.push(child);
  return child;
}

describe('prompts orphaned by a GPU server that was SIGKILLed', () => {
  it('are cancelled by the next GPU server at start, and only they', async () => {
    // A sampler step of 300 ms: each txt2img prompt (20 steps) holds the emulated GPU for 6 s.
    const emulator = spawnService(
      BIN.emulator,
      { EMULATOR_STEP_MS: '300', EMULATOR_NODE_MS: '0', EMULATOR_LOAD_MS: '0', EMULATOR_JITTER: '0' },
      ['--port', String(await freePort())],
    );
    children.push(emulator);
    const comfyui = await emulatorUrl(emulator);
    // Another client's prompt, queued before ours: not ours to cancel.
    const foreign = (await (
      await fetch(`${comfyui}/prompt`, {
        method: 'POST',
        body: JSON.stringify({ prompt: weightFreeGraph({ text: '[[fault:hang]]' }), client_id: 'someone-else' }),
      })
    ).json()) as Json;

    const port = await freePort();
    const firstLogs = path.join(dir, 'first');
    const first = startGpuServer(comfyui, port, firstLogs);
    const gpuUrl = `http://127.0.0.1:${await startedPort(path.join(firstLogs, 'gpu_server.log'))}`;
    const generations = Array.from({ length: 4 }, (_, i) =>
      fetch(`${gpuUrl}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `a lighthouse ${i}`, workflow: 'txt2img', steps: 20 }),
      }).catch(() => undefined),
    );
    const sent = await waitUntil(() => {
      const lines = readCheckedLog(path.join(firstLogs, 'gpu_server.log')).filter((r) => r['event'] === 'comfyui_prompt_sent');
      return lines.length === 4 ? lines : undefined;
    }, 'four prompts in ComfyUI');
    first.kill('SIGKILL');
    await first.exited;
    await Promise.all(generations);
    const ours = sent.map((r) => r['prompt_id'] as string);
    const before = await queueOf(comfyui);
    expect([...promptIdsOf(before.running), ...promptIdsOf(before.pending)].sort()).toEqual([foreign['prompt_id'], ...ours].sort());

    // The foreign prompt hangs until interrupted; delete it so one of ours runs.
    await fetch(`${comfyui}/queue`, { method: 'POST', body: JSON.stringify({ delete: [foreign['prompt_id']] }) });
    await fetch(`${comfyui}/interrupt`, { method: 'POST', body: JSON.stringify({ prompt_id: foreign['prompt_id'] }) });
    const other = (await (
      await fetch(`${comfyui}/prompt`, {
        method: 'POST',
        body: JSON.stringify({ prompt: weightFreeGraph({ color: 7 }), client_id: 'someone-else' }),
      })
    ).json()) as Json;
    const running = await waitUntil(
      async () => promptIdsOf((await queueOf(comfyui)).running).find((id) => ours.includes(id)),
      'one of ours running',
    );

    const secondLogs = path.join(dir, 'second');
    const started = Date.now();
    startGpuServer(comfyui, port, secondLogs);
    const cancelled = await waitUntil(
      () => {
        const lines = readCheckedLog(path.join(secondLogs, 'gpu_server.log')).filter((r) => r['event'] === 'comfyui_orphan_cancelled');
        return lines.length === 4 ? lines : undefined;
      },
      'comfyui_orphan_cancelled for the four',
      10_000,
    );
    // Well before the 4 × 6 s the orphans would have held the GPU.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(cancelled.map((r) => r['prompt_id']).sort()).toEqual([...ours].sort());
    for (const line of cancelled) {
      const original = sent.find((r) => r['prompt_id'] === line['prompt_id']);
      expect(line).toMatchObject({
        level: 'WARN',
        request_id: original?.['request_id'],
        generation_id: original?.['generation_id'],
        comfyui_cancel: line['prompt_id'] === running ? 'interrupted' : 'dequeued',
      });
    }
    // The other client's prompt runs to its end.
    const history = await waitUntil(async () => {
      const entry = ((await (await fetch(`${comfyui}/history/${other['prompt_id']}`)).json()) as Json)[other['prompt_id']];
      return entry === undefined ? undefined : (entry as Json);
    }, "the other client's prompt to finish");
    expect(history['status']['status_str']).toBe('success');
    expect(await queueOf(comfyui)).toEqual({ running: [], pending: [] });
  });
});
