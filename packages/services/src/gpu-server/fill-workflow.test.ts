import { describe, expect, it } from 'vitest';
import { fillWorkflow, type FillValues } from './fill-workflow.js';
import { SHIPPED_WORKFLOW_DIR } from './load-gpu-server-config.js';
import { loadWorkflow, WorkflowError } from './load-workflow.js';

const values: FillValues = { prompt: 'a red fox', negative_prompt: 'blurry', width: 640, height: 384, steps: 12, seed: 0x1234567 };

describe('fillWorkflow', () => {
  it('fills txt2img through the sampler links', async () => {
    const workflow = await loadWorkflow(SHIPPED_WORKFLOW_DIR, 'txt2img');
    const graph = fillWorkflow(workflow, values);
    expect(graph['6']?.inputs['text']).toBe('a red fox');
    expect(graph['7']?.inputs['text']).toBe('blurry');
    expect(graph['5']?.inputs).toMatchObject({ width: 640, height: 384, batch_size: 1 });
    expect(graph['3']?.inputs).toMatchObject({ seed: 0x1234567, steps: 12 });
    expect(workflow['6']?.inputs['text']).toBe('');
  });

  it('fills the weight-free default by titles, the seed choosing the colour', async () => {
    const graph = fillWorkflow(await loadWorkflow(SHIPPED_WORKFLOW_DIR, 'default'), values);
    expect(graph['4']?.inputs['value']).toBe('a red fox');
    expect(graph['5']?.inputs['value']).toBe('blurry');
    expect(graph['1']?.inputs).toMatchObject({ width: 640, height: 384, color: 0x234567 });
  });

  it('refuses a workflow without a size node or with a sampler not linked to text', () => {
    expect(() => fillWorkflow({ '1': { class_type: 'SaveImage', inputs: {} } }, values)).toThrow(WorkflowError);
    const broken = {
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 8, height: 8, batch_size: 1 } },
      '2': { class_type: 'KSampler', inputs: { positive: ['9', 0], negative: ['9', 0] } },
    };
    expect(() => fillWorkflow(broken, values)).toThrow(/positive input must link to a text encoder/);
  });
});
