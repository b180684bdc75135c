import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJson, type Json } from './run-cli.js';

// Two generations; the second `got prompt` was printed while the first prompt's sampler
// bar was still being drawn, so ComfyUI's stderr (and the stamped comfyui.log) holds
// the bar and `got prompt` on one line.
const R1 = '11111111-2f0a-4c47-9a53-5e9f1f3b7a10';
const R2 = '22222222-2f0a-4c47-9a53-5e9f1f3b7a10';
const G1 = '33333333-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const G2 = '44444444-1c3a-4e5b-8f60-7a1b2c3d4e5f';
const P1 = 'aaaaaaaa-cf7d-4335-81f7-52fb0ecb2a89';
const P2 = 'bbbbbbbb-cf7d-4335-81f7-52fb0ecb2a89';

const t = (ms: number) => new Date(Date.UTC(2026, 10, 28, 6, 0, 0, ms)).toISOString();
const gpu = (o: Record<string, unknown>) => JSON.stringify({ level: 'INFO', service: 'gpu_server', msg: 'm', ...o });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logtrace-glued-'));
  await writeFile(
    path.join(dir, 'gpu_server.log'),
    [
      gpu({ time: t(0), event: 'generation_start', request_id: R1, generation_id: G1, workflow: 'txt2img' }),
      gpu({ time: t(12), event: 'comfyui_prompt_sent', request_id: R1, generation_id: G1, prompt_id: P1, queue_number: 1 }),
      gpu({ time: t(500), event: 'generation_start', request_id: R2, generation_id: G2, workflow: 'txt2img' }),
      gpu({ time: t(512), event: 'comfyui_prompt_sent', request_id: R2, generation_id: G2, prompt_id: P2, queue_number: 2 }),
      gpu({ time: t(1100), event: 'comfyui_complete', request_id: R1, generation_id: G1, prompt_id: P1, duration_ms: 1088, attempts: 3 }),
      gpu({
        time: t(2100),
        event: 'error_comfyui',
        level: 'ERROR',
        request_id: R2,
        generation_id: G2,
        prompt_id: P2,
        error_code: 'comfyui_execution_error',
        error: 'boom',
      }),
    ].join('\n') + '\n',
  );
  await writeFile(
    path.join(dir, 'comfyui.log'),
    [
      `${t(10)} got prompt`,
      `${t(510)}  25%|██▌       | 5/20 [00:00<00:01, 20.29it/s]got prompt`,
      `${t(1050)} 100%|██████████| 20/20 [00:01<00:00, 20.25it/s]`,
      `${t(1060)} Prompt executed in 1.05 seconds`,
      `${t(2000)} !!! Exception during processing !!! boom`,
      `${t(2000)} Traceback (most recent call last):`,
      `${t(2000)}   File "/workspace/ComfyUI/nodes.py", line 1525, in sample`,
      `${t(2000)} RuntimeError: boom`,
      `${t(2000)} `,
      `${t(2010)} Prompt executed in 0.95 seconds`,
    ].join('\n') + '\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a got prompt glued to an unfinished progress bar', () => {
  it('still counts as the second POST, so each trace gets its own ComfyUI lines', async () => {
    const first = (await runJson<Json>(['trace', R1, '--dir', dir])).json;
    const second = (await runJson<Json>(['trace', R2, '--dir', dir])).json;
    const kinds = (trace: Json) => (trace['comfyui'] as Json[]).map((c) => `${c['kind']}@${c['line']}`);
    expect(kinds(first)).toEqual(['got_prompt@1', 'progress@2', 'progress@3', 'executed@4']);
    expect(kinds(second)).toEqual(['got_prompt@2', 'exception@5', 'executed@10']);
  });
});
