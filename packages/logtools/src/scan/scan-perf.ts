import type { FileStats } from '../input/file-stats.js';
import type { InputSet } from '../input/list-inputs.js';
import { PerfAccumulator, type PerfOptions, type PerfParts, type PerfReport } from '../core/perf-accumulator.js';
import type { ThreadChoice } from './scan-pool.js';
import { scanUnits } from './scan-units.js';

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
  const { strict, ...perfOptions } = options;
  const parts: PerfParts[] = [];
  await scanUnits(inputs, { kind: 'perf', options: perfOptions, strict }, threads, stats, (result) => parts.push(result.parts as PerfParts));
  return PerfAccumulator.merged(perfOptions, parts).report();
}
