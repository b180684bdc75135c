import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random.js';
import { planExecution } from './plan-execution.js';
import { completionFields, websocketEvents } from './websocket-events.js';

const SENT = Date.UTC(2026, 10, 28, 5);
const plan = planExecution(createRandom(5), { start: SENT + 1200, totalMs: 4000, repeat: true, steps: 20 });
const names = (events: ReturnType<typeof websocketEvents>) =>
  events.map((e) => `${e.event}${typeof e.fields['node_id'] === 'string' ? ` ${e.fields['node_id']}` : ''}`);

describe('websocketEvents', () => {
  it('logs the start with the queue wait, the cached nodes, then each node at its end after its progress', () => {
    const events = websocketEvents(plan, { sent: SENT, until: Infinity });
    expect(events[0]).toEqual({ event: 'comfyui_execution_start', time: SENT + 1200, fields: { queue_wait_ms: 1200 } });
    expect(events.filter((e) => e.event === 'comfyui_progress').map((e) => 'steps_per_s' in e.fields)).toEqual([false, true, true, true]);
    expect(events[1]).toEqual({ event: 'comfyui_nodes_cached', time: SENT + 1200, fields: { node_ids: ['4', '7', '5'], count: 3 } });
    expect(names(events.slice(2))).toEqual([
      'comfyui_node_executed 6',
      'comfyui_progress 3',
      'comfyui_progress 3',
      'comfyui_progress 3',
      'comfyui_progress 3',
      'comfyui_node_executed 3',
      'comfyui_node_executed 8',
      'comfyui_node_executed 9',
    ]);
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort((a, b) => a - b));
    expect(events.at(-1)?.time).toBe(SENT + 1200 + 4000);
    expect(completionFields(plan, SENT, SENT + 5200)).toEqual({
      execution_ms: 4000,
      queue_wait_ms: 1200,
      nodes_executed: 4,
      nodes_cached: 3,
    });
    // A socket lost while the prompt ran: what was seen before, no execution time.
    expect(completionFields(plan, SENT, SENT + 5200, SENT + 3000)).toEqual({ queue_wait_ms: 1200, nodes_cached: 3 });
    expect(completionFields(plan, SENT, SENT + 5200, SENT + 1000)).toEqual({});
  });

  it('stops at the cut: nothing from a node that has not finished, or that raised', () => {
    const sampler = plan.runs.find((r) => r.node_id === '3');
    const midSampler = (sampler?.start ?? 0) + Math.floor((sampler?.duration_ms ?? 0) * 0.6);
    expect(names(websocketEvents(plan, { sent: SENT, until: midSampler }))).toEqual([
      'comfyui_execution_start',
      'comfyui_nodes_cached',
      'comfyui_node_executed 6',
      'comfyui_progress 3',
      'comfyui_progress 3',
    ]);
    const raised = websocketEvents(plan, { sent: SENT, until: Infinity, raised: '3' });
    expect(names(raised).filter((n) => n.startsWith('comfyui_node_executed'))).toEqual(['comfyui_node_executed 6']);
    expect(websocketEvents(plan, { sent: SENT, until: SENT + 1200 })).toEqual([]);
  });
});
