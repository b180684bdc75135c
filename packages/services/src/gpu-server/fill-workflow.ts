import { WorkflowError, type ApiWorkflow } from './load-workflow.js';

/** The request values written into a workflow. */
export interface FillValues {
  readonly prompt: string;
  readonly negative_prompt: string;
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
  readonly steps: number;
  readonly seed: number;
}

const SAMPLERS: Readonly<Record<string, string>> = { KSampler: 'seed', KSamplerAdvanced: 'noise_seed' };
const SIZE_NODES = new Set(['EmptyLatentImage', 'EmptySD3LatentImage', 'EmptyImage']);
const TEXT_INPUTS = ['text', 'value'];

/**
 * Writes the request into a copy of an API-format workflow, finding nodes by class:
 * - samplers (KSampler, KSamplerAdvanced): seed and steps; the text of the node their
 *   `positive` / `negative` inputs link to (CLIPTextEncode and friends) gets the prompts;
 * - EmptyLatentImage / EmptySD3LatentImage / EmptyImage: width, height, batch_size 1;
 * - without a sampler (the weight-free default): text nodes titled "positive..." /
 *   "negative..." (`_meta.title`) get the prompts, and the seed picks EmptyImage's
 *   colour so different seeds give different images.
 * Throws `workflow_invalid` when a sampler's prompt nodes or any size node are missing.
 */
export function fillWorkflow(workflow: ApiWorkflow, values: FillValues): ApiWorkflow {
  const graph = structuredClone(workflow);
  const nodes = Object.entries(graph);
  const samplers = nodes.filter(([, node]) => Object.hasOwn(SAMPLERS, node.class_type));
  const sized = nodes.filter(([, node]) => SIZE_NODES.has(node.class_type));
  if (sized.length === 0) {
    throw new WorkflowError('workflow_invalid', 'the workflow has no EmptyLatentImage or EmptyImage node to take the size');
  }
  for (const [, node] of sized) {
    node.inputs['width'] = values.width;
    node.inputs['height'] = values.height;
    node.inputs['batch_size'] = 1;
  }
  if (samplers.length > 0) {
    for (const [id, sampler] of samplers) {
      sampler.inputs[SAMPLERS[sampler.class_type] as string] = values.seed;
      sampler.inputs['steps'] = values.steps;
      setText(graph, linkedTextNode(graph, id, 'positive'), values.prompt);
      setText(graph, linkedTextNode(graph, id, 'negative'), values.negative_prompt);
    }
    return graph;
  }
  for (const [, node] of nodes) {
    const title =
      typeof node['_meta'] === 'object' && node['_meta'] !== null ? (node['_meta'] as Record<string, unknown>)['title'] : undefined;
    const key = TEXT_INPUTS.find((name) => typeof node.inputs[name] === 'string');
    if (typeof title !== 'string' || key === undefined) continue;
    if (/^positive/i.test(title)) node.inputs[key] = values.prompt;
    else if (/^negative/i.test(title)) node.inputs[key] = values.negative_prompt;
  }
  for (const [, node] of sized) {
    if (node.class_type === 'EmptyImage') node.inputs['color'] = values.seed % 0x1000000;
  }
  return graph;
}

function linkedTextNode(graph: ApiWorkflow, samplerId: string, input: 'positive' | 'negative'): string {
  const link = graph[samplerId]?.inputs[input];
  const target = Array.isArray(link) && typeof link[0] === 'string' ? link[0] : undefined;
  const node = target === undefined ? undefined : graph[target];
  if (node === undefined || !TEXT_INPUTS.some((name) => typeof node.inputs[name] === 'string')) {
    throw new WorkflowError(
      'workflow_invalid',
      `sampler ${samplerId}'s ${input} input must link to a text encoder node (CLIPTextEncode) with a text input`,
    );
  }
  return target as string;
}

function setText(graph: ApiWorkflow, nodeId: string, text: string): void {
  const node = graph[nodeId];
  const key = TEXT_INPUTS.find((name) => typeof node?.inputs[name] === 'string');
  if (node !== undefined && key !== undefined) node.inputs[key] = text;
}
