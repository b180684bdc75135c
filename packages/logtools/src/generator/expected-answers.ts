import { EVENT, type Level } from '@logtrace/shared/schema';
import type { DurationSummary } from '../perf/summarize-durations.js';
import { ExpectedNodes, type ExpectedCache, type ExpectedNodeClass, type ExpectedRate } from './expected-nodes.js';
import { ExpectedRequests, type ExpectedRequest, type RequestIds } from './expected-requests.js';
import type { LogEvent } from './format-record.js';

/** Statistics in logtrace's shape, computed by the generator itself: a plain sort, then the nearest rank. */
export type ExpectedStats = DurationSummary;

export type { ExpectedRequest, ExpectedTraceNode } from './expected-requests.js';

/** What `logtrace perf` must report for the generated directory. */
export interface ExpectedPerf {
  readonly generation: ExpectedStats;
  readonly stages: Readonly<Record<StageKey, ExpectedStats>>;
  /** Per node class (comfyui_node_executed, comfyui_nodes_cached). */
  readonly nodes: Readonly<Record<string, ExpectedNodeClass>>;
  readonly cache: ExpectedCache;
  /** Per node class (comfyui_progress). */
  readonly steps_per_s: Readonly<Record<string, ExpectedRate>>;
  readonly slow: {
    readonly threshold_ms: number;
    readonly count: number;
    readonly items: readonly { duration_ms: number; request_id: string; generation_id: string; prompt_id: string; time: string }[];
  };
  readonly buckets: readonly { readonly start: string; readonly count: number; readonly p95_ms: number }[];
  /** Every generation duration with its time, for checks with a time window. */
  readonly generations: readonly { readonly time: number; readonly duration_ms: number }[];
}

/** One error group as the generator knows it: one message template. */
export interface ExpectedErrorGroup {
  readonly service: string;
  readonly event: string;
  readonly error_code: string | null;
  readonly template: string;
  readonly level: Level;
  readonly count: number;
}

/** The stages perf reads from an event's `duration_ms`. */
const STAGES = { response_sent: 'backend_end_to_end', gpu_response: 'gpu_round_trip', image_retrieved: 'image_transfer' } as const;

/** The stages perf reads from comfyui_complete's other fields. */
const COMPLETE_STAGES = { queue_wait: 'queue_wait_ms', execution: 'execution_ms' } as const;

type StageKey = (typeof STAGES)[keyof typeof STAGES] | keyof typeof COMPLETE_STAGES;

/**
 * Collects, while the generator writes, the answers logtrace must give, from the
 * simulation's own values (never by reading the files back): durations, error
 * groups by template, ComfyUI problems, and each request's events and ComfyUI lines.
 */
export class ExpectedAnswers {
  private readonly generation: { time: number; duration_ms: number; request_id: string; generation_id: string; prompt_id: string }[] = [];
  private readonly stages: Record<StageKey, number[]> = {
    backend_end_to_end: [],
    gpu_round_trip: [],
    image_transfer: [],
    queue_wait: [],
    execution: [],
  };
  private readonly nodeStats = new ExpectedNodes();
  private readonly errors = new Map<string, ExpectedErrorGroup>();
  private readonly comfyuiIssues = new Map<string, { event: string; type: string | null; level: Level; count: number }>();
  private readonly requestBooks: ExpectedRequests;

  constructor(keepRequests: boolean) {
    this.requestBooks = new ExpectedRequests(keepRequests);
  }

  /** Registers a request; returns its index for later calls (-1 when requests are not kept). */
  addRequest(ids: RequestIds): number {
    return this.requestBooks.addRequest(ids);
  }

  /** A JSON-lines event was written. */
  wroteEvent(request: number, e: LogEvent, template: string | undefined): void {
    const f = e.fields;
    const duration = typeof f['duration_ms'] === 'number' ? f['duration_ms'] : undefined;
    if (e.event === 'comfyui_complete' && duration !== undefined) {
      this.generation.push({
        time: e.time,
        duration_ms: duration,
        request_id: String(f['request_id']),
        generation_id: String(f['generation_id']),
        prompt_id: String(f['prompt_id']),
      });
    }
    const stage = (STAGES as Record<string, StageKey | undefined>)[e.event];
    if (stage !== undefined && duration !== undefined) this.stages[stage].push(duration);
    if (e.event === EVENT.comfyui_complete) {
      for (const [name, field] of Object.entries(COMPLETE_STAGES) as [keyof typeof COMPLETE_STAGES, string][]) {
        if (typeof f[field] === 'number') this.stages[name].push(f[field]);
      }
    }
    this.nodeStats.wroteEvent(e);
    if (e.level === 'ERROR' || e.level === 'FATAL' || e.level === 'WARN') {
      const errorCode = typeof f['error_code'] === 'string' ? f['error_code'] : null;
      const key = [e.service, e.event, errorCode, template ?? e.msg].join('\0');
      const group = this.errors.get(key);
      this.errors.set(
        key,
        group === undefined
          ? { service: e.service, event: e.event, error_code: errorCode, template: template ?? e.msg, level: e.level, count: 1 }
          : { ...group, count: group.count + 1 },
      );
    }
    this.requestBooks.wroteEvent(request, e);
  }

  /** A comfyui.log line of a request was written. */
  wroteComfyuiLine(request: number, text: string): void {
    this.requestBooks.wroteComfyuiLine(request, text);
  }

  /** A ComfyUI problem was written. */
  wroteComfyuiIssue(event: string, type: string | null, level: Level): void {
    const key = `${event}\0${type ?? ''}`;
    const issue = this.comfyuiIssues.get(key);
    this.comfyuiIssues.set(key, { event, type, level, count: (issue?.count ?? 0) + 1 });
  }

  /** The perf answers for a slow threshold, a top-N and a bucket width. */
  perf(slowMs = 60_000, top = 20, bucketMs = 3_600_000): ExpectedPerf {
    const slow = this.generation.filter((g) => g.duration_ms >= slowMs).sort((a, b) => b.duration_ms - a.duration_ms || a.time - b.time);
    const buckets = new Map<number, number[]>();
    for (const g of this.generation) {
      const start = Math.floor(g.time / bucketMs) * bucketMs;
      buckets.set(start, [...(buckets.get(start) ?? []), g.duration_ms]);
    }
    return {
      generation: stats(this.generation.map((g) => g.duration_ms)),
      stages: {
        backend_end_to_end: stats(this.stages.backend_end_to_end),
        gpu_round_trip: stats(this.stages.gpu_round_trip),
        image_transfer: stats(this.stages.image_transfer),
        queue_wait: stats(this.stages.queue_wait),
        execution: stats(this.stages.execution),
      },
      nodes: this.nodeStats.nodes(),
      cache: this.nodeStats.cache(),
      steps_per_s: this.nodeStats.stepsPerSecond(),
      slow: {
        threshold_ms: slowMs,
        count: slow.length,
        items: slow.slice(0, top).map((g) => ({
          duration_ms: g.duration_ms,
          request_id: g.request_id,
          generation_id: g.generation_id,
          prompt_id: g.prompt_id,
          time: new Date(g.time).toISOString(),
        })),
      },
      buckets: [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([start, values]) => ({ start: new Date(start).toISOString(), count: values.length, p95_ms: stats(values).p95_ms ?? 0 })),
      generations: this.generation.map((g) => ({ time: g.time, duration_ms: g.duration_ms })),
    };
  }

  /** Error groups of the JSON-lines logs, one per template, at WARN and above. */
  errorGroups(): ExpectedErrorGroup[] {
    return [...this.errors.values()];
  }

  /** ComfyUI problems by event and type. */
  comfyuiGroups(): { event: string; type: string | null; level: Level; count: number }[] {
    return [...this.comfyuiIssues.values()];
  }

  /** Every request as written, with its outcome by the documented rule. */
  requests(): ExpectedRequest[] {
    return this.requestBooks.requests();
  }
}

/** Count, average, min, nearest-rank percentiles and max of a list, by plain sorting. */
export function stats(values: readonly number[]): ExpectedStats {
  const n = values.length;
  if (n === 0) return { count: 0, avg_ms: null, min_ms: null, p50_ms: null, p90_ms: null, p95_ms: null, p99_ms: null, max_ms: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * n)) - 1] ?? null;
  return {
    count: n,
    avg_ms: sorted.reduce((s, v) => s + v, 0) / n,
    min_ms: sorted[0] ?? null,
    p50_ms: rank(50),
    p90_ms: rank(90),
    p95_ms: rank(95),
    p99_ms: rank(99),
    max_ms: sorted[n - 1] ?? null,
  };
}
