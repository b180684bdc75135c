import type { ErrorGroup } from '../errors/error-grouper.js';
import { errorGroupKey } from '../errors/error-grouper.js';

/** One bar of the generation-time histogram: [from_ms, to_ms) and how many generations fell in it. */
export interface HistogramBin {
  readonly from_ms: number;
  readonly to_ms: number;
  readonly count: number;
}

/**
 * A histogram of sorted durations (ms) in `bins` equal-width bins from the minimum to
 * the maximum (the maximum falls in the last bin); empty for no durations.
 */
export function histogram(sorted: Float64Array, bins: number): HistogramBin[] {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === undefined || max === undefined) return [];
  const width = max === min ? 1 : (max - min) / bins;
  const counts = new Array<number>(max === min ? 1 : bins).fill(0);
  for (const ms of sorted) {
    const i = Math.min(counts.length - 1, Math.floor((ms - min) / width));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((count, i) => ({ from_ms: min + i * width, to_ms: min + (i + 1) * width, count }));
}

/**
 * Counts per slot of `slotMs` from `start` (epoch ms) for `slots` slots, from counts per
 * minute (epoch ms → count); minutes outside the range are left out.
 */
export function countsPerSlot(minutes: ReadonlyMap<number, number>, start: number, slotMs: number, slots: number): number[] {
  const counts = new Array<number>(slots).fill(0);
  for (const [minute, n] of minutes) {
    const i = Math.floor((minute - start) / slotMs);
    if (i >= 0 && i < slots) counts[i] = (counts[i] ?? 0) + n;
  }
  return counts;
}

/** Each group's counts per slot (countsPerSlot), in the groups' order; a group without times gets zeros. */
export function groupSparklines(
  groups: readonly ErrorGroup[],
  minutes: ReadonlyMap<string, ReadonlyMap<number, number>>,
  start: number,
  slotMs: number,
  slots: number,
): number[][] {
  return groups.map((g) => countsPerSlot(minutes.get(errorGroupKey(g)) ?? new Map(), start, slotMs, slots));
}

/** A slot width for about `target` slots over `spanMs`: 1 min, 5 min, 15 min, 1 h or 1 d. */
export function chooseSlot(spanMs: number, target = 120): number {
  for (const minutes of [1, 5, 15, 60, 1440]) if (spanMs / (minutes * 60_000) <= target) return minutes * 60_000;
  return 1440 * 60_000;
}
