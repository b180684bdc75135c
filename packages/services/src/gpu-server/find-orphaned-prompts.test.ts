import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../comfyui/create-comfyui-client.js';
import { findOrphanedPrompts } from './find-orphaned-prompts.js';

const REQUEST = '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10';
const gen = (n: number): string => `9d2b7f8e-1c3a-4e5b-8f60-${String(n).padStart(12, '0')}`;
const ours = (promptId: string, n: number, instance = 'me:8002', requestId: unknown = REQUEST): QueueEntry => ({
  promptId,
  extraData: { extra_pnginfo: { logtrace: { request_id: requestId, generation_id: gen(n), gpu_server: instance } } },
});

describe('findOrphanedPrompts', () => {
  it("picks this instance's prompts with no live generation, pending before running", () => {
    const queue = {
      running: [ours('p1', 1)],
      pending: [
        ours('p2', 2),
        ours('p3', 3),
        ours('p4', 4, 'other:8002'),
        { promptId: 'p5', extraData: { client_id: 'ui' } },
        { promptId: 'p6', extraData: { extra_pnginfo: { logtrace: { generation_id: 'not-a-uuid', gpu_server: 'me:8002' } } } },
        ours('p7', 7, 'me:8002', '"},"level":"FATAL'),
        ours('bad id with spaces', 8),
      ],
    };
    const orphans = findOrphanedPrompts(queue, 'me:8002', (id) => id === gen(3));
    expect(orphans).toEqual([
      { promptId: 'p2', state: 'pending', generationId: gen(2), requestId: REQUEST },
      { promptId: 'p7', state: 'pending', generationId: gen(7), requestId: undefined },
      { promptId: 'p1', state: 'running', generationId: gen(1), requestId: REQUEST },
    ]);
  });

  it('an empty queue or one without markers has no orphans', () => {
    expect(findOrphanedPrompts({ running: [], pending: [] }, 'me:8002', () => false)).toEqual([]);
    expect(
      findOrphanedPrompts(
        { running: [{ promptId: 'x', extraData: null }], pending: [{ promptId: 'y', extraData: [1] }] },
        'me:8002',
        () => false,
      ),
    ).toEqual([]);
  });
});
