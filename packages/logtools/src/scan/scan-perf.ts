import type { FileStats } from '../input/file-stats.js';
import type { InputSet } from '../input/list-inputs.js';
import { createNeedlePrefilter } from '../input/prefilter.js';
import type { JsonLineSink } from '../input/read-json-lines.js';
import { PERF_EVENTS, PerfAccumulator, type PerfOptions, type PerfReport } from '../core/perf-accumulator.js';
import { scanJsonSources } from './scan-json-sources.js';

/** Every duration perf reads is a `duration_ms` field: lines without these bytes cannot matter. */
const DURATION_KEY = 'duration_ms';

/**
 * Reads the JSON-lines logs for `logtrace perf`: only lines holding `duration_ms` are
 * parsed (every line with `strict`); one needle keeps the byte search at its fastest.
 */
export async function scanPerf(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean },
  stats: FileStats[],
): Promise<PerfReport> {
  const accumulator = new PerfAccumulator(options);
  const prefilter = options.strict ? undefined : createNeedlePrefilter([DURATION_KEY]);
  await scanJsonSources(inputs, prefilter, stats, () => perfSink(accumulator));
  return accumulator.report();
}

/** Feeds the durations of parsed lines to an accumulator, reading only the fields perf needs. */
export function perfSink(accumulator: PerfAccumulator): JsonLineSink {
  return {
    fast(line) {
      const ms = line.num('duration_ms');
      if (ms === undefined) return;
      accumulator.addSample(line.oneOf('event', PERF_EVENTS), ms, line.time() ?? 0, line);
    },
    record(record) {
      accumulator.add(record);
    },
  };
}
