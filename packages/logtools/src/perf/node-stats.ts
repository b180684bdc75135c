import { DurationList } from './duration-list.js';
import { nearestRank } from './summarize-durations.js';

/** One node class in `perf`'s `nodes` (ms; all null but the counts when it never ran). */
export interface NodeClassSummary {
  /** Executions (`comfyui_node_executed` lines): the durations summarized. */
  readonly count: number;
  /** Times its output was reused from ComfyUI's cache instead (`comfyui_nodes_cached`). */
  readonly cached: number;
  readonly avg_ms: number | null;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly max_ms: number | null;
}

/** ComfyUI's cache over every node run. */
export interface CacheSummary {
  /** Node runs executed. */
  readonly executed: number;
  /** Node runs whose cached output was reused, unattributed ones included. */
  readonly cached: number;
  /** cached / (executed + cached); null when there was no node run. */
  readonly hit_ratio: number | null;
  /** Cached runs whose class is unknown: ids no earlier line showed executed, and those a line counted without listing them. */
  readonly unattributed: number;
}

/** Steps per second one node class reported (`comfyui_progress.steps_per_s`), each report a value; nearest-rank p50. */
export interface RateSummary {
  readonly count: number;
  readonly avg: number | null;
  readonly min: number | null;
  readonly p50: number | null;
  readonly max: number | null;
}

/** What NodeStats reports. */
export interface NodeReport {
  /** By class_type, most execution time (count × avg) first. */
  readonly nodes: Readonly<Record<string, NodeClassSummary>>;
  readonly cache: CacheSummary;
  /** By class_type, in name order. */
  readonly steps_per_s: Readonly<Record<string, RateSummary>>;
}

/** A NodeStats' content as plain data that can cross a thread. */
export interface NodeParts {
  /** Per class: durations (ms) and resolved cached runs. */
  readonly classes: readonly (readonly [string, Float64Array, number])[];
  readonly rates: readonly (readonly [string, Float64Array])[];
  /** Cached runs of node ids not yet seen executed in this part, by node id. */
  readonly pending: readonly (readonly [string, number])[];
  /** Class of each node id's last execution in this part. */
  readonly lastClass: readonly (readonly [string, string])[];
  /** Cached runs counted but not listed (`count` beyond `node_ids`). */
  readonly unlisted: number;
}

interface ClassRuns {
  durations: DurationList;
  cached: number;
}

/**
 * Per-node-class statistics of ComfyUI's websocket events, taken in input order. A
 * cached node is logged by id only: it counts for the class its id last executed as
 * in the lines before it (ComfyUI reuses the output of that execution); parts
 * merged in input order resolve the ids a part saw cached before executing them.
 */
export class NodeStats {
  private readonly classes = new Map<string, ClassRuns>();
  private readonly rates = new Map<string, DurationList>();
  private readonly lastClass = new Map<string, string>();
  private readonly pending = new Map<string, number>();
  private unlisted = 0;

  /** Node `nodeId` of `classType` ran for `ms`; counted only when `counted` (in the time window), its class learned either way. */
  executed(classType: string, nodeId: string | undefined, ms: number, counted: boolean): void {
    if (nodeId !== undefined) this.lastClass.set(nodeId, classType);
    if (counted) this.runs(classType).durations.add(ms);
  }

  /** ComfyUI reused the cached outputs of these node ids, and of `unlisted` more it did not name. */
  cachedNodes(nodeIds: readonly string[], unlisted = 0): void {
    this.unlisted += unlisted;
    for (const id of nodeIds) {
      const classType = this.lastClass.get(id);
      if (classType !== undefined) this.runs(classType).cached++;
      else this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    }
  }

  /** A node of `classType` reported `stepsPerS` steps per second. */
  rate(classType: string, stepsPerS: number): void {
    let list = this.rates.get(classType);
    if (list === undefined) this.rates.set(classType, (list = new DurationList(64)));
    list.add(stepsPerS);
  }

  /** What this holds, as plain data (see merged). */
  toParts(): NodeParts {
    return {
      classes: [...this.classes].map(([name, runs]) => [name, runs.durations.view().slice(), runs.cached]),
      rates: [...this.rates].map(([name, list]) => [name, list.view().slice()]),
      pending: [...this.pending],
      lastClass: [...this.lastClass],
      unlisted: this.unlisted,
    };
  }

  /** One NodeStats from parts in input order: each part's pending ids take the class of their last execution in the parts before it. */
  static merged(parts: readonly NodeParts[]): NodeStats {
    const merged = new NodeStats();
    const durations = new Map<string, Float64Array[]>();
    const rates = new Map<string, Float64Array[]>();
    for (const part of parts) {
      for (const [id, n] of part.pending) {
        const classType = merged.lastClass.get(id);
        if (classType !== undefined) merged.runs(classType).cached += n;
        else merged.pending.set(id, (merged.pending.get(id) ?? 0) + n);
      }
      for (const [id, classType] of part.lastClass) merged.lastClass.set(id, classType);
      for (const [name, values, cached] of part.classes) {
        merged.runs(name).cached += cached;
        append(durations, name, values);
      }
      for (const [name, values] of part.rates) append(rates, name, values);
      merged.unlisted += part.unlisted;
    }
    for (const [name, arrays] of durations) merged.runs(name).durations = DurationList.concat(arrays);
    for (const [name, arrays] of rates) merged.rates.set(name, DurationList.concat(arrays));
    return merged;
  }

  /** The statistics of everything taken; sorts the lists in place. */
  report(): NodeReport {
    const byTime = [...this.classes].sort((a, b) => b[1].durations.sum - a[1].durations.sum || compare(a[0], b[0]));
    const nodes: Record<string, NodeClassSummary> = {};
    let executed = 0;
    let cached = 0;
    for (const [name, runs] of byTime) {
      const n = runs.durations.count;
      const sorted = runs.durations.sort();
      nodes[name] = {
        count: n,
        cached: runs.cached,
        avg_ms: n === 0 ? null : runs.durations.sum / n,
        p50_ms: nearestRank(sorted, 50),
        p95_ms: nearestRank(sorted, 95),
        max_ms: sorted[n - 1] ?? null,
      };
      executed += n;
      cached += runs.cached;
    }
    const unattributed = [...this.pending.values()].reduce((s, n) => s + n, this.unlisted);
    cached += unattributed;
    const steps: Record<string, RateSummary> = {};
    for (const [name, list] of [...this.rates].sort((a, b) => compare(a[0], b[0]))) {
      const sorted = list.sort();
      steps[name] = {
        count: list.count,
        avg: list.sum / list.count,
        min: sorted[0] ?? null,
        p50: nearestRank(sorted, 50),
        max: sorted[list.count - 1] ?? null,
      };
    }
    return {
      nodes,
      cache: { executed, cached, hit_ratio: executed + cached === 0 ? null : cached / (executed + cached), unattributed },
      steps_per_s: steps,
    };
  }

  private runs(classType: string): ClassRuns {
    let runs = this.classes.get(classType);
    if (runs === undefined) this.classes.set(classType, (runs = { durations: new DurationList(64), cached: 0 }));
    return runs;
  }
}

function append(map: Map<string, Float64Array[]>, key: string, values: Float64Array): void {
  const arrays = map.get(key);
  if (arrays === undefined) map.set(key, [values]);
  else arrays.push(values);
}

/** Code-unit order, the same in every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The cached nodes of a `comfyui_nodes_cached` line: the strings of its `node_ids`
 * array (anything else in it is no node id), and how many more its `count` says
 * there were (the GPU server lists at most 64); none without a `node_ids` array.
 */
export function cachedNodesOf(nodeIds: unknown, count: unknown): { readonly ids: string[]; readonly unlisted: number } {
  if (!Array.isArray(nodeIds)) return { ids: [], unlisted: 0 };
  const ids = nodeIds.filter((id): id is string => typeof id === 'string');
  const unlisted = typeof count === 'number' && Number.isSafeInteger(count) && count > ids.length ? count - ids.length : 0;
  return { ids, unlisted };
}
