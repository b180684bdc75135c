import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random.js';
import { planExecution, SAMPLER_NODE, TXT2IMG_NODES } from './plan-execution.js';

const START = Date.UTC(2026, 10, 28, 5);

describe('planExecution', () => {
  it('runs the txt2img graph back to back in exactly the execution time, the sampler taking what the others leave', () => {
    for (const totalMs of [100, 800, 4000, 95_000]) {
      const plan = planExecution(createRandom(totalMs), { start: START, totalMs, repeat: false, steps: 30 });
      expect(plan.runs.map((r) => r.class_type)).toEqual(TXT2IMG_NODES.map((n) => n.class_type));
      let at = START;
      for (const run of plan.runs) {
        expect(run.start).toBe(at);
        expect(run.duration_ms).toBeGreaterThan(0);
        at += run.duration_ms;
      }
      expect(at - START).toBe(totalMs);
      const sampler = plan.runs.find((r) => r.node_id === SAMPLER_NODE);
      expect(sampler?.duration_ms).toBeGreaterThanOrEqual(totalMs * 0.6 - TXT2IMG_NODES.length);
    }
  });

  it('reuses the outputs of the checkpoint, the negative prompt and the latent when the previous prompt ran the same workflow', () => {
    const plan = planExecution(createRandom(1), { start: START, totalMs: 3000, repeat: true, steps: 20 });
    expect(plan.runs.filter((r) => r.cached).map((r) => [r.node_id, r.start, r.duration_ms])).toEqual([
      ['4', START, 0],
      ['7', START, 0],
      ['5', START, 0],
    ]);
    const executed = plan.runs.filter((r) => !r.cached);
    expect(executed.map((r) => r.class_type)).toEqual(['CLIPTextEncode', 'KSampler', 'VAEDecode', 'SaveImage']);
    expect(executed.reduce((s, r) => s + r.duration_ms, 0)).toBe(3000);
  });

  it('reports the sampler at each quarter of its steps, with the rate since its first report from the second on', () => {
    const plan = planExecution(createRandom(2), { start: START, totalMs: 5000, repeat: false, steps: 30 });
    const sampler = plan.runs.find((r) => r.node_id === SAMPLER_NODE);
    expect(plan.progress.map((p) => [p.value, p.max])).toEqual([
      [8, 30],
      [15, 30],
      [23, 30],
      [30, 30],
    ]);
    expect(plan.progress.at(-1)?.time).toBe((sampler?.start ?? 0) + (sampler?.duration_ms ?? 0));
    const [first, ...rest] = plan.progress;
    expect(first?.steps_per_s).toBeUndefined();
    for (const p of rest) expect(p.steps_per_s).toBeCloseTo((p.value - (first?.value ?? 0)) / ((p.time - (first?.time ?? 0)) / 1000), 2);
  });

  it('stops at the node that raises', () => {
    const plan = planExecution(createRandom(3), { start: START, totalMs: 1500, repeat: false, steps: 20, lastNode: SAMPLER_NODE });
    expect(plan.runs.map((r) => r.node_id)).toEqual(['4', '6', '7', '5', '3']);
    expect(plan.runs.reduce((s, r) => s + r.duration_ms, 0)).toBe(1500);
  });
});
