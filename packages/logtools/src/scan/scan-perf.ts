import type { FileStats } from '../input/file-stats.js';
import type { InputSet } from '../input/list-inputs.js';
import { createNeedlePrefilter } from '../input/prefilter.js';
import { PERF_EVENTS, PerfAccumulator, type PerfOptions, type PerfReport } from '../core/perf-accumulator.js';
import { scanJsonSources } from './scan-json-sources.js';

/**
 * Reads the JSON-lines logs for `logtrace perf`: only lines holding one of the perf
 * event names are parsed (every line with `strict`).
 */
export async function scanPerf(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean },
  stats: FileStats[],
): Promise<PerfReport> {
  const accumulator = new PerfAccumulator(options);
  const prefilter = options.strict ? undefined : createNeedlePrefilter(PERF_EVENTS);
  await scanJsonSources(inputs, prefilter, stats, (record) => accumulator.add(record));
  return accumulator.report();
}
