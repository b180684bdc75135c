import { EVENT, formatTime, type NormalizedRecord } from '@logtrace/shared/schema';
import { DurationList } from './duration-list.js';
import { nearestRank, summarizeDurations, type DurationSummary } from './summarize-durations.js';
import { ALL_TIME, isInWindow, type TimeWindow } from '../core/time-window.js';
import { TopN } from './top-n.js';
import { cachedNodesOf, NodeStats, type NodeParts, type NodeReport } from './node-stats.js';
import { COMFYUI_STAGE_FIELDS, GENERATION_EVENT, STAGE_EVENTS, STAGE_NAMES, type ComfyuiStage, type StageName } from './perf-events.js';

/** Where the ids a slow generation is listed with are read from. */
export interface SlowIds {
  str(key: 'request_id' | 'generation_id' | 'prompt_id'): string | undefined;
}

/** One slow generation. */
export interface SlowItem {
  readonly duration_ms: number;
  readonly request_id: string | null;
  readonly generation_id: string | null;
  readonly prompt_id: string | null;
  /** ISO time of the `comfyui_complete` line. */
  readonly time: string;
}

/** Generation count and p95 in one time bucket. */
export interface BucketRow {
  /** ISO start of the bucket (UTC-aligned). */
  readonly start: string;
  readonly count: number;
  readonly avg_ms: number;
  readonly p95_ms: number;
  readonly max_ms: number;
}

/** What `logtrace perf` reports (its `--json` shape without `input`). */
export interface PerfReport extends NodeReport {
  readonly generation: DurationSummary;
  readonly stages: Readonly<Record<StageName, DurationSummary>>;
  readonly slow: { readonly threshold_ms: number; readonly count: number; readonly items: readonly SlowItem[] };
  readonly buckets: { readonly size_ms: number; readonly items: readonly BucketRow[] };
}

const DURATION_STAGES = Object.keys(STAGE_EVENTS) as (keyof typeof STAGE_EVENTS)[];

/** A PerfAccumulator's content as plain data (typed arrays of durations, ms). */
export interface PerfParts {
  readonly generation: Float64Array;
  readonly stages: Readonly<Record<StageName, Float64Array>>;
  readonly buckets: readonly (readonly [number, Float64Array])[];
  readonly slow: readonly SlowItem[];
  readonly slowCount: number;
  readonly nodes: NodeParts;
}

/** Options of a PerfAccumulator. */
export interface PerfOptions {
  /** Generations at or above this many ms are slow. */
  readonly slowMs: number;
  /** How many slow generations to list (the count covers all). */
  readonly top: number;
  /** Width of the time buckets, ms. */
  readonly bucketMs: number;
  readonly window?: TimeWindow;
}

/**
 * Collects durations from records (any order, any number of partial accumulators
 * merged later with merged()) and reports exact statistics. Memory: 8 bytes per duration, twice
 * for generations (overall and per bucket), plus the top slow items.
 */
export class PerfAccumulator {
  private generation = new DurationList();
  private readonly stages: Record<StageName, DurationList> = {
    backend_end_to_end: new DurationList(),
    gpu_round_trip: new DurationList(),
    image_transfer: new DurationList(),
    queue_wait: new DurationList(),
    execution: new DurationList(),
  };
  private nodes = new NodeStats();
  private readonly buckets = new Map<number, DurationList>();
  private readonly slow: TopN<SlowItem>;
  private slowCount = 0;
  private readonly window: TimeWindow;

  constructor(private readonly options: PerfOptions) {
    this.slow = new TopN<SlowItem>(options.top, (item) => item.duration_ms);
    this.window = options.window ?? ALL_TIME;
  }

  /**
   * Takes one record; records of other events, without the numbers perf reads, or
   * outside the window are ignored (a node execution outside it still tells its id's class).
   */
  add(record: NormalizedRecord): void {
    const x = record.extra;
    switch (record.event) {
      case EVENT.comfyui_node_executed: {
        const classType = x['class_type'];
        if (typeof classType === 'string' && record.duration_ms !== undefined) {
          this.addNodeRun(classType, typeof x['node_id'] === 'string' ? x['node_id'] : undefined, record.duration_ms, record.time);
        }
        return;
      }
      case EVENT.comfyui_nodes_cached: {
        const cached = cachedNodesOf(x['node_ids'], x['count']);
        this.addCachedNodes(cached.ids, cached.unlisted, record.time);
        return;
      }
      case EVENT.comfyui_progress:
        if (isProgressRate(x)) this.addRate(x['class_type'], x['steps_per_s'], record.time);
        return;
      case EVENT.comfyui_complete:
        // The generation's own parts: only with its duration (and so on a line the prefilter picks).
        if (record.duration_ms === undefined) return;
        for (const [name, field] of COMFYUI_STAGE_FIELDS) {
          const ms = x[field];
          if (isFiniteNumber(ms)) this.addStage(name, ms, record.time);
        }
        break;
    }
    if (record.duration_ms !== undefined) this.addSample(record.event, record.duration_ms, record.time, { str: (key) => record[key] });
  }

  /** Takes a ComfyUI stage (ms) of a line at `time` (epoch ms). */
  addStage(name: ComfyuiStage, ms: number, time: number): void {
    if (isInWindow(time, this.window)) this.stages[name].add(ms);
  }

  /** Takes a node execution (ms) of a line at `time`; outside the window it only tells the class of `nodeId`. */
  addNodeRun(classType: string, nodeId: string | undefined, ms: number, time: number): void {
    this.nodes.executed(classType, nodeId, ms, isInWindow(time, this.window));
  }

  /** Takes the node ids ComfyUI reused cached outputs of, and how many more it did not list, on a line at `time`. */
  addCachedNodes(nodeIds: readonly string[], unlisted: number, time: number): void {
    if (isInWindow(time, this.window)) this.nodes.cachedNodes(nodeIds, unlisted);
  }

  /** Takes the steps per second of a node run that finished its steps (a progress report at its max), on a line at `time`. */
  addRate(classType: string, stepsPerS: number, time: number): void {
    if (isInWindow(time, this.window)) this.nodes.rate(classType, stepsPerS);
  }

  /**
   * Takes one duration (ms) that a line of `event` at `time` (epoch ms) carries; `ids`
   * is only read for a slow generation. Other events and times outside the window are ignored.
   */
  addSample(event: string | undefined, ms: number, time: number, ids: SlowIds): void {
    if (!isInWindow(time, this.window)) return;
    if (event === GENERATION_EVENT) {
      this.generation.add(ms);
      this.bucket(time).add(ms);
      if (ms >= this.options.slowMs) {
        this.slowCount++;
        this.slow.add({
          duration_ms: ms,
          request_id: ids.str('request_id') ?? null,
          generation_id: ids.str('generation_id') ?? null,
          prompt_id: ids.str('prompt_id') ?? null,
          time: formatTime(time),
        });
      }
      return;
    }
    for (const name of DURATION_STAGES) {
      if (event === STAGE_EVENTS[name]) this.stages[name].add(ms);
    }
  }

  /** What this accumulator holds, as plain data that can cross a thread (see merged). */
  toParts(): PerfParts {
    const stages = {} as Record<StageName, Float64Array>;
    for (const name of STAGE_NAMES) stages[name] = this.stages[name].view().slice();
    return {
      generation: this.generation.view().slice(),
      stages,
      buckets: [...this.buckets.entries()].map(([start, list]) => [start, list.view().slice()]),
      slow: this.slow.items(),
      slowCount: this.slowCount,
      nodes: this.nodes.toParts(),
    };
  }

  /**
   * One accumulator holding what several collected (same options), from their
   * toParts(), merged in input order, each list sized once.
   */
  static merged(options: PerfOptions, parts: readonly PerfParts[]): PerfAccumulator {
    const merged = new PerfAccumulator(options);
    merged.generation = DurationList.concat(parts.map((p) => p.generation));
    for (const name of STAGE_NAMES) merged.stages[name] = DurationList.concat(parts.map((p) => p.stages[name]));
    const buckets = new Map<number, Float64Array[]>();
    for (const p of parts) {
      for (const [start, values] of p.buckets) {
        const arrays = buckets.get(start);
        if (arrays === undefined) buckets.set(start, [values]);
        else arrays.push(values);
      }
    }
    for (const [start, arrays] of buckets) merged.buckets.set(start, DurationList.concat(arrays));
    for (const p of parts) {
      for (const item of p.slow) merged.slow.add(item);
      merged.slowCount += p.slowCount;
    }
    merged.nodes = NodeStats.merged(parts.map((p) => p.nodes));
    return merged;
  }

  /** The statistics of everything added. */
  report(): PerfReport {
    const stages = {} as Record<StageName, DurationSummary>;
    for (const name of Object.keys(this.stages) as StageName[]) stages[name] = summarizeDurations(this.stages[name]);
    const buckets = [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, list]): BucketRow => {
        const sorted = list.sort();
        return {
          start: formatTime(start),
          count: list.count,
          avg_ms: list.sum / list.count,
          p95_ms: nearestRank(sorted, 95) ?? 0,
          max_ms: sorted[sorted.length - 1] ?? 0,
        };
      });
    return {
      generation: summarizeDurations(this.generation),
      stages,
      slow: { threshold_ms: this.options.slowMs, count: this.slowCount, items: this.slow.items() },
      buckets: { size_ms: this.options.bucketMs, items: buckets },
      ...this.nodes.report(),
    };
  }

  /**
   * Generation time per slot of `slotMs` (a multiple of the bucket width): start (epoch
   * ms), count, p50 and p95 (nearest rank), ms; oldest first, slots without generations left out.
   */
  generationSeries(slotMs: number): { readonly start: number; readonly count: number; readonly p50_ms: number; readonly p95_ms: number }[] {
    const slots = new Map<number, Float64Array[]>();
    for (const [start, list] of this.buckets) {
      const slot = Math.floor(start / slotMs) * slotMs;
      const arrays = slots.get(slot);
      if (arrays === undefined) slots.set(slot, [list.view()]);
      else arrays.push(list.view());
    }
    return [...slots.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, arrays]) => {
        const list = DurationList.concat(arrays);
        const sorted = list.sort();
        return { start, count: list.count, p50_ms: nearestRank(sorted, 50) ?? 0, p95_ms: nearestRank(sorted, 95) ?? 0 };
      });
  }

  /** Every generation time (ms), sorted ascending. */
  generationTimes(): Float64Array {
    return this.generation.sort();
  }

  private bucket(time: number): DurationList {
    const start = Math.floor(time / this.options.bucketMs) * this.options.bucketMs;
    let list = this.buckets.get(start);
    if (list === undefined) {
      list = new DurationList(64);
      this.buckets.set(start, list);
    }
    return list;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A run's last progress report (value = max) with a class and a rate, from a node (its `node_id` a string, so the line holds perf's needle). */
function isProgressRate(x: Readonly<Record<string, unknown>>): x is { class_type: string; steps_per_s: number } {
  return (
    typeof x['node_id'] === 'string' &&
    typeof x['class_type'] === 'string' &&
    isFiniteNumber(x['steps_per_s']) &&
    isFiniteNumber(x['value']) &&
    x['value'] === x['max']
  );
}
