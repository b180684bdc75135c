import { describe, expect, it } from 'vitest';
import { createColors } from '../render/colors.js';
import { renderWaterfall } from './render-waterfall.js';
import type { TraceNode } from './trace-nodes.js';
import type { TraceStage } from './trace-stages.js';

const plain = createColors(false);
const stage = (name: string, label: string, start_ms: number, duration_ms: number): TraceStage => ({ name, label, start_ms, duration_ms });
const STAGES = [
  stage('total', 'total', 0, 4000),
  stage('comfyui', 'ComfyUI queue + execution', 0, 4000),
  stage('image_transfer', 'image transfer', 3900, 100),
];

describe('renderWaterfall', () => {
  it('draws one bar per stage on the scale of the trace', () => {
    expect(renderWaterfall(STAGES, [], plain)).toEqual([
      `  total                         4.00 s  │${'█'.repeat(40)}│`,
      `  ComfyUI queue + execution     4.00 s  │${'█'.repeat(40)}│`,
      `  image transfer                100 ms  │${' '.repeat(39)}█│`,
    ]);
  });

  it("indents ComfyUI's queue wait and execution under its stage, and the nodes after them, a cached one without a bar", () => {
    const stages = [
      ...STAGES.slice(0, 2),
      stage('comfyui_queue_wait', 'ComfyUI queue wait', 0, 1000),
      stage('comfyui_execution', 'ComfyUI execution', 1000, 2000),
      STAGES[2] as TraceStage,
    ];
    const nodes: TraceNode[] = [
      { node_id: '4', class_type: null, start_ms: 1000, duration_ms: 0, cached: true },
      { node_id: '3', class_type: 'KSampler', start_ms: 1000, duration_ms: 2000, cached: false },
    ];
    const lines = renderWaterfall(stages, nodes, plain);
    expect(lines.map((l) => l.split('│')[0]?.trimEnd())).toEqual([
      '  total                         4.00 s',
      '  ComfyUI queue + execution     4.00 s',
      '    ComfyUI queue wait          1.00 s',
      '    ComfyUI execution           2.00 s',
      '      #4                        cached',
      '      #3 KSampler               2.00 s',
      '  image transfer                100 ms',
    ]);
    expect(lines[4]).toContain(`│${' '.repeat(40)}│`);
    expect(lines[5]).toContain(`│${' '.repeat(10)}${'█'.repeat(20)}${' '.repeat(10)}│`);
  });
});
