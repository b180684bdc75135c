import type { Random } from './create-random.js';

/** Text ComfyUI prints, as real ComfyUI prints it (docs/comfyui.md "Console output"), for the generator. */

/** The startup banner, ending with the line after which the API is ready. */
export const STARTUP_BANNER: readonly string[] = [
  'Checkpoint files will always be loaded safely.',
  'Total VRAM 81090 MB, total RAM 257598 MB',
  'pytorch version: 2.5.1+cu124',
  'Set vram state to: NORMAL_VRAM',
  'Device: cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync',
  'Using pytorch attention',
  'Python version: 3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]',
  'ComfyUI version: 0.3.64',
  'ComfyUI frontend version: 1.27.10',
  '[Prompt Server] web root: /opt/comfyui-packages/comfyui_frontend_package/static',
  '',
  'Import times for custom nodes:',
  '   0.0 seconds: /workspace/ComfyUI/custom_nodes/websocket_image_save.py',
  '',
  'Starting server',
  '',
  'To see the GUI go to: http://127.0.0.1:8188',
];

/** A rejected prompt: what ComfyUI prints and the error type it reports. */
export interface Rejection {
  readonly type: string;
  readonly message: string;
  readonly lines: readonly string[];
}

/** The two rejections the generator uses, as ComfyUI prints them after `got prompt`. */
export function rejection(kind: 'failed_validation' | 'no_outputs'): Rejection {
  if (kind === 'no_outputs') {
    return {
      type: 'prompt_no_outputs',
      message: 'Prompt has no outputs',
      lines: ["invalid prompt: {'type': 'prompt_no_outputs', 'message': 'Prompt has no outputs', 'details': '', 'extra_info': {}}"],
    };
  }
  return {
    type: 'prompt_outputs_failed_validation',
    message: 'Prompt outputs failed validation',
    lines: [
      'Failed to validate prompt for output 9:',
      '* CheckpointLoaderSimple 4:',
      "  - Value not in list: ckpt_name: 'sdxl_base_1.0.safetensors' not in ['v1-5-pruned-emaonly.safetensors']",
      'Output will be ignored',
      "invalid prompt: {'type': 'prompt_outputs_failed_validation', 'message': 'Prompt outputs failed validation', 'details': '', 'extra_info': {}}",
    ],
  };
}

/** aiohttp's log for a POST /prompt body that is not JSON (ComfyUI answers 500). */
export const REQUEST_ERROR_LINES: readonly string[] = [
  'Error handling request',
  'Traceback (most recent call last):',
  '  File "/usr/lib/python3/dist-packages/aiohttp/web_protocol.py", line 440, in _handle_request',
  '    resp = await request_handler(request)',
  '  File "/workspace/ComfyUI/server.py", line 677, in post_prompt',
  '    json_data =  await request.json()',
  '  File "/usr/lib/python3.11/json/decoder.py", line 353, in raw_decode',
  '    obj, end = self.scan_once(s, idx)',
  'json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
];

/** An exception while a prompt executes. */
export interface ExecutionFailure {
  readonly type: string;
  readonly message: string;
  readonly lastFrame: string;
  readonly lines: readonly string[];
}

const FRAMES_HEAD = [
  'Traceback (most recent call last):',
  '  File "/workspace/ComfyUI/execution.py", line 496, in execute',
  '    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all)',
  '  File "/workspace/ComfyUI/execution.py", line 277, in process_inputs',
  '    result = f(**inputs)',
];

/** One of three realistic execution failures, with a file name or size that varies. */
export function executionFailure(kind: 'save_outside' | 'bad_image' | 'oom', rng: Random): ExecutionFailure {
  const build = (type: string, message: string, file: string, line: number, fn: string, code: string): ExecutionFailure => ({
    type,
    message,
    lastFrame: `${file}:${line} in ${fn}`,
    lines: [
      `!!! Exception during processing !!! ${message}`,
      ...FRAMES_HEAD,
      `  File "${file}", line ${line}, in ${fn}`,
      `    ${code}`,
      `${type}: ${message}`,
      '',
    ],
  });
  switch (kind) {
    case 'save_outside':
      return build(
        'Exception',
        '**** ERROR: Saving image outside the output folder is not allowed.',
        '/workspace/ComfyUI/folder_paths.py',
        397,
        'get_save_image_path',
        'raise Exception(err)',
      );
    case 'bad_image':
      return build(
        'PIL.UnidentifiedImageError',
        `cannot identify image file '/workspace/ComfyUI/input/upload_${rng.int(1000, 99999)}.png'`,
        '/usr/lib/python3/dist-packages/PIL/Image.py',
        3283,
        'open',
        'raise UnidentifiedImageError(msg)',
      );
    case 'oom':
      return build(
        'torch.OutOfMemoryError',
        `CUDA out of memory. Tried to allocate ${(rng.int(50, 800) / 100).toFixed(2)} GiB. GPU 0 has a total capacity of 79.10 GiB`,
        '/workspace/ComfyUI/comfy/ldm/modules/attention.py',
        612,
        'attention_pytorch',
        'out = torch.nn.functional.scaled_dot_product_attention(q, k, v)',
      );
  }
}

/** A tqdm bar as written (with `\r` updates) and the final state logtrace should keep. */
export function progressBar(steps: number, seconds: number): { readonly raw: string; readonly final: string } {
  const rate = (steps / Math.max(seconds, 0.01)).toFixed(2);
  const state = (done: number) => {
    const filled = Math.round((done / steps) * 10);
    const pct = String(Math.round((done / steps) * 100)).padStart(3);
    return `${pct}%|${'█'.repeat(filled)}${' '.repeat(10 - filled)}| ${done}/${steps} [00:0${Math.min(9, Math.floor((seconds * done) / steps))}<00:00, ${rate}it/s]`;
  };
  const updates = [0, Math.floor(steps / 2), steps].map(state);
  return { raw: updates.join('\r'), final: updates[updates.length - 1] ?? '' };
}

/** `Prompt executed in ...` as ComfyUI formats it (HH:MM:SS over ten minutes). */
export function executedLine(ms: number): string {
  const seconds = ms / 1000;
  if (seconds <= 600) return `Prompt executed in ${seconds.toFixed(2)} seconds`;
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `Prompt executed in ${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
