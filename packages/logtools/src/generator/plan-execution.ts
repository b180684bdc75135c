import type { Random } from './create-random.js';

/** A node of the graph the generator's ComfyUI runs. */
export interface WorkflowNode {
  readonly node_id: string;
  readonly class_type: string;
  /** Its inputs are the same when the previous prompt ran the same workflow, so ComfyUI reuses its output. */
  readonly cachedOnRepeat: boolean;
}

/**
 * ComfyUI's default txt2img graph (its node ids), in the order ComfyUI executes it.
 * Every generated workflow uses it, with its own checkpoint and negative prompt; the
 * positive prompt and the seed change with each request.
 */
export const TXT2IMG_NODES: readonly WorkflowNode[] = Object.freeze([
  { node_id: '4', class_type: 'CheckpointLoaderSimple', cachedOnRepeat: true },
  { node_id: '6', class_type: 'CLIPTextEncode', cachedOnRepeat: false },
  { node_id: '7', class_type: 'CLIPTextEncode', cachedOnRepeat: true },
  { node_id: '5', class_type: 'EmptyLatentImage', cachedOnRepeat: true },
  { node_id: '3', class_type: 'KSampler', cachedOnRepeat: false },
  { node_id: '8', class_type: 'VAEDecode', cachedOnRepeat: false },
  { node_id: '9', class_type: 'SaveImage', cachedOnRepeat: false },
]);

/** The node that reports progress (one step at a time) and takes what the others leave of the execution time. */
export const SAMPLER_NODE = '3';

/** The class of each node id of TXT2IMG_NODES. */
export const CLASS_OF_NODE: ReadonlyMap<string, string> = new Map(TXT2IMG_NODES.map((n) => [n.node_id, n.class_type]));

/** One node of a planned execution: run from `start` for `duration_ms`, or its cached output reused (at `start`, taking no time). */
export interface NodeRun {
  readonly node_id: string;
  readonly class_type: string;
  readonly cached: boolean;
  /** Epoch ms. */
  readonly start: number;
  readonly duration_ms: number;
}

/** A progress report of the sampler, as the GPU server logs it (at most every 25 % of its steps). */
export interface ProgressPoint {
  readonly node_id: string;
  readonly class_type: string;
  /** Epoch ms. */
  readonly time: number;
  readonly value: number;
  readonly max: number;
  /** Steps per second since the node's first report, two decimals; undefined on the first report. */
  readonly steps_per_s: number | undefined;
}

/** What ComfyUI does with one prompt, node by node. */
export interface ExecutionPlan {
  /** Epoch ms of `execution_start`. */
  readonly start: number;
  /** Cached nodes first (at `start`), then the executed ones back to back, in execution order. */
  readonly runs: readonly NodeRun[];
  readonly progress: readonly ProgressPoint[];
}

/** What planExecution needs besides the random source. */
export interface PlanOptions {
  /** Epoch ms when ComfyUI starts the prompt. */
  readonly start: number;
  /** Execution time of the nodes that run, ms (execution_start → execution_success). */
  readonly totalMs: number;
  /** The previous prompt ran the same workflow: the nodes marked cachedOnRepeat are reused. */
  readonly repeat: boolean;
  /** Sampler steps. */
  readonly steps: number;
  /** Plan only up to this node (the one that raises), included. */
  readonly lastNode?: string;
}

/** Longest part of the execution the nodes other than the sampler take. */
const OTHERS_SHARE = 0.4;

/**
 * Plans the nodes of TXT2IMG_NODES for one prompt: typical durations for the small
 * nodes (a checkpoint load takes seconds, a text encode tens of ms), scaled down to at
 * most 40 % of `totalMs`; the sampler takes the rest, so the executed nodes take
 * exactly `totalMs`. The sampler reports progress at each quarter of its steps.
 */
export function planExecution(rng: Random, options: PlanOptions): ExecutionPlan {
  const last = TXT2IMG_NODES.findIndex((n) => n.node_id === options.lastNode);
  const nodes = last === -1 ? TXT2IMG_NODES : TXT2IMG_NODES.slice(0, last + 1);
  const cached = nodes.filter((n) => options.repeat && n.cachedOnRepeat);
  const executed = nodes.filter((n) => !(options.repeat && n.cachedOnRepeat));
  const remainderNode = executed.find((n) => n.node_id === SAMPLER_NODE) ?? executed[executed.length - 1];
  const typical = new Map(executed.filter((n) => n !== remainderNode).map((n) => [n.node_id, typicalMs(n.class_type, rng)]));
  const othersMs = [...typical.values()].reduce((s, v) => s + v, 0);
  const cap = Math.floor(options.totalMs * OTHERS_SHARE);
  if (othersMs > cap) for (const [id, ms] of typical) typical.set(id, Math.max(1, Math.floor((ms * cap) / othersMs)));
  const remainderMs = Math.max(1, options.totalMs - [...typical.values()].reduce((s, v) => s + v, 0));

  const runs: NodeRun[] = cached.map((n) => ({
    node_id: n.node_id,
    class_type: n.class_type,
    cached: true,
    start: options.start,
    duration_ms: 0,
  }));
  const progress: ProgressPoint[] = [];
  let at = options.start;
  for (const n of executed) {
    const duration = n === remainderNode ? remainderMs : (typical.get(n.node_id) ?? 1);
    runs.push({ node_id: n.node_id, class_type: n.class_type, cached: false, start: at, duration_ms: duration });
    if (n.node_id === SAMPLER_NODE) progress.push(...samplerProgress(n, at, duration, options.steps));
    at += duration;
  }
  return { start: options.start, runs, progress };
}

function typicalMs(classType: string, rng: Random): number {
  switch (classType) {
    case 'CheckpointLoaderSimple':
      return rng.int(600, 2500);
    case 'CLIPTextEncode':
      return rng.int(15, 60);
    case 'EmptyLatentImage':
      return rng.int(1, 4);
    case 'VAEDecode':
      return rng.int(80, 300);
    default:
      return rng.int(20, 120);
  }
}

/** The sampler's reports at each quarter of its steps; the rate, as the GPU server computes it, is since the first report. */
function samplerProgress(node: WorkflowNode, start: number, duration: number, steps: number): ProgressPoint[] {
  const points: ProgressPoint[] = [];
  let previous = 0;
  for (let quarter = 1; quarter <= 4; quarter++) {
    const value = Math.ceil((steps * quarter) / 4);
    const time = start + Math.round((duration * value) / steps);
    const first = points[0];
    if (value === previous || (first !== undefined && time === first.time)) continue;
    const rate = first === undefined ? undefined : Number(((value - first.value) / ((time - first.time) / 1000)).toFixed(2));
    points.push({ node_id: node.node_id, class_type: node.class_type, time, value, max: steps, steps_per_s: rate });
    previous = value;
  }
  return points;
}
