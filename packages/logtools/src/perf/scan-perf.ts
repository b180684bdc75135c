import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { PerfAccumulator, type PerfOptions, type PerfParts, type PerfReport } from './perf-accumulator.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { perfJob } from './perf-job.js';

/**
 * Reads the JSON-lines logs for `logtrace perf`, on every core for a large input:
 * only lines holding `duration_ms` are parsed (every line with `strict`).
 */
export async function scanPerf(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<PerfReport> {
  return (await scanPerfAccumulator(inputs, options, stats, threads)).report();
}

/** Reads the logs as scanPerf does, and returns everything collected (for more than the report: `logtrace serve`'s charts). */
export async function scanPerfAccumulator(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<PerfAccumulator> {
  const { strict, ...perfOptions } = options;
  const parts: PerfParts[] = [];
  await scanUnits(inputs, perfJob, { options: perfOptions, strict }, threads, stats, (result) => parts.push(result.parts));
  return PerfAccumulator.merged(perfOptions, parts);
}
