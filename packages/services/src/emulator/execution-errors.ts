import { PythonError, type PyFrame } from './python-error.js';
import { EMULATED_MACHINE } from './emulated-machine.js';

// The frames every node failure starts with (ComfyUI 0.3.64 execution.py), as captured.
const EXECUTION = `${EMULATED_MACHINE.root}/execution.py`;
const NODE_FRAMES: readonly PyFrame[] = [
  {
    file: EXECUTION,
    line: 496,
    func: 'execute',
    code: 'output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)',
    caret: true,
  },
  {
    file: EXECUTION,
    line: 315,
    func: 'get_output_data',
    code: 'return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)',
    caret: true,
  },
  { file: EXECUTION, line: 289, func: '_async_map_node_over_list', code: 'await process_inputs(input_dict, i)' },
  { file: EXECUTION, line: 277, func: 'process_inputs', code: 'result = f(**inputs)', caret: true },
];

const NODES = `${EMULATED_MACHINE.root}/nodes.py`;
const SAMPLER_FRAMES: readonly PyFrame[] = [
  {
    file: NODES,
    line: 1525,
    func: 'sample',
    code: 'return common_ksampler(model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise=denoise)',
    caret: true,
  },
  {
    file: NODES,
    line: 1492,
    func: 'common_ksampler',
    code: 'samples = comfy.sample.sample(model, noise, steps, cfg, sampler_name, scheduler, positive, negative, latent_image,',
    caret: true,
  },
  {
    file: `${EMULATED_MACHINE.root}/comfy/sample.py`,
    line: 45,
    func: 'sample',
    code: 'samples = sampler.sample(noise, positive, negative, cfg=cfg, latent_image=latent_image, start_step=start_step, last_step=last_step, force_full_denoise=force_full_denoise, denoise_mask=noise_mask, sigmas=sigmas, callback=callback, disable_pbar=disable_pbar, seed=seed)',
    caret: true,
  },
  {
    file: `${EMULATED_MACHINE.root}/comfy/samplers.py`,
    line: 1163,
    func: 'sample',
    code: 'return sample(self.model, noise, positive, negative, cfg, self.device, sampler, sigmas, self.model_options, latent_image=latent_image, denoise_mask=denoise_mask, callback=callback, disable_pbar=disable_pbar, seed=seed)',
    caret: true,
  },
  {
    file: `${EMULATED_MACHINE.root}/comfy/k_diffusion/sampling.py`,
    line: 199,
    func: 'sample_euler',
    code: 'denoised = model(x, sigma_hat * s_in, **extra_args)',
    caret: true,
  },
];

/** The sampler hit an incompatible model/conditioning pair (a classic SD1.5 vs SDXL mix-up). */
export function samplerShapeError(): PythonError {
  return new PythonError('RuntimeError', 'mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)', [
    ...NODE_FRAMES,
    ...SAMPLER_FRAMES,
    {
      file: '/workspace/ComfyUI/venv/lib/python3.11/site-packages/torch/nn/modules/linear.py',
      line: 125,
      func: 'forward',
      code: 'return F.linear(input, self.weight, self.bias)',
      caret: true,
    },
  ]);
}

/** CUDA ran out of memory; torch's message under cudaMallocAsync. */
export function outOfMemoryError(inSampler: boolean): PythonError {
  return new PythonError('torch.OutOfMemoryError', 'Allocation on device ', [
    ...NODE_FRAMES,
    ...(inSampler ? SAMPLER_FRAMES : []),
    {
      file: `${EMULATED_MACHINE.root}/comfy/model_management.py`,
      line: 1243,
      func: 'cast_to',
      code: 'r = torch.empty_like(weight, dtype=dtype, device=device)',
      caret: true,
    },
  ]);
}

/** Writing the image failed: the output disk is full. */
export function diskFullError(path: string): PythonError {
  return new PythonError('OSError', `[Errno 28] No space left on device: '${path}'`, [
    ...NODE_FRAMES,
    {
      file: NODES,
      line: 1606,
      func: 'save_images',
      code: 'img.save(os.path.join(full_output_folder, file), pnginfo=metadata, compress_level=self.compress_level)',
      caret: true,
    },
    {
      file: '/workspace/ComfyUI/venv/lib/python3.11/site-packages/PIL/Image.py',
      line: 2591,
      func: 'save',
      code: `fp = builtins.open(filename, "w+b")`,
      caret: true,
    },
  ]);
}

/** SaveImage refused a filename_prefix that leaves the output folder (captured text). */
export function outsideOutputError(fullOutputFolder: string, outputDir: string, commonPath: string): PythonError {
  const message =
    '**** ERROR: Saving image outside the output folder is not allowed.' +
    `\n full_output_folder: ${fullOutputFolder}` +
    `\n         output_dir: ${outputDir}` +
    `\n         commonpath: ${commonPath}`;
  return new PythonError('Exception', message, [
    ...NODE_FRAMES,
    {
      file: NODES,
      line: 1590,
      func: 'save_images',
      code: 'full_output_folder, filename, counter, subfolder, filename_prefix = folder_paths.get_save_image_path(filename_prefix, self.output_dir, images[0].shape[1], images[0].shape[0])',
      caret: true,
    },
    { file: `${EMULATED_MACHINE.root}/folder_paths.py`, line: 397, func: 'get_save_image_path', code: 'raise Exception(err)' },
  ]);
}

/** LoadImage got a file PIL cannot read (captured chained traceback). */
export function unidentifiedImageError(path: string): PythonError {
  const message = `cannot identify image file '${path}'`;
  const pilOpen: PyFrame = {
    file: '/usr/lib/python3/dist-packages/PIL/Image.py',
    line: 3283,
    func: 'open',
    code: 'raise UnidentifiedImageError(msg)',
  };
  const first = new PythonError('PIL.UnidentifiedImageError', message, [
    { file: `${EMULATED_MACHINE.root}/node_helpers.py`, line: 27, func: 'pillow', code: 'x = fn(arg)', caret: true },
    pilOpen,
  ]);
  return new PythonError(
    'PIL.UnidentifiedImageError',
    message,
    [
      ...NODE_FRAMES,
      { file: NODES, line: 1647, func: 'load_image', code: 'img = node_helpers.pillow(Image.open, image_path)', caret: true },
      { file: `${EMULATED_MACHINE.root}/node_helpers.py`, line: 31, func: 'pillow', code: 'x = fn(arg)', caret: true },
      pilOpen,
    ],
    first,
  );
}

/** A kernel crashed on the GPU (CUDA's own multi-line message). */
export function cudaError(): PythonError {
  return new PythonError(
    'RuntimeError',
    'CUDA error: an illegal memory access was encountered\n' +
      'CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\n' +
      'For debugging consider passing CUDA_LAUNCH_BLOCKING=1\n' +
      'Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n',
    NODE_FRAMES,
  );
}
