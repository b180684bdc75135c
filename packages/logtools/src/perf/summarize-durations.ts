import type { DurationList } from './duration-list.js';

/**
 * Count, average, min, p50/p90/p95/p99 and max of durations, in ms (the `--json`
 * shape). Percentiles are exact, nearest-rank: the value at rank ⌈p/100 · n⌉ of the
 * sorted values. Everything but `count` is null when there are no values.
 */
export interface DurationSummary {
  readonly count: number;
  readonly avg_ms: number | null;
  readonly min_ms: number | null;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
}

/** Summarizes a list of durations (ms), sorting it in place; see DurationSummary for the percentile method. */
export function summarizeDurations(list: DurationList): DurationSummary {
  const n = list.count;
  if (n === 0) {
    return { count: 0, avg_ms: null, min_ms: null, p50_ms: null, p90_ms: null, p95_ms: null, p99_ms: null, max_ms: null };
  }
  const sorted = list.sort();
  return {
    count: n,
    avg_ms: list.sum / n,
    min_ms: sorted[0] ?? null,
    p50_ms: nearestRank(sorted, 50),
    p90_ms: nearestRank(sorted, 90),
    p95_ms: nearestRank(sorted, 95),
    p99_ms: nearestRank(sorted, 99),
    max_ms: sorted[n - 1] ?? null,
  };
}

/** The value at rank ⌈p/100 · n⌉ (1-based) of ascending `sorted`; p in (0, 100]. */
export function nearestRank(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}
