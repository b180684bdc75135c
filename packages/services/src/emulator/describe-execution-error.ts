import type { ComfyuiConsole } from './comfyui-console.js';
import type { LoadedModels } from './loaded-models.js';
import type { QueueItem } from './prompt-types.js';
import { executionOrder, isLink } from './execution-order.js';
import type { NodeResult, NodeValue } from './node-behaviours.js';
import { formatPyFrames, formatPyTraceback, type PythonError } from './python-error.js';
import { formatPyRepr } from './python-format.js';

/**
 * What ComfyUI does when a node raises: prints `!!! Exception during processing !!!`,
 * the traceback and a blank line (plus `Got an OOM, unloading all loaded models.` and
 * the unload for an out-of-memory error), and returns the `execution_error` fields.
 */
export function describeExecutionError(
  deps: { readonly console: ComfyuiConsole; readonly models: LoadedModels },
  error: PythonError,
  item: QueueItem,
  nodeId: string,
  results: ReadonlyMap<string, NodeResult>,
): Record<string, unknown> {
  deps.console.log(`!!! Exception during processing !!! ${error.message}`);
  deps.console.log(formatPyTraceback(error));
  let tips = '';
  if (error.pyType === 'torch.OutOfMemoryError') {
    tips =
      'This error means you ran out of memory on your GPU.\n\n' +
      'TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';
    deps.console.log('Got an OOM, unloading all loaded models.');
    deps.models.unloadAll();
  }
  const node = item.graph[nodeId];
  const currentInputs: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(node?.inputs ?? {})) {
    currentInputs[name] = [formatInput(isLink(value) ? results.get(value[0])?.outputs[value[1]] : value)];
  }
  if (node?.class_type === 'SaveImage' || node?.class_type === 'PreviewImage') {
    currentInputs['prompt'] = [formatPyRepr(item.graph)];
    currentInputs['extra_pnginfo'] = [item.extraData['extra_pnginfo'] ?? null];
  }
  return {
    exception_message: `${error.message}\n${tips}`,
    exception_type: error.pyType,
    traceback: formatPyFrames(error.frames),
    current_inputs: currentInputs,
    current_outputs: [...executionOrder(item.graph, item.outputs)].reverse(),
  };
}

// ComfyUI's format_value: primitives as they are, objects as their str().
function formatInput(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return value;
  const v = value as NodeValue;
  switch (v.kind) {
    case 'images': {
      const image = v.images[0];
      const px = image === undefined ? [0, 0, 0] : [...image.rgb.subarray(0, 3)].map((c) => (c / 255).toFixed(4));
      const row = `[${px.join(', ')}]`;
      return `tensor([[[[${row},\n          ${row},\n          ...,\n          ${row}]]]])`;
    }
    case 'latent':
      return `{'samples': tensor([[[[0., 0., 0.,  ..., 0., 0., 0.]]]])}`;
    case 'conditioning':
      return `[[tensor([[[-0.3885,  0.0230, -0.0523,  ..., -0.4901, -0.3066,  0.0674]]]), {'pooled_output': None}]]`;
    case 'model':
      return '<comfy.model_patcher.ModelPatcher object at 0x7f3c2c1b2d10>';
    case 'clip':
      return '<comfy.sd.CLIP object at 0x7f3c2c1b2e90>';
    case 'vae':
      return '<comfy.sd.VAE object at 0x7f3c2c1b3010>';
    default:
      return `<${v.type}>`;
  }
}
