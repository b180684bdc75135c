import path from 'node:path';
import type { ComfyuiConsole } from './comfyui-console.js';
import { encodePng, readPngSize, type RgbImage } from './encode-png.js';
import { EMULATED_MACHINE } from './emulated-machine.js';
import { diskFullError, outOfMemoryError, outsideOutputError, samplerShapeError, unidentifiedImageError } from './execution-errors.js';
import type { FileStore, FolderType } from './file-store.js';
import type { LoadedModels } from './loaded-models.js';
import type { NodeClass } from './node-catalog.js';
import type { PythonError } from './python-error.js';
import { formatPyJson } from './python-format.js';
import { renderInverted, renderSeeded, renderSolid } from './render-image.js';
import type { Graph } from './prompt-types.js';

/** What flows along a link during emulated execution. */
export type NodeValue =
  | { readonly kind: 'images'; readonly images: readonly RgbImage[] }
  | { readonly kind: 'latent'; readonly width: number; readonly height: number; readonly batch: number; readonly seed: number | undefined }
  | { readonly kind: 'model' | 'clip' | 'vae'; readonly name: string }
  | { readonly kind: 'conditioning'; readonly text: string }
  | { readonly kind: 'opaque'; readonly type: string };

/** Everything one node needs while it runs. */
export interface NodeContext {
  readonly id: string;
  readonly nodeClass: NodeClass;
  /** Literal inputs as validated; linked inputs resolved to the upstream value. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly graph: Graph;
  readonly extraData: Readonly<Record<string, unknown>>;
  readonly console: ComfyuiConsole;
  readonly files: FileStore;
  readonly models: LoadedModels;
  /** Milliseconds a sampler step takes, a plain node, a checkpoint load. */
  readonly timing: { readonly stepMs: number; readonly nodeMs: number; readonly loadMs: number };
  /** /view delay given to the images this node saves (fault `slow_view`). */
  readonly viewDelayMs: number;
  /** Waits about `ms` (with jitter); rejects when the prompt is interrupted. */
  wait(ms: number): Promise<void>;
  /** Where an injected fault may fire; `error` builds this node's own exception. */
  faultPoint(error: () => PythonError, inSampler?: boolean): Promise<void>;
  /** ComfyUI's progress bar hook: `value` of `max` steps done (websocket `progress`). */
  progress(value: number, max: number): void;
  readonly now: () => number;
  readonly random: () => number;
}

/** What a node produced: one value per output slot, and its UI output (images saved). */
export interface NodeResult {
  readonly outputs: readonly NodeValue[];
  readonly ui?: Record<string, unknown>;
}

type NodeBehaviour = (ctx: NodeContext) => Promise<NodeResult>;

// A larger raster would not fit a 24 GB card in ComfyUI either; it also bounds our memory.
const MAX_PIXELS = 4096 * 4096;

const int = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const imagesOf = (value: unknown): readonly RgbImage[] =>
  isValue(value) && value.kind === 'images' ? value.images : [renderSolid(64, 64, 0)];

function isValue(value: unknown): value is NodeValue {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

function checkPixels(width: number, height: number, batch: number, inSampler: boolean): void {
  if (width * height * batch > MAX_PIXELS) throw outOfMemoryError(inSampler);
}

async function sample(ctx: NodeContext, seed: number, steps: number): Promise<NodeResult> {
  const latent = ctx.inputs['latent_image'];
  const base = isValue(latent) && latent.kind === 'latent' ? latent : { width: 512, height: 512, batch: 1 };
  ctx.models.ensureLoaded('BaseModel');
  const started = ctx.now();
  const bar = ctx.console.progress(steps);
  const failAt = Math.max(1, Math.ceil(steps / 2));
  try {
    for (let step = 1; step <= steps; step += 1) {
      await ctx.wait(ctx.timing.stepMs);
      ctx.progress(step, steps);
      bar.update(step, ctx.now() - started);
      if (step === failAt) await ctx.faultPoint(samplerShapeError, true);
    }
  } finally {
    bar.close();
  }
  return { outputs: [{ kind: 'latent', width: base.width, height: base.height, batch: base.batch, seed }] };
}

async function saveImages(ctx: NodeContext, type: FolderType, prefix: string, level: number): Promise<NodeResult> {
  const images = imagesOf(ctx.inputs['images']);
  const root = `${EMULATED_MACHINE.root}/${type}`;
  const first = images[0] ?? renderSolid(64, 64, 0);
  const expanded = expandPrefix(prefix, first.width, first.height, ctx.now());
  const normalized = path.posix.normalize(expanded);
  const subfolder = path.posix.dirname(normalized) === '.' ? '' : path.posix.dirname(normalized);
  const base = path.posix.basename(normalized);
  const folder = path.posix.resolve(root, subfolder);
  const common = commonPath(root, folder);
  if (common !== root) {
    const error = outsideOutputError(folder, root, common);
    ctx.console.log(error.message);
    throw error;
  }
  let counter = ctx.files.nextCounter(type, subfolder, base);
  const text: Record<string, string> = { prompt: formatPyJson(ctx.graph) };
  const pnginfo = ctx.extraData['extra_pnginfo'];
  if (typeof pnginfo === 'object' && pnginfo !== null) {
    for (const [key, value] of Object.entries(pnginfo)) text[key] = formatPyJson(value);
  }
  const results: Array<Record<string, string>> = [];
  for (const [batch, image] of images.entries()) {
    const filename = `${base.replace(/%batch_num%/g, String(batch))}_${String(counter).padStart(5, '0')}_.png`;
    await ctx.faultPoint(() => diskFullError(path.posix.join(folder, filename)));
    ctx.files.put(type, subfolder, filename, await encodePng(image, { text, level }), ctx.viewDelayMs);
    results.push({ filename, subfolder, type });
    counter += 1;
  }
  return { outputs: [], ui: { images: results } };
}

function expandPrefix(prefix: string, width: number, height: number, nowMs: number): string {
  if (!prefix.includes('%')) return prefix;
  const d = new Date(nowMs);
  const pad = (v: number): string => String(v).padStart(2, '0');
  return prefix
    .replace(/%width%/g, String(width))
    .replace(/%height%/g, String(height))
    .replace(/%year%/g, String(d.getFullYear()))
    .replace(/%month%/g, pad(d.getMonth() + 1))
    .replace(/%day%/g, pad(d.getDate()))
    .replace(/%hour%/g, pad(d.getHours()))
    .replace(/%minute%/g, pad(d.getMinutes()))
    .replace(/%second%/g, pad(d.getSeconds()));
}

function commonPath(a: string, b: string): string {
  const x = a.split('/');
  const y = b.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i += 1;
  return x.slice(0, i).join('/') || '/';
}

const TEMP_LETTERS = 'abcdefghijklmnopqrstupvxyz';

/** Node classes the emulator runs with their own behaviour; others pass values through. */
const BEHAVIOURS: Readonly<Record<string, NodeBehaviour>> = {
  async EmptyImage(ctx) {
    const [w, h, batch] = [int(ctx.inputs['width'], 512), int(ctx.inputs['height'], 512), int(ctx.inputs['batch_size'], 1)];
    checkPixels(w, h, batch, false);
    await ctx.wait(ctx.timing.nodeMs);
    const image = renderSolid(w, h, int(ctx.inputs['color'], 0));
    return { outputs: [{ kind: 'images', images: Array.from({ length: batch }, () => image) }] };
  },
  async EmptyLatentImage(ctx) {
    const [w, h, batch] = [int(ctx.inputs['width'], 512), int(ctx.inputs['height'], 512), int(ctx.inputs['batch_size'], 1)];
    await ctx.wait(ctx.timing.nodeMs);
    return { outputs: [{ kind: 'latent', width: w, height: h, batch, seed: undefined }] };
  },
  async CheckpointLoaderSimple(ctx) {
    const name = String(ctx.inputs['ckpt_name']);
    await ctx.wait(ctx.timing.loadMs);
    for (const line of [
      'model weight dtype torch.float16, manual cast: None',
      'model_type EPS',
      'Using pytorch attention in VAE',
      'Using pytorch attention in VAE',
      'VAE load device: cuda:0, offload device: cpu, dtype: torch.bfloat16',
      'CLIP/text encoder model load device: cuda:0, offload device: cpu, current: cpu, dtype: torch.float16',
    ]) {
      ctx.console.log(line);
    }
    return {
      outputs: [
        { kind: 'model', name },
        { kind: 'clip', name },
        { kind: 'vae', name },
      ],
    };
  },
  async CLIPTextEncode(ctx) {
    ctx.models.ensureLoaded('SD1ClipModel');
    await ctx.wait(ctx.timing.nodeMs);
    return { outputs: [{ kind: 'conditioning', text: String(ctx.inputs['text'] ?? '') }] };
  },
  KSampler: (ctx) => sample(ctx, int(ctx.inputs['seed'], 0), int(ctx.inputs['steps'], 20)),
  KSamplerAdvanced: (ctx) => sample(ctx, int(ctx.inputs['noise_seed'], 0), int(ctx.inputs['steps'], 20)),
  async VAEDecode(ctx) {
    const latent = ctx.inputs['samples'];
    const l = isValue(latent) && latent.kind === 'latent' ? latent : { width: 512, height: 512, batch: 1, seed: 0 };
    checkPixels(l.width, l.height, l.batch, false);
    ctx.models.ensureLoaded('AutoencoderKL');
    await ctx.wait(ctx.timing.nodeMs);
    const image = renderSeeded(l.width, l.height, l.seed ?? 0);
    return { outputs: [{ kind: 'images', images: Array.from({ length: l.batch }, () => image) }] };
  },
  async ImageInvert(ctx) {
    await ctx.wait(ctx.timing.nodeMs);
    return { outputs: [{ kind: 'images', images: imagesOf(ctx.inputs['image']).map(renderInverted) }] };
  },
  async LoadImage(ctx) {
    const name = String(ctx.inputs['image']).replace(/ \[(?:input|output|temp)\]$/, '');
    const file = ctx.files.get('input', '', name);
    const size = file === undefined ? undefined : readPngSize(file.bytes);
    if (size === undefined) throw unidentifiedImageError(`${EMULATED_MACHINE.root}/input/${name}`);
    await ctx.wait(ctx.timing.nodeMs);
    return {
      outputs: [
        { kind: 'images', images: [renderSolid(size.width, size.height, 0x808080)] },
        { kind: 'opaque', type: 'MASK' },
      ],
    };
  },
  SaveImage: (ctx) => saveImages(ctx, 'output', String(ctx.inputs['filename_prefix'] ?? 'ComfyUI'), 4),
  PreviewImage(ctx) {
    const letters = Array.from({ length: 5 }, () => TEMP_LETTERS[Math.floor(ctx.random() * TEMP_LETTERS.length)]).join('');
    return saveImages(ctx, 'temp', `ComfyUI_temp_${letters}`, 1);
  },
};

/** True for node classes whose run includes sampler steps. */
export function isSamplerClass(classType: string): boolean {
  return classType === 'KSampler' || classType === 'KSamplerAdvanced';
}

/**
 * Runs one node. Known classes behave like ComfyUI's (images of the right size, files
 * named and counted the same way, loader lines); any other class takes `nodeMs` and
 * passes its first input of each output type through.
 */
export async function runNode(ctx: NodeContext): Promise<NodeResult> {
  const own = Object.hasOwn(BEHAVIOURS, ctx.nodeClass.name) ? BEHAVIOURS[ctx.nodeClass.name] : undefined;
  if (own !== undefined) return own(ctx);
  await ctx.wait(ctx.timing.nodeMs);
  const linked = Object.values(ctx.inputs).filter(isValue);
  const outputs = ctx.nodeClass.outputs.map((type): NodeValue => {
    const kind = type === 'IMAGE' ? 'images' : type === 'LATENT' ? 'latent' : undefined;
    const same = linked.find((v) => v.kind === kind);
    if (same !== undefined) return same;
    if (type === 'IMAGE') return { kind: 'images', images: [renderSolid(512, 512, 0x808080)] };
    return { kind: 'opaque', type: String(type) };
  });
  return { outputs };
}
