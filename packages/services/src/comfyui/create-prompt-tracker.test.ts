import { describe, expect, it } from 'vitest';
import { createPromptTracker, type PromptTracker, type TrackerLine } from './create-prompt-tracker.js';
import type { ComfyuiWsMessage } from './parse-ws-message.js';

const P = 'prompt-1';
const CLASSES = new Map([
  ['1', 'EmptyImage'],
  ['2', 'KSampler'],
  ['3', 'SaveImage'],
]);

const start = (timestamp: number): ComfyuiWsMessage => ({ type: 'execution_start', promptId: P, timestamp });
const cached = (nodes: string[]): ComfyuiWsMessage => ({ type: 'execution_cached', promptId: P, nodes });
const executing = (node: string | null): ComfyuiWsMessage => ({ type: 'executing', promptId: P, node });
const progress = (node: string, value: number, max: number): ComfyuiWsMessage => ({ type: 'progress', promptId: P, node, value, max });
const success = (timestamp: number): ComfyuiWsMessage => ({ type: 'execution_success', promptId: P, timestamp });

/** Feeds [message, receive time] pairs; returns every line. */
function feed(tracker: PromptTracker, steps: ReadonlyArray<readonly [ComfyuiWsMessage, number]>, queueRemaining?: number): TrackerLine[] {
  return steps.flatMap(([message, at]) => tracker.apply(message, at, queueRemaining));
}

describe('createPromptTracker', () => {
  it('times the queue wait, each executed node and the execution', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 1000 });
    const lines = feed(
      tracker,
      [
        [start(1400), 1401],
        [cached([]), 1402],
        [executing('1'), 1403],
        [executing('2'), 1413],
        [executing('3'), 1913],
        [{ type: 'executed', promptId: P }, 1950],
        [success(1960), 1961],
        [executing(null), 1965],
      ],
      1,
    );
    expect(lines).toEqual([
      { event: 'comfyui_execution_start', fields: { queue_wait_ms: 400, queue_remaining: 1 } },
      { event: 'comfyui_node_executed', fields: { node_id: '1', class_type: 'EmptyImage', duration_ms: 10, cached: false } },
      { event: 'comfyui_node_executed', fields: { node_id: '2', class_type: 'KSampler', duration_ms: 500, cached: false } },
      { event: 'comfyui_node_executed', fields: { node_id: '3', class_type: 'SaveImage', duration_ms: 48, cached: false } },
    ]);
    expect(tracker.running()).toBe(false);
    expect(tracker.detail()).toEqual({ queue_wait_ms: 400, execution_ms: 560, nodes_executed: 3, nodes_cached: 0 });
  });

  it('is done at `executing` with node null, which follows the history entry, not at execution_success', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 1000 });
    feed(tracker, [
      [start(1400), 1401],
      [executing('1'), 1403],
      [success(1410), 1411],
    ]);
    expect(tracker.done()).toBe(false);
    feed(tracker, [[executing(null), 1412]]);
    expect(tracker.done()).toBe(true);
  });

  it('lists cached nodes and counts none of them as executed', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 1000 });
    const lines = feed(tracker, [
      [start(999), 1001],
      [cached(['1', '2', '3']), 1001],
      [{ type: 'executed', promptId: P }, 1002],
      [success(1002), 1003],
    ]);
    // A start stamped before the submission (clocks a few ms apart) is a zero wait, not a negative one.
    expect(lines).toEqual([
      { event: 'comfyui_execution_start', fields: { queue_wait_ms: 0 } },
      { event: 'comfyui_nodes_cached', fields: { node_ids: ['1', '2', '3'], count: 3 } },
    ]);
    expect(tracker.detail()).toEqual({ queue_wait_ms: 0, execution_ms: 3, nodes_executed: 0, nodes_cached: 3 });
  });

  it('lists at most 64 cached node ids but counts them all', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    const ids = Array.from({ length: 100 }, (_, i) => String(i));
    const [, line] = feed(tracker, [
      [start(1), 1],
      [cached(ids), 1],
    ]);
    expect(line?.fields).toMatchObject({ count: 100, node_ids: ids.slice(0, 64) });
  });

  it('reports progress at most once per quarter of a node, four lines at most, with the rate', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    feed(tracker, [
      [start(1), 1],
      [executing('2'), 10],
    ]);
    const steps = Array.from({ length: 20 }, (_, i) => [progress('2', i + 1, 20), 1000 + i * 100] as const);
    const lines = feed(tracker, [...steps, [progress('2', 20, 20), 5000]]);
    expect(lines.map((l) => l.fields)).toEqual([
      { node_id: '2', class_type: 'KSampler', value: 5, max: 20, steps_per_s: 10 },
      { node_id: '2', class_type: 'KSampler', value: 10, max: 20, steps_per_s: 10 },
      { node_id: '2', class_type: 'KSampler', value: 15, max: 20, steps_per_s: 10 },
      { node_id: '2', class_type: 'KSampler', value: 20, max: 20, steps_per_s: 10 },
    ]);
    // A node reporting progress from an earlier value again (a second sampler pass) adds nothing past four lines.
    expect(feed(tracker, [[progress('2', 20, 20), 6000]])).toEqual([]);
  });

  it('writes one comfyui_stalled when a running prompt goes quiet, naming the node', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    expect(tracker.checkStall(10_000, 100)).toBeUndefined(); // not started: queued prompts are not stalled
    feed(tracker, [
      [start(5), 5],
      [executing('3'), 10],
    ]);
    expect(tracker.checkStall(100, 100)).toBeUndefined();
    expect(tracker.checkStall(150, 100)).toEqual({
      event: 'comfyui_stalled',
      fields: { idle_ms: 140, node_id: '3', class_type: 'SaveImage' },
    });
    expect(tracker.checkStall(10_000, 100)).toBeUndefined();
  });

  it('judges no stall while the socket is down, and counts from the reconnection', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    feed(tracker, [
      [start(5), 5],
      [executing('1'), 10],
    ]);
    tracker.disconnected();
    expect(tracker.checkStall(5000, 100)).toBeUndefined();
    tracker.reconnected(5000);
    expect(tracker.checkStall(5050, 100)).toBeUndefined();
    expect(tracker.checkStall(5100, 100)?.fields).toEqual({ idle_ms: 100 });
  });

  it('after a disconnection leaves out what it can no longer know, never guesses', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    feed(tracker, [
      [start(10), 10],
      [cached([]), 10],
      [executing('1'), 20],
    ]);
    tracker.disconnected();
    tracker.reconnected(500);
    // Node 1's end and node 2 happened while the socket was down; node 3 is seen whole.
    const lines = feed(tracker, [
      [executing('3'), 600],
      [success(700), 700],
    ]);
    expect(lines).toEqual([
      { event: 'comfyui_node_executed', fields: { node_id: '3', class_type: 'SaveImage', duration_ms: 100, cached: false } },
    ]);
    expect(tracker.detail()).toEqual({ queue_wait_ms: 10, execution_ms: 690, nodes_cached: 0 });
  });

  it('gives no duration to a node that raised, and ends the prompt', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    const lines = feed(tracker, [
      [start(1), 1],
      [executing('1'), 2],
      [executing('2'), 5],
      [{ type: 'execution_error', promptId: P, node: '2' }, 50],
    ]);
    expect(lines.map((l) => l.event)).toEqual(['comfyui_execution_start', 'comfyui_node_executed']);
    expect(tracker.running()).toBe(false);
    expect(tracker.detail()).toEqual({ queue_wait_ms: 1 });
  });

  it('leaves class_type out for a node the submitted graph does not have (node expansion)', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    const lines = feed(tracker, [
      [start(1), 1],
      [executing('5.0.1'), 2],
      [executing(null), 9],
    ]);
    expect(lines[1]).toEqual({ event: 'comfyui_node_executed', fields: { node_id: '5.0.1', duration_ms: 7, cached: false } });
  });

  it('writes at most a few lines per node of the graph, however many node ids a peer invents', () => {
    const tracker = createPromptTracker({ classTypes: CLASSES, sentAt: 0 });
    const invented = Array.from({ length: 5000 }, (_, i) => [executing(`x${i}`), i + 1] as const);
    const lines = feed(tracker, [[start(1), 1], ...invented]);
    expect(lines).toHaveLength(16 * CLASSES.size + 64);
  });
});
