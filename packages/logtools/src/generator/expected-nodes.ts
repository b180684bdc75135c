import { EVENT } from '@logtrace/shared/schema';
import type { LogEvent } from './format-record.js';
import { CLASS_OF_NODE } from './plan-execution.js';

/** What `logtrace perf` must report for one node class: executions (durations, ms) and cached reuses. */
export interface ExpectedNodeClass {
  readonly count: number;
  readonly cached: number;
  readonly avg_ms: number | null;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly max_ms: number | null;
}

/** Node runs executed and reused from ComfyUI's cache, and the share reused. */
export interface ExpectedCache {
  readonly executed: number;
  readonly cached: number;
  /** cached / (executed + cached); null when there was no node run. */
  readonly hit_ratio: number | null;
  /** Cached runs of node ids no earlier line showed executed (their class is unknown). */
  readonly unattributed: number;
}

/** Steps per second of one node class: the rate of each run that finished its steps (`comfyui_progress` with value = max). */
export interface ExpectedRate {
  readonly count: number;
  readonly avg: number | null;
  readonly min: number | null;
  readonly p50: number | null;
  readonly max: number | null;
}

/**
 * Collects, from the events as written, the node statistics `logtrace perf` must
 * give: durations per class, cached runs (a cached node's class is that of its id's
 * last execution written before), cache hits, steps per second per class. Plain
 * sorting and nearest rank, never logtrace's code.
 */
export class ExpectedNodes {
  private readonly durations = new Map<string, number[]>();
  private readonly cachedRuns = new Map<string, number>();
  private readonly rates = new Map<string, number[]>();
  private readonly executedIds = new Set<string>();
  private unattributed = 0;

  /** A JSON-lines event was written. */
  wroteEvent(e: LogEvent): void {
    const f = e.fields;
    if (e.event === EVENT.comfyui_node_executed && typeof f['class_type'] === 'string' && typeof f['duration_ms'] === 'number') {
      push(this.durations, f['class_type'], f['duration_ms']);
      this.executedIds.add(String(f['node_id']));
    } else if (e.event === EVENT.comfyui_nodes_cached && Array.isArray(f['node_ids'])) {
      for (const id of f['node_ids'] as string[]) {
        const classType = CLASS_OF_NODE.get(id);
        if (classType === undefined || !this.executedIds.has(id)) this.unattributed++;
        else this.cachedRuns.set(classType, (this.cachedRuns.get(classType) ?? 0) + 1);
      }
      const listed = (f['node_ids'] as unknown[]).filter((id) => typeof id === 'string').length;
      if (typeof f['count'] === 'number') this.unattributed += Math.max(0, f['count'] - listed);
    } else if (
      e.event === EVENT.comfyui_progress &&
      typeof f['class_type'] === 'string' &&
      typeof f['steps_per_s'] === 'number' &&
      f['value'] === f['max']
    ) {
      push(this.rates, f['class_type'], f['steps_per_s']);
    }
  }

  /** Per class: executions, cached runs, avg/p50/p95/max of the durations. */
  nodes(): Record<string, ExpectedNodeClass> {
    const out: Record<string, ExpectedNodeClass> = {};
    for (const classType of new Set([...this.durations.keys(), ...this.cachedRuns.keys()])) {
      const values = [...(this.durations.get(classType) ?? [])].sort((a, b) => a - b);
      const n = values.length;
      out[classType] = {
        count: n,
        cached: this.cachedRuns.get(classType) ?? 0,
        avg_ms: n === 0 ? null : (this.durations.get(classType) ?? []).reduce((s, v) => s + v, 0) / n,
        p50_ms: rank(values, 50),
        p95_ms: rank(values, 95),
        max_ms: values[n - 1] ?? null,
      };
    }
    return out;
  }

  /** Cache hits over all node runs. */
  cache(): ExpectedCache {
    const executed = [...this.durations.values()].reduce((s, v) => s + v.length, 0);
    const cached = [...this.cachedRuns.values()].reduce((s, v) => s + v, 0) + this.unattributed;
    return { executed, cached, hit_ratio: executed + cached === 0 ? null : cached / (executed + cached), unattributed: this.unattributed };
  }

  /** Steps per second per class. */
  stepsPerSecond(): Record<string, ExpectedRate> {
    const out: Record<string, ExpectedRate> = {};
    for (const [classType, written] of this.rates) {
      const values = [...written].sort((a, b) => a - b);
      out[classType] = {
        count: values.length,
        avg: written.reduce((s, v) => s + v, 0) / written.length,
        min: values[0] ?? null,
        p50: rank(values, 50),
        max: values[values.length - 1] ?? null,
      };
    }
    return out;
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Nearest rank: the value at rank ⌈p/100 · n⌉ of ascending values. */
function rank(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : (sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? null);
}
